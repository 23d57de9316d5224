"""The cooperation agreement through the web UI (CSRF enforced), and who sees which agreement."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from workflows.models import Case, CaseState
from workflows.services.agreements import run_agreement_lifecycle

from .web import WebUser

pytestmark = pytest.mark.django_db


def form_data(users, **overrides) -> dict:
    today = timezone.localdate()
    data = {
        "elderly_care_institution": users("inst-welfare-centre").institution.pk,
        "medical_institution": users("inst-anwen-chc").institution.pk,
        "start_date": today.isoformat(),
        "end_date": (today + timedelta(days=364)).isoformat(),
        "residents": "150",
        "service_items": ["onsite_visits", "annual_checkup", "health_records"],
        "visits_per_week": "2",
        "annual_fee": "40000.00",
    }
    data.update(overrides)
    return data


def review(username: str, case: Case, decision: str, capture=None, **fields) -> None:
    reviewer = WebUser(username)
    task = case.task_set.get(
        status="NEW",
        owner_permission__startswith="institutions.review",
        flow_task_type="HUMAN",
        **(
            {}
            if username.startswith("twp")
            else {"unit_label": {"health-1": "县卫健局", "civil-1": "县民政局"}[username]}
        ),
    )
    assert case.case_no in reviewer.get("/tasks/?view=queue").content.decode()
    assert reviewer.post(f"/tasks/{task.pk}/claim/").status_code == 302
    if capture:
        with capture(execute=True):
            response = reviewer.post(f"/tasks/{task.pk}/", {"decision": decision, **fields})
    else:
        response = reviewer.post(f"/tasks/{task.pk}/", {"decision": decision, **fields})
    assert response.status_code == 302, response.content.decode()[:2000]
    case.refresh_from_db()


def approved_agreement(users, capture, **overrides) -> Case:
    """Drafted by 县社会福利中心, confirmed by 安文街道社区卫生服务中心, approved by all three units."""
    home, centre = WebUser("inst-welfare-centre"), WebUser("inst-anwen-chc")
    home.post("/cases/new/cooperation/", form_data(users, **overrides))
    case = Case.objects.get(procedure="cooperation")
    centre.post(f"/cases/{case.case_no}/confirm/")
    review("twp-anwen", case, "approve")
    review("health-1", case, "approve")
    review("civil-1", case, "approve", capture=capture)
    return case


def test_whole_route_through_the_pages(users, django_capture_on_commit_callbacks):
    home, centre = WebUser("inst-welfare-centre"), WebUser("inst-anwen-chc")
    assert "起草医养合作协议" in home.get("/cases/new/cooperation/").content.decode()
    response = home.post("/cases/new/cooperation/", form_data(users))
    assert response.status_code == 302, response.content.decode()[:3000]
    case = Case.objects.get(procedure="cooperation")
    assert case.state == CaseState.DRAFT

    # The counterparty finds it on its list, asks for changes; the drafter revises; the counterparty confirms.
    listing = centre.get("/cases/").content.decode()
    assert "待本机构办理" in listing and case.case_no in listing
    page = centre.get(f"/cases/{case.case_no}/").content.decode()
    assert "确认协议" in page and "40,000.00元（肆万元整）" in page
    assert "确认协议" not in home.get(f"/cases/{case.case_no}/").content.decode()
    centre.post(f"/cases/{case.case_no}/request-changes/", {"comment": "请将上门服务调整为每周1次"})
    page = home.get(f"/cases/{case.case_no}/").content.decode()
    assert "请将上门服务调整为每周1次" in page and "修改协议" in page
    response = home.post(f"/cases/{case.case_no}/revise/", form_data(users, visits_per_week="1", annual_fee="35000.00"))
    assert response.status_code == 302, response.content.decode()[:3000]
    case.refresh_from_db()
    assert case.cooperation.visits_per_week == 1 and case.amount == 35000
    centre.post(f"/cases/{case.case_no}/confirm/")
    case.refresh_from_db()
    assert case.state == CaseState.IN_REVIEW

    review("twp-anwen", case, "approve")
    review("civil-1", case, "approve")
    # 卫健局 returns while 民政局 has approved: back to the drafter, then only to 卫健局.
    review("health-1", case, "return", comment="请补充健康档案服务", missing_items="健康档案服务")
    assert case.state == CaseState.RETURNED
    page = home.get(f"/cases/{case.case_no}/").content.decode()
    assert "县卫健局退回补正" in page and "健康档案服务" in page
    items = ["onsite_visits", "annual_checkup", "health_records", "phone_advice"]
    response = home.post(
        f"/cases/{case.case_no}/revise/",
        form_data(users, visits_per_week="1", annual_fee="35000.00", service_items=items),
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert [t.flow_task.name for t in case.task_set.filter(status="NEW")] == ["health_review"]
    review("health-1", case, "approve", capture=django_capture_on_commit_callbacks)
    assert case.state == CaseState.ACTIVE

    registry = centre.get("/agreements/").content.decode()
    assert case.case_no in registry
    for bureau in ("health-1", "civil-1"):
        assert case.case_no in WebUser(bureau).get("/agreements/").content.decode()
    agreement = case.documents.get(kind="cooperation_agreement")
    assert agreement.status == "issued" and agreement.signatures.count() == 4
    assert home.get(f"/documents/{agreement.pk}/pdf").status_code == 200

    # Renewal from the page, prefilled; then termination of the original.
    renew = home.get(f"/cases/{case.case_no}/renew/").content.decode()
    assert (case.cooperation.end_date + timedelta(days=1)).isoformat() in renew
    start = case.cooperation.end_date + timedelta(days=1)
    response = home.post(
        f"/cases/{case.case_no}/renew/",
        form_data(
            users,
            start_date=start.isoformat(),
            end_date=(start + timedelta(days=364)).isoformat(),
            annual_fee="36000.00",
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    renewal = Case.objects.exclude(pk=case.pk).get(procedure="cooperation")
    assert renewal.cooperation.renewal_of == case and renewal.state == CaseState.DRAFT
    with django_capture_on_commit_callbacks(execute=True):
        centre.post(f"/cases/{case.case_no}/terminate/", {"reason": "乙方人员调整"})
    case.refresh_from_db()
    assert case.state == CaseState.TERMINATED
    assert "乙方人员调整" in home.get(f"/cases/{case.case_no}/").content.decode()
    assert "乙方人员调整" in home.get("/cases/").content.decode()  # the notification reached the other party
    assert case.documents.get(kind="termination_notice").status == "issued"


def test_rejection_and_expiry_through_the_pages(users, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    home, centre = WebUser("inst-welfare-centre"), WebUser("inst-anwen-chc")
    case = approved_agreement(
        users, django_capture_on_commit_callbacks, end_date=(today + timedelta(days=20)).isoformat()
    )
    assert case.state == CaseState.ACTIVE
    run_agreement_lifecycle(today=today)
    assert "将于" in centre.get("/cases/").content.decode()  # 30-day reminder (20 days left)
    run_agreement_lifecycle(today=today + timedelta(days=21))
    case.refresh_from_db()
    assert case.state == CaseState.EXPIRED
    assert case.case_no in home.get("/agreements/?state=expired").content.decode()
    assert case.case_no not in home.get("/agreements/").content.decode()  # default: agreements in force

    # A second agreement between the same pair, rejected by 民政局 while 卫健局 waits.
    home.post("/cases/new/cooperation/", form_data(users))
    second = Case.objects.exclude(pk=case.pk).get(procedure="cooperation")
    centre.post(f"/cases/{second.case_no}/confirm/")
    review("twp-anwen", second, "approve")
    review("civil-1", second, "reject", capture=django_capture_on_commit_callbacks, comment="服务人数与床位不符")
    assert second.state == CaseState.REJECTED
    assert second.case_no not in WebUser("health-1").get("/tasks/?view=queue").content.decode()


def test_bad_terms_show_chinese_errors_and_change_nothing(users, snapshot):
    home = WebUser("inst-welfare-centre")
    before = snapshot()
    response = home.post("/cases/new/cooperation/", form_data(users, annual_fee="50000.01", end_date="2000-01-01"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "年服务费不得高于50,000.00元" in page and "终止日期须晚于起始日期" in page
    response = home.post(
        "/cases/new/cooperation/", form_data(users, medical_institution=users("inst-xinwo-home").institution.pk)
    )
    assert "选择一个有效的选项" in response.content.decode() or "所选机构不存在" in response.content.decode()
    assert snapshot() == before


def test_who_sees_an_agreement(users):
    from django.test import Client

    home = WebUser("inst-welfare-centre")
    home.post("/cases/new/cooperation/", form_data(users))
    case = Case.objects.get(procedure="cooperation")
    for outsider in ("inst-xinwo-home", "inst-people-hospital", "twp-xinwo", "health-1", "finance-1"):
        client = Client()
        client.force_login(users(outsider))
        assert client.get(f"/cases/{case.case_no}/").status_code == 404, outsider
        assert client.post(f"/cases/{case.case_no}/confirm/").status_code == 404, outsider
        assert client.post(f"/cases/{case.case_no}/terminate/", {"reason": "x"}).status_code == 404, outsider
        assert client.get(f"/cases/{case.case_no}/renew/").status_code == 404, outsider
        assert case.case_no not in client.get("/cases/").content.decode()
    for insider in ("inst-anwen-chc", "twp-anwen", "auditor"):
        client = Client()
        client.force_login(users(insider))
        assert client.get(f"/cases/{case.case_no}/").status_code == 200, insider


def test_an_active_agreement_is_invisible_to_outsiders(users, django_capture_on_commit_callbacks, snapshot):
    """The registry, the agreement PDF, renewal, termination and revision, in pages and API."""
    from django.test import Client
    from rest_framework.test import APIClient

    case = approved_agreement(users, django_capture_on_commit_callbacks)
    assert case.state == CaseState.ACTIVE
    agreement = case.documents.get(kind="cooperation_agreement")

    outsiders = {}
    for outsider in (
        "inst-xinwo-home",
        "inst-people-hospital",
        "twp-xinwo",
        "twp-xinwo-head",
        "finance-1",
        "insurance-1",
    ):
        web, api = Client(), APIClient()
        web.force_login(users(outsider))  # logged in before the snapshot: sessions are not the agreement
        api.force_authenticate(users(outsider))
        outsiders[outsider] = web, api
    before = snapshot()
    for outsider, (web, api) in outsiders.items():
        answers = {
            "registry": web.get("/agreements/?state=active"),
            "pdf": web.get(f"/documents/{agreement.pk}/pdf"),
            "revise page": web.get(f"/cases/{case.case_no}/revise/"),
            "renew page": web.get(f"/cases/{case.case_no}/renew/"),
            "terminate": web.post(f"/cases/{case.case_no}/terminate/", {"reason": "越权终止"}),
            "request changes": web.post(f"/cases/{case.case_no}/request-changes/", {"comment": "x"}),
            "API document": api.get(f"/api/v1/documents/{agreement.pk}/"),
            "API pdf": api.get(f"/api/v1/documents/{agreement.pk}/pdf"),
            "API renew": api.post(f"/api/v1/cases/{case.case_no}/renew/", {}, format="json"),
            "API terminate": api.post(
                f"/api/v1/cases/{case.case_no}/terminate/", {"reason": "越权终止"}, format="json"
            ),
            "API cases": api.get("/api/v1/cases/?procedure=cooperation"),
        }
        listed = {name for name in ("registry", "API cases") if case.case_no in answers.pop(name).content.decode()}
        assert not listed, f"{outsider} sees {case.case_no} in {listed}"
        leaks = {name: r.status_code for name, r in answers.items() if r.status_code not in (403, 404)}
        assert not leaks, f"{outsider} reached {leaks}"
    assert snapshot() == before
    for insider in ("inst-anwen-chc", "health-1", "civil-1", "twp-anwen", "auditor"):
        web = Client()
        web.force_login(users(insider))
        assert case.case_no in web.get("/agreements/?state=active").content.decode(), insider
        assert web.get(f"/documents/{agreement.pk}/pdf").status_code == 200, insider


def test_a_signed_agreement_starting_next_month_reads_pending_and_is_listed(users, django_capture_on_commit_callbacks):
    """待生效: not 已办结 on the case, and in the registry's default list rather than 暂无协议."""
    from .test_clinic_filing_api import api_as
    from .test_cooperation_api import agreed, bureau

    today = timezone.localdate()
    start = today + timedelta(days=31)
    case_no = agreed(users, start_date=start.isoformat(), end_date=(start + timedelta(days=364)).isoformat())
    bureau(api_as("health-1"), case_no, "approve")
    bureau(api_as("civil-1"), case_no, "approve", capture=django_capture_on_commit_callbacks)
    home = WebUser("inst-welfare-centre")
    page = home.get(f"/cases/{case_no}/").content.decode()
    assert "待生效" in page and "已办结" not in page
    registry = home.get("/agreements/").content.decode()
    assert case_no in registry and "待生效" in registry and "暂无协议" not in registry
    assert case_no not in home.get("/agreements/?state=active").content.decode()
    assert case_no in home.get("/agreements/?state=approved").content.decode()
    assert api_as("inst-welfare-centre").get(f"/api/v1/cases/{case_no}/").json()["status"] == "approved"


def test_a_refusal_by_the_service_is_said_once_at_the_top_of_the_form(users, snapshot):
    home = WebUser("inst-welfare-centre")
    assert home.post("/cases/new/cooperation/", form_data(users)).status_code == 302
    before = snapshot()
    page = home.post("/cases/new/cooperation/", form_data(users)).content.decode()
    message = "两机构之间已有一件合作协议正在办理中，请勿重复申请。"
    assert page.count(message) == 1 and 'id="error-summary"' in page
    assert snapshot() == before


def test_confirming_asks_first_and_sits_below_the_terms_it_confirms(users):
    home, centre = WebUser("inst-welfare-centre"), WebUser("inst-anwen-chc")
    assert home.post("/cases/new/cooperation/", form_data(users)).status_code == 302
    case = Case.objects.get(procedure="cooperation")
    page = centre.get(f"/cases/{case.case_no}/").content.decode()
    confirm = re.search(r"<form[^>]*cooperation_confirm|<form[^>]*/confirm/[^>]*>", page)
    assert confirm and "data-confirm=" in confirm.group(0)
    assert page.index("申请内容") < page.index('id="confirmation"')  # the terms first, then the button
    assert "onsubmit" not in page and "<script>" not in page  # behaviour lives in static/js/app.js
