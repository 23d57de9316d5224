"""The auditor's workspace: search, a case's whole history, one person's activity, the register, the PDF, exports.

Read through the doors auditors use (the test client for the pages, the API client for
the API) over the sample county of ``seed_demo --sample-cases``; the exports are parsed
back (csv, openpyxl) and checked for their Chinese headers and their rows.
"""

import csv
import io
import subprocess
from datetime import datetime

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import record
from common import exports
from demo.cases import load_sample_cases
from documents.models import Document, DocumentStatus
from workflows import services
from workflows.auditing import CASE_COLUMNS, EVENT_COLUMNS, REGISTER_COLUMNS
from workflows.models import Case

from .test_clinic_filing_api import api_as, assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def county(demo):
    """The sample county: every state of every procedure, signed documents, overdue steps."""
    load_sample_cases()


def web(users, username: str = "auditor") -> Client:
    client = Client()
    client.force_login(users(username))
    return client


def case_nos(response) -> set[str]:
    return {case["case_no"] for case in response.json()["results"]}


def csv_rows(response) -> list[list[str]]:
    assert response.content.startswith("\ufeff".encode()), "a BOM, so that Excel reads UTF-8"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def xlsx_rows(response) -> list[list]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def headers(columns) -> list[str]:
    return [column.header for column in columns]


# --- the case search ---------------------------------------------------------------------


def test_the_search_page_links_every_case_and_offers_every_filter(county, users):
    body = web(users).get("/audit/?page_size=100").content.decode()
    for label in ("事项", "状态", "属地", "机构", "经办单位", "审批人", "提交日期自", "超期", "导出"):
        assert label in body
    first = Case.objects.order_by("-submitted_at", "-id").first()
    assert f'href="/audit/cases/{first.case_no}/"' in body
    assert f"共 {Case.objects.count()} 条" in body or Case.objects.count() <= 20
    # The filters as API.md states them, in the API: unit, approver, overdue on top of the case filters.
    everything = api_as("auditor").get("/api/v1/audit/cases/?page_size=100").json()
    assert everything["count"] == Case.objects.count()


def test_unit_approver_and_overdue_select_the_cases_that_match(county, users):
    client = api_as("auditor")
    health = case_nos(client.get("/api/v1/audit/cases/?unit=health&page_size=100"))
    routed = {
        c.case_no
        for c in Case.objects.all()
        if c.task_set.filter(
            owner_permission="institutions.review_department",
            owner_permission_obj_pk=str(users("health-1").department_id),
        ).exists()
    }
    assert health == routed and health
    anwen = case_nos(client.get("/api/v1/audit/cases/?unit=anwen&page_size=100"))
    assert anwen and all(Case.objects.get(case_no=n).township.code == "anwen" for n in anwen)

    approved_by = case_nos(client.get("/api/v1/audit/cases/?approver=twp-anwen&page_size=100"))
    decided = {
        c.case_no
        for c in Case.objects.all()
        if c.task_set.filter(owner__username="twp-anwen", status="DONE").exclude(decision="").exists()
    }
    assert approved_by == decided and approved_by
    assert case_nos(client.get("/api/v1/audit/cases/?approver=nobody-at-all")) == set()

    late = client.get("/api/v1/audit/cases/?overdue=true&page_size=100").json()["results"]
    on_time = client.get("/api/v1/audit/cases/?overdue=false&page_size=100").json()["results"]
    assert late and all(case["overdue"] for case in late) and not any(case["overdue"] for case in on_time)
    assert len(late) + len(on_time) == Case.objects.count()
    # The page's own filters select the same rows, e.g. by institution.
    institution = Case.objects.order_by("id").first().institution
    page = web(users).get(f"/audit/?institution={institution.pk}").content.decode().split('id="audit-cases"', 1)[1]
    assert page.count('href="/audit/cases/') == Case.objects.filter(institution=institution).count()
    today = timezone.localdate()
    for case in late:
        steps = Case.objects.get(case_no=case["case_no"]).task_set.filter(flow_task_type="HUMAN", due__isnull=False)
        assert any(
            (s.status in ("NEW", "ASSIGNED") and s.due < today)
            or (s.status == "DONE" and timezone.localtime(s.finished).date() > s.due)
            for s in steps
        )


def test_submitted_between_includes_both_days_in_local_time(driver):
    case = driver.submit()
    # 23:30 in 磐安 on 10 March is 15:30 UTC: the local day counts, not the UTC one.
    case.submitted_at = timezone.make_aware(datetime(2026, 3, 10, 23, 30))
    case.save(update_fields=["submitted_at"])
    client = api_as("auditor")

    def found(**params) -> bool:
        return case.case_no in case_nos(client.get("/api/v1/audit/cases/", {**params, "page_size": 100}))

    assert found(submitted_after="2026-03-10") and found(submitted_before="2026-03-10")
    assert found(submitted_after="2026-03-10", submitted_before="2026-03-10")
    assert not found(submitted_after="2026-03-11") and not found(submitted_before="2026-03-09")


@pytest.mark.parametrize(
    "params, field",
    [
        ({"unit": "nowhere"}, "unit"),
        ({"overdue": "yes"}, "overdue"),
        ({"submitted_after": "2026-02-30"}, "submitted_after"),
        ({"procedure": "<script>"}, "procedure"),
        ({"institution": "1; drop"}, "institution"),
        ({"approver": "x" * 41}, "approver"),
        ({"format": "pdf"}, "format"),
    ],
)
def test_bad_filters_are_a_400_in_the_error_format_and_the_page_ignores_them(users, params, field):
    error = assert_error(api_as("auditor").get("/api/v1/audit/cases/", params), 400, "invalid")
    assert field in error["fields"]
    assert web(users).get("/audit/", params).status_code == 200


def test_what_is_not_a_table_is_answered_in_json_whatever_format_was_asked(users):
    client = api_as("auditor")
    for url in ("/api/v1/audit/cases/?format=csv", "/api/v1/documents/register/?format=xlsx"):
        described = client.options(url)  # the fuzzer found OPTIONS rendered by the CSV renderer (a 500)
        assert described.status_code == 200 and described["Content-Type"] == "application/json"
        refused = client.get(url + "&unit=nowhere")
        assert refused.status_code == 400 and refused.json()["error"]["fields"]["unit"]
        assert "Content-Disposition" not in refused


def test_the_case_exports_hold_the_rows_of_the_search_with_chinese_headers(county, users):
    client = api_as("auditor")
    listed = client.get("/api/v1/audit/cases/?unit=health&page_size=100").json()["results"]
    as_csv = client.get("/api/v1/audit/cases/?unit=health&format=csv")
    assert as_csv["Content-Type"] == "text/csv; charset=utf-8"
    assert as_csv["Content-Disposition"].startswith('attachment; filename="audit-cases-')
    rows = csv_rows(as_csv)
    assert (
        rows[0]
        == headers(CASE_COLUMNS)
        == ["办件编号", "事项", "申请机构", "属地", "状态", "提交时间", "办结时间", "金额（元）", "超期"]
    )
    assert [row[0] for row in rows[1:]] == [case["case_no"] for case in listed]
    as_xlsx = client.get("/api/v1/audit/cases/?unit=health", HTTP_ACCEPT=exports.CONTENT_TYPES["xlsx"])
    assert as_xlsx["Content-Type"] == exports.CONTENT_TYPES["xlsx"]
    sheet = xlsx_rows(as_xlsx)
    assert sheet[0] == headers(CASE_COLUMNS) and [row[0] for row in sheet[1:]] == [r[0] for r in rows[1:]]
    # The page's own export links give the same files.
    page_file = web(users).get("/audit/?unit=health&format=xlsx")
    assert page_file.status_code == 200 and xlsx_rows(page_file) == sheet


def test_an_export_writes_a_formula_as_text():
    table = exports.Table("t", [exports.Column("说明")], [['=HYPERLINK("http://x")'], ["+1"], ["正常"]])
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(exports.as_xlsx(table)))
    cells = [row[0] for row in book.active.iter_rows(min_row=2)]
    assert [c.data_type for c in cells] == ["s", "s", "s"] and cells[0].value == '=HYPERLINK("http://x")'
    rows = list(csv.reader(io.StringIO(exports.as_csv(table).decode("utf-8-sig"))))
    assert rows[1:] == [['\'=HYPERLINK("http://x")'], ["'+1"], ["正常"]]


# --- one case's whole history ---------------------------------------------------------------


def test_a_cases_history_shows_every_event_readably(driver, users):
    case = driver.submit()
    driver.decide(case, "twp-anwen", "return", comment="缺少房屋证明", missing_items=["房屋产权证明", "消防验收意见"])
    body = web(users).get(f"/audit/cases/{case.case_no}/").content.decode()
    events = AuditEvent.objects.filter(case_no=case.case_no)
    assert f"审计事件（{events.count()}）" in body
    events_table = body.split('id="audit-events"', 1)[1]
    assert events_table.count("<tr>") == events.count() + 1  # the header row
    for label in ("提交申请", "领取任务", "退回补正"):
        assert label in events_table
    assert "缺少房屋证明" in events_table and "房屋产权证明、消防验收意见" in events_table
    assert "属地初审" in events_table and "township_review" not in events_table  # the step by its name
    assert "意见：</span>退回补正" in events_table and ">return<" not in events_table  # the decision too
    assert "事项：</span>养老机构内设医疗机构备案" in events_table and "clinic_filing" not in events_table
    assert "乡镇（街道）审核员" in events_table  # the role by its name
    assert "办理进度" in body and "审批记录表（PDF" in body


def test_issued_documents_are_listed_with_their_download_links(driver, users, django_capture_on_commit_callbacks):
    case = driver.submit()
    with django_capture_on_commit_callbacks(execute=True):
        driver.file(case)
    issued = case.documents.filter(status=DocumentStatus.ISSUED)
    assert issued.exists()
    client = web(users)
    body = client.get(f"/audit/cases/{case.case_no}/").content.decode()
    for document in issued:
        assert document.number in body and f"/documents/{document.pk}/pdf" in body
        download = client.get(f"/documents/{document.pk}/pdf")
        assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_reassignment_shows_from_whom_to_whom_and_why(driver, users):
    case = driver.submit()
    task = driver.open_task(case, "twp-anwen")
    services.claim_task(user=users("twp-anwen"), task_id=task.pk)
    services.reassign_task(user=users("twp-anwen-head"), task_id=task.pk, to_username="twp-anwen-head", reason="休假")
    body = web(users).get(f"/audit/cases/{case.case_no}/").content.decode().split('id="audit-events"', 1)[1]
    assert "改派任务" in body and "原办理人" in body and "改派给" in body and "原因：</span>休假" in body


def test_the_case_events_export_as_csv_and_xlsx(driver, users):
    case = driver.submit()
    client = web(users)
    rows = csv_rows(client.get(f"/audit/cases/{case.case_no}/?format=csv"))
    assert rows[0] == headers(EVENT_COLUMNS)
    assert len(rows) - 1 == AuditEvent.objects.filter(case_no=case.case_no).count()
    assert xlsx_rows(client.get(f"/audit/cases/{case.case_no}/?format=xlsx"))[0] == headers(EVENT_COLUMNS)


def test_the_approval_record_pdf_is_generated_on_request_unsigned_for_a_case_in_progress(driver, users, tmp_path):
    case = driver.submit()
    driver.decide(case, "twp-anwen")
    before = Document.objects.count()
    response = web(users).get(f"/audit/cases/{case.case_no}/record.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF") and b"/Sig" not in pdf and b"/ByteRange" not in pdf  # no signature
    path = tmp_path / "record.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout
    flat = "".join(text.split())
    assert "审批记录表" in flat and "按需生成·未签章" in flat and case.case_no in flat
    assert "提交申请" in flat and "属地初审" in flat and "通过" in flat and "民政局" in flat
    assert Document.objects.count() == before  # printed, not issued: no number taken


# --- one person's activity -----------------------------------------------------------------------


def test_an_approvers_activity_lists_what_they_did_and_filters_by_day(driver, users):
    case = driver.submit()
    driver.decide(case, "twp-anwen")
    client = web(users)
    body = client.get("/audit/activity/?actor=twp-anwen").content.decode()
    mine = AuditEvent.objects.filter(actor__username="twp-anwen")
    assert f"共 {mine.count()} 条操作" in body and case.case_no in body and "审核通过" in body
    today = timezone.localdate()
    assert (
        f"共 {mine.count()} 条"
        in client.get(f"/audit/activity/?actor=twp-anwen&after={today}&before={today}").content.decode()
    )
    assert (
        "共 0 条"
        in client.get(f"/audit/activity/?actor=twp-anwen&before={today.replace(year=today.year - 1)}").content.decode()
    )
    rows = csv_rows(client.get("/audit/activity/?actor=twp-anwen&format=csv"))
    assert rows[0] == headers(EVENT_COLUMNS) and len(rows) - 1 == mine.count()
    assert {row[1] for row in rows[1:]} == {"twp-anwen"}
    assert "请选择人员" in client.get("/audit/activity/").content.decode()


# --- the register of issued documents ------------------------------------------------------------


def test_the_register_lists_numbers_with_case_addressee_signers_and_supersession(
    driver, users, django_capture_on_commit_callbacks
):
    case = driver.submit()
    with django_capture_on_commit_callbacks(execute=True):
        driver.file(case)
    certificate = case.documents.get(kind="filing_certificate")
    newer = Document.objects.create(
        case=case,
        kind=certificate.kind,
        version=2,
        number="磐卫医养备〔2026〕999号",
        issuers=certificate.issuers,
        number_issuer=certificate.number_issuer,
        supersedes=certificate,
        correction_reason="更正名称",
    )
    year = timezone.localdate().year
    client = api_as("auditor")
    lines = client.get(f"/api/v1/documents/register/?year={year}&unit=health&page_size=100").json()["results"]
    line = next(item for item in lines if item["number"] == certificate.number)
    assert line["kind_name"] == "备案凭证" and line["case_no"] == case.case_no
    assert line["issued_to"] == "县社会福利中心" and line["signers"] == ["磐安县卫生健康局"]
    assert line["superseded_by"] == newer.number and line["status"] == "issued" and line["issued_at"]
    assert next(item for item in lines if item["number"] == newer.number)["superseded_by"] is None
    assert client.get(f"/api/v1/documents/register/?year={year - 1}").json()["count"] == 0
    assert all(item["issuer"] == "磐安县卫生健康局" for item in lines)

    rows = csv_rows(client.get(f"/api/v1/documents/register/?year={year}&unit=health&format=csv"))
    assert rows[0] == headers(REGISTER_COLUMNS)
    assert [r for r in rows if r[0] == certificate.number][0][-1] == newer.number
    assert xlsx_rows(web(users).get(f"/audit/documents/?year={year}&format=xlsx"))[0] == headers(REGISTER_COLUMNS)
    page = web(users).get(f"/audit/documents/?year={year}&unit=health").content.decode()
    assert certificate.number in page and newer.number in page and "被替代为" in page
    assert_error(client.get("/api/v1/documents/register/?year=20x6"), 400, "invalid")
    assert_error(client.get("/api/v1/documents/register/?unit=mars"), 400, "invalid")


# --- who may read it ---------------------------------------------------------------------------------

AUDIT_PAGES = ["/audit/", "/audit/activity/?actor=twp-anwen", "/audit/documents/", "/audit/?format=csv"]
AUDIT_API = ["/api/v1/audit/cases/", "/api/v1/documents/register/", "/api/v1/audit/cases/?format=xlsx"]


@pytest.mark.parametrize("username", ["inst-welfare-centre", "twp-anwen", "twp-anwen-head", "health-1", "finance-head"])
def test_everyone_else_finds_no_auditor_page_or_endpoint(driver, users, username):
    case = driver.submit()
    client, api = web(users, username), api_as(username)
    for url in [*AUDIT_PAGES, f"/audit/cases/{case.case_no}/", f"/audit/cases/{case.case_no}/record.pdf"]:
        assert client.get(url).status_code == 404, url
    for url in AUDIT_API:
        assert_error(api.get(url), 404, "not_found")
    assert "审计</a>" not in client.get("/cases/").content.decode()


def test_the_administrator_reads_them_and_a_stranger_must_sign_in(driver, users):
    admin = web(users, "admin")
    for url in AUDIT_PAGES:
        assert admin.get(url).status_code == 200, url
    assert api_as("admin").get("/api/v1/documents/register/").status_code == 200
    for url in AUDIT_PAGES:
        assert Client().get(url).status_code == 302
    assert Client().get("/api/v1/audit/cases/").status_code == 401


def test_the_auditor_lands_on_the_workspace_and_sees_it_in_the_menu(users):
    client = web(users)
    assert client.get("/").url == "/audit/"
    body = client.get("/audit/").content.decode()
    assert 'href="/audit/" class="active">审计</a>' in body


# --- cost: a fixed number of queries per page, however long the lists ---------------------------------


def more_work(users, copies: int) -> None:
    """`copies` more cases (each with its steps), numbered documents with signatures, and twp-anwen's events."""
    from documents.models import DocumentSignature
    from workflows.models import CaseParty, CaseTask

    reviewer = users("twp-anwen")
    template = Case.objects.filter(documents__isnull=False).order_by("id").first()
    for document in template.documents.all():
        DocumentSignature.objects.get_or_create(
            document=document,
            order=0,
            defaults={"signer": "磐安县卫生健康局", "certificate_sha256": "0" * 64, "signed_at": timezone.now()},
        )
    for number in range(copies):
        case = Case.objects.get(pk=template.pk)
        case.pk, case.case_no = None, f"PA-2026-XX-{number:06d}"
        case._state.adding = True  # a copy (Django's "Copying model instances")
        case.save()
        CaseParty.objects.create(case=case, institution=case.institution, role="applicant")
        for task in template.task_set.all():
            task.pk, task.process = None, case
            task._state.adding = True
            task.save()
        for document in template.documents.all():
            signatures = list(document.signatures.all())
            document.pk, document.case, document.number = None, case, f"{document.number}-{number}"
            document.verify_token = f"t{number}-{document.kind}"
            document._state.adding = True
            document.save()
            for signature in signatures:
                signature.pk, signature.document = None, document
                signature._state.adding = True
                signature.save()
        with transaction.atomic():
            record(action="task_claimed", actor=reviewer, case_no=case.case_no, detail={"task": 0})
    assert CaseTask.objects.filter(process__case_no__startswith="PA-2026-XX-").exists()


MAX_PAGE_QUERIES = 15  # measured: 9 to 13


def page_queries(django_assert_max_num_queries, client, url: str) -> int:
    with django_assert_max_num_queries(MAX_PAGE_QUERIES) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


def test_each_workspace_page_takes_the_same_few_queries_however_long_its_list(
    county, users, django_assert_max_num_queries
):
    case = Case.objects.filter(documents__isnull=False).order_by("id").first()
    year = timezone.localdate().year
    pages = [
        "/audit/",
        "/audit/?unit=anwen&overdue=false&approver=twp-anwen",
        "/audit/activity/?actor=twp-anwen",
        f"/audit/documents/?year={year}",
        f"/audit/cases/{case.case_no}/",
    ]
    client = web(users)
    for url in pages:
        client.get(url)  # warm-up: session, template caches
    small = {url: page_queries(django_assert_max_num_queries, client, url) for url in pages}
    more_work(users, 25)
    for _ in range(10):  # the case's own history grows too
        with transaction.atomic():
            record(action="document_corrected", case_no=case.case_no, detail={"old": "甲", "new": "乙", "reason": "x"})
    large = {url: page_queries(django_assert_max_num_queries, client, url) for url in pages}
    assert large == small, (small, large)


def test_a_subsidy_kind_is_named_from_the_policy_table(users):
    """The log records the kind's code; the history shows its name, as the procedure declares it."""
    from workflows.models import SubsidyPolicy

    from .test_subsidy import hiring_body, submit

    case_no = submit(api_as("inst-welfare-centre"), hiring_body())["case_no"]
    name = SubsidyPolicy.objects.filter(code="hiring").values_list("name", flat=True).first()
    body = web(users).get(f"/audit/cases/{case_no}/").content.decode()
    events_table = body.split('id="audit-events"', 1)[1]
    assert f"类型：</span>{name}" in events_table
    assert ">hiring<" not in events_table and "：</span>hiring" not in events_table
