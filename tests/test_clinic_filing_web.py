"""The clinic-filing route driven through the web UI, as county staff use it (CSRF enforced)."""

import re
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from workflows.models import Case, CaseState

from .helpers import PDF_BYTES, valid_filing, valid_staff
from .web import WebUser, filing_post_data

pytestmark = pytest.mark.django_db


def submit_via_form(applicant: WebUser, **overrides):
    data = filing_post_data(valid_filing(**overrides), valid_staff())
    data["files"] = SimpleUploadedFile("场所证明.pdf", PDF_BYTES, content_type="application/pdf")
    return applicant.post("/cases/new/clinic-filing/", data)


def claim_and_decide(reviewer: WebUser, case: Case, decision: str, capture=None, **fields):
    queue = reviewer.get("/tasks/?view=queue")
    assert case.case_no in queue.content.decode(), f"{reviewer.username} does not see {case.case_no} in 待领取"
    task = case.task_set.filter(status="NEW", flow_task_type="HUMAN").get()
    response = reviewer.post(f"/tasks/{task.pk}/claim/")
    assert response.status_code == 302
    inbox = reviewer.get("/tasks/?view=inbox")
    assert case.case_no in inbox.content.decode()
    page = reviewer.get(f"/tasks/{task.pk}/")
    assert page.status_code == 200 and "审核意见" in page.content.decode()
    data = {"decision": decision, **fields}
    if capture is not None:
        with capture(execute=True):
            response = reviewer.post(f"/tasks/{task.pk}/", data)
    else:
        response = reviewer.post(f"/tasks/{task.pk}/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    archive = reviewer.get("/tasks/?view=archive")
    assert case.case_no in archive.content.decode()
    case.refresh_from_db()
    return case


def test_whole_route_with_return_resubmit_and_insurance(users, django_capture_on_commit_callbacks, tmp_path):
    applicant = WebUser("inst-welfare-centre")
    response = submit_via_form(applicant, medical_insurance=True)
    assert response.status_code == 302
    case = Case.objects.get(institution__code="welfare-centre")
    assert response["Location"] == f"/cases/{case.case_no}/"
    page = applicant.get(response["Location"]).content.decode()
    assert "审核中" in page and "属地初审" in page and "330727********1230" in page
    # 医保定点 was asked for: it reads pending from the first page on, never 未申请.
    assert "待医保局决定" in page and "未申请" not in page

    township = WebUser("twp-anwen")
    township_task = case.task_set.get(flow_task_type="HUMAN", status="NEW")
    assert "待医保局决定" in township.get(f"/tasks/{township_task.pk}/").content.decode()
    claim_and_decide(township, case, "approve", comment="属地核实无误")
    case = claim_and_decide(
        WebUser("civil-1"), case, "return", comment="请补充材料", missing_items="房屋产权证明\n消防验收意见"
    )
    assert case.state == CaseState.RETURNED

    # The applicant sees what is missing and resubmits with a corrected name.
    page = applicant.get(f"/cases/{case.case_no}/").content.decode()
    assert "房屋产权证明" in page and "消防验收意见" in page and "补正材料并重新提交" in page
    form = applicant.get(f"/cases/{case.case_no}/resubmit/")
    assert form.status_code == 200
    data = filing_post_data(valid_filing(clinic_name="福利中心医务室（补正）", medical_insurance=True), valid_staff())
    data["files"] = SimpleUploadedFile("产权证明.pdf", PDF_BYTES, content_type="application/pdf")
    data["attachments"] = [a.pk for a in case.attachments.all()]
    response = applicant.post(f"/cases/{case.case_no}/resubmit/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    case.refresh_from_db()
    assert case.state == CaseState.IN_REVIEW
    assert case.clinic_filing.clinic_name == "福利中心医务室（补正）"
    assert case.attachments.count() == 2
    # ... and it went back to 民政局, the step that returned it.
    assert case.task_set.filter(status="NEW").get().flow_task.name == "civil_affairs_review"

    claim_and_decide(WebUser("civil-1"), case, "approve")
    case = claim_and_decide(WebUser("health-1"), case, "approve", comment="准予备案")
    assert case.clinic_filing.filing_no
    assert case.task_set.filter(status="NEW").get().flow_task.name == "insurance_review"
    case = claim_and_decide(WebUser("insurance-1"), case, "approve", capture=django_capture_on_commit_callbacks)
    assert case.state == CaseState.APPROVED

    page = applicant.get(f"/cases/{case.case_no}/").content.decode()
    assert "已办结" in page and case.clinic_filing.filing_no in page
    for step in ("属地初审", "民政局确认养老机构登记", "卫健局备案", "医保局决定医保定点", "申请人补正材料"):
        assert step in page
    certificate = case.documents.get(kind="filing_certificate")
    assert certificate.status == "issued"
    download = applicant.get(f"/documents/{certificate.pk}/pdf")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    pdf = tmp_path / "cert.pdf"
    pdf.write_bytes(b"".join(download.streaming_content))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert case.clinic_filing.filing_no in text.replace(" ", "")
    assert "福利中心医务室（补正）" in text.replace(" ", "")


def test_reject_needs_a_reason_and_issues_a_notice(users, django_capture_on_commit_callbacks, snapshot):
    submit_via_form(WebUser("inst-welfare-centre"))
    case = Case.objects.get(institution__code="welfare-centre")
    reviewer = WebUser("twp-anwen")
    task = case.task_set.get(status="NEW")
    reviewer.post(f"/tasks/{task.pk}/claim/")
    before = snapshot()
    response = reviewer.post(f"/tasks/{task.pk}/", {"decision": "reject", "comment": ""})
    assert response.status_code == 200
    assert "不予通过须说明理由" in response.content.decode()
    assert snapshot() == before
    case = claim_and_decide_existing(reviewer, task, django_capture_on_commit_callbacks, comment="场所不符合要求")
    assert case.state == CaseState.REJECTED
    notice = case.documents.get(kind="rejection_notice")
    assert notice.status == "issued" and notice.number.startswith("磐安文")


def claim_and_decide_existing(reviewer, task, capture, **fields):
    with capture(execute=True):
        response = reviewer.post(f"/tasks/{task.pk}/", {"decision": "reject", **fields})
    assert response.status_code == 302
    case = task.process
    case.refresh_from_db()
    return case


def test_applicant_withdraws_an_undecided_case(users):
    applicant = WebUser("inst-welfare-centre")
    submit_via_form(applicant)
    case = Case.objects.get(institution__code="welfare-centre")
    assert "撤回申请" in applicant.get(f"/cases/{case.case_no}/").content.decode()
    response = applicant.post(f"/cases/{case.case_no}/withdraw/")
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.WITHDRAWN
    assert not case.task_set.filter(status__in=["NEW", "ASSIGNED"]).exists()
    assert case.case_no not in WebUser("twp-anwen").get("/tasks/?view=queue").content.decode()
    # A second withdrawal is refused with a message; nothing changes.
    response = applicant.post(f"/cases/{case.case_no}/withdraw/", follow=True)
    assert "不能撤回" in response.content.decode()


def test_post_without_csrf_token_is_refused(users, snapshot):
    applicant = WebUser("inst-welfare-centre")
    before = snapshot()
    response = applicant.post_without_csrf("/cases/new/clinic-filing/", filing_post_data(valid_filing(), valid_staff()))
    assert response.status_code == 403
    assert snapshot() == before


def test_invalid_form_shows_chinese_errors_and_changes_nothing(users, snapshot):
    applicant = WebUser("inst-welfare-centre")
    before = snapshot()
    staff = [{"name": "<script>x</script>", "id_number": "110105194912310021", "role": "doctor", "licence_no": ""}]
    data = filing_post_data(valid_filing(floor_area=-5), staff)
    data["files"] = SimpleUploadedFile("病毒.pdf", b"MZ\x90\x00" * 40, content_type="application/pdf")
    response = applicant.post("/cases/new/clinic-filing/", data)
    assert response.status_code == 200
    page = response.content.decode()
    for message in (
        "不得包含HTML标签或脚本",
        "校验位不正确",
        "医师和护士须填写执业证书编号",
        "仅接受 PDF、JPG 或 PNG",
        "1",
    ):
        assert message in page
    assert snapshot() == before


def test_missing_staff_and_missing_attachments_are_refused(users, snapshot):
    applicant = WebUser("inst-welfare-centre")
    before = snapshot()
    response = applicant.post("/cases/new/clinic-filing/", filing_post_data(valid_filing(), []))
    assert "请至少填写一名医护人员" in response.content.decode()
    response = applicant.post("/cases/new/clinic-filing/", filing_post_data(valid_filing(), valid_staff()))
    assert "请至少上传一份附件" in response.content.decode()
    assert snapshot() == before


def test_a_refused_submission_keeps_the_uploaded_files_and_says_each_problem_once(users, snapshot):
    """A typo in one ID number must not cost the applicant the files it uploaded."""
    from workflows.models import Attachment

    applicant = WebUser("inst-welfare-centre")
    before = snapshot()
    staff = valid_staff()
    staff[1]["id_number"] = "33072719900307"  # too short
    data = filing_post_data(valid_filing(), staff)
    data["files"] = [
        SimpleUploadedFile("场所证明.pdf", PDF_BYTES, content_type="application/pdf"),
        SimpleUploadedFile("管理制度.pdf", PDF_BYTES, content_type="application/pdf"),
    ]
    response = applicant.post("/cases/new/clinic-filing/", data)
    page = response.content.decode()
    assert response.status_code == 200
    # One summary at the top, naming the row and the field; no stock Django message beside ours.
    assert page.count('id="error-summary"') == 1 and "提交未成功，请修改以下1处" in page
    assert "第2行身份证号码：身份证号码应为18位" in page
    assert "确保该变量" not in page and "至少包含" not in page
    # The files were kept, are listed and ticked; nothing else was stored.
    kept = list(Attachment.objects.filter(institution__code="welfare-centre", case__isnull=True).order_by("id"))
    assert [a.original_name for a in kept] == ["场所证明.pdf", "管理制度.pdf"]
    for attachment in kept:
        checkbox = re.search(rf'<input type="checkbox" name="attachments" value="{attachment.pk}"[^>]*>', page)
        assert checkbox and "checked" in checkbox.group(0), attachment.original_name
    after = snapshot()
    assert after.pop("workflows.Attachment") == before.pop("workflows.Attachment") + 2
    after.pop("audit.AuditEvent"), before.pop("audit.AuditEvent")  # the upload is an audited event
    after.pop("audit.AuditChainHead", None), before.pop("audit.AuditChainHead", None)
    assert after == before

    # Corrected and sent again without choosing the files again: the case carries both.
    staff[1]["id_number"] = valid_staff()[1]["id_number"]
    data = filing_post_data(valid_filing(), staff, attachments=[str(a.pk) for a in kept])
    response = applicant.post("/cases/new/clinic-filing/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    case = Case.objects.get(institution__code="welfare-centre")
    assert sorted(case.attachments.values_list("original_name", flat=True)) == ["场所证明.pdf", "管理制度.pdf"]


def test_required_fields_are_marked(users):
    page = WebUser("inst-welfare-centre").get("/cases/new/clinic-filing/").content.decode()
    assert '<label for="id_clinic_name" class="required">内设医疗机构名称：</label>' in page  # a full-width colon
    assert '<label for="id_medical_insurance">' in page  # optional: no mark
    assert '带 <span class="required-mark">*</span> 的为必填项' in page
