"""Subsidies through the pages: the quote before submitting, 公示 without login, an objection, 财政局's desk and decision."""

import pytest
from django.test import Client
from django.utils import timezone

from workflows.models import Budget, Case, CaseState

from .helpers import PDF_BYTES
from .test_clinic_filing_api import api_as
from .test_subsidy import EMPLOYEE_ID, HOME, end_notice, hiring_body, submit, to_notice
from .web import WebUser

pytestmark = pytest.mark.django_db


def hiring_form(**overrides) -> dict:
    body = hiring_body(**overrides)
    return {
        key: ("true" if value is True else "false" if value is False else value)
        for key, value in body.items()
        if key != "kind"
    }


def test_the_applicant_sees_the_amount_and_the_reasons_before_submitting(users, snapshot):
    from django.core.files.uploadedfile import SimpleUploadedFile

    home = WebUser(HOME)
    kinds = home.get("/cases/new/subsidy/").content.decode()
    assert "入职奖补" in kinds and "床位建设补助" in kinds and "医养合作服务补助" in kinds
    page = home.get("/cases/new/subsidy/hiring/").content.decode()
    assert "入职人员姓名" in page and "学历" in page and "是否在编" in page and "补助金额由系统计算" in page
    assert '<label for="id_files" class="required">' in page  # papers are required for facts the registry lacks
    bed_page = home.get("/cases/new/subsidy/bed/").content.decode()
    assert '<label for="id_files">' in bed_page  # the bed count is the registry's: papers optional
    before = snapshot()
    quoted = home.post(
        "/cases/new/subsidy/hiring/", {**hiring_form(establishment=True), "action": "quote"}
    ).content.decode()
    assert "暂不符合申请条件" in quoted and "在编人员不享受入职奖补。" in quoted
    quoted = home.post("/cases/new/subsidy/hiring/", {**hiring_form(), "action": "quote"}).content.decode()
    assert "符合申请条件，补助金额 50,000.00元（伍万元整）" in quoted
    assert snapshot() == before  # a quote changes nothing
    submitted = home.post(
        "/cases/new/subsidy/hiring/",
        {
            **hiring_form(),
            "action": "submit",
            "files": SimpleUploadedFile("学历证书.pdf", PDF_BYTES, content_type="application/pdf"),
        },
    )
    assert submitted.status_code == 302, submitted.content.decode()[:2000]
    case = Case.objects.get(procedure="subsidy")
    page = home.get(f"/cases/{case.case_no}/").content.decode()
    assert "50,000.00元（伍万元整）" in page and "330727********0073" in page and EMPLOYEE_ID not in page
    assert "学历证书.pdf" in page


def test_notice_objection_and_finance_through_the_pages(users, django_capture_on_commit_callbacks):
    case_no = submit(api_as(HOME), hiring_body())["case_no"]
    to_notice(case_no)
    public = Client().get("/notices/").content.decode()  # no login
    assert case_no in public and "张*" in public and "张晓燕" not in public and "提出异议" in public
    assert Client().get(f"/notices/{case_no}/object/").status_code == 302  # to the login page
    objector = WebUser("inst-xinwo-home")
    assert objector.post(f"/notices/{case_no}/object/", {"text": ""}).status_code == 200
    done = objector.post(f"/notices/{case_no}/object/", {"text": "该员工入职未满一个月。"})
    assert done.status_code == 302 and Case.objects.get(case_no=case_no).state == CaseState.IN_REVIEW
    page = WebUser(HOME).get(f"/cases/{case_no}/").content.decode()
    assert "公示异议" in page and "该员工入职未满一个月。" in page
    civil = WebUser("civil-1")
    task = Case.objects.get(case_no=case_no).task_set.get(status="NEW", flow_task_type="HUMAN")
    civil.post(f"/tasks/{task.pk}/claim/")
    assert civil.post(f"/tasks/{task.pk}/", {"decision": "approve", "comment": "经核实属实入职"}).status_code == 302
    end_notice(case_no)

    finance = WebUser("finance-1")
    task = Case.objects.get(case_no=case_no).task_set.get(status="NEW", flow_task_type="HUMAN")
    finance.post(f"/tasks/{task.pk}/claim/")
    page = finance.get(f"/tasks/{task.pk}/").content.decode()
    assert "预算总额" in page and "超出剩余预算" in page and "拨付凭证号" in page
    refused = finance.post(
        f"/tasks/{task.pk}/",
        {"decision": "approve", "payment-paid_on": timezone.localdate().isoformat(), "payment-voucher_no": "V-1"},
    )
    assert "超出预算" in refused.content.decode()
    missing = finance.post(f"/tasks/{task.pk}/", {"decision": "approve"})
    assert "拨付日期：该字段是必填项。" in missing.content.decode()
    head = WebUser("finance-head")
    desk = head.get("/finance/").content.decode()
    assert "设置预算" in desk
    assert head.post("/finance/", {"kind": "hiring", "total": "50000.00"}).status_code == 302
    assert Budget.objects.get(kind="hiring").total == 50000
    with django_capture_on_commit_callbacks(execute=True):
        ok = finance.post(
            f"/tasks/{task.pk}/",
            {"decision": "approve", "payment-paid_on": timezone.localdate().isoformat(), "payment-voucher_no": "V-1"},
        )
    assert ok.status_code == 302
    assert Case.objects.get(case_no=case_no).state == CaseState.APPROVED
    desk = finance.get("/finance/").content.decode()
    assert "V-1" in desk and "50,000.00元" in desk and "设置预算" not in desk  # reviewers read, heads set
    assert finance.post("/finance/", {"kind": "hiring", "total": "1.00"}).status_code == 403
    assert WebUser(HOME).get("/finance/").status_code == 404
