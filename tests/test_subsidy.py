"""Subsidies (医养结合资金补助) through the API: quote, route, 公示 and objections, the budget, the document, a data-only kind."""

import subprocess
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from workflows.models import Budget, Case, CaseState, SubsidyApplication
from workflows.services.subsidy import end_due_notices

from .test_clinic_filing_api import api_as, assert_error, upload
from .test_documents import pdfsig, pdftotext

pytestmark = pytest.mark.django_db

HOME = "inst-welfare-centre"  # 县社会福利中心: elderly care, 养中融医, competent bureau 民政局
EMPLOYEE_ID = "330727200305060073"  # born 2003


def hiring_body(**overrides) -> dict:
    today = timezone.localdate()
    body = {
        "kind": "hiring",
        "employee_name": "张晓燕",
        "id_number": EMPLOYEE_ID,
        "education": "bachelor_or_above",
        "establishment": False,
        "hired_on": (today - timedelta(days=40)).isoformat(),
    }
    body.update(overrides)
    return body


def submit(client, body: dict) -> dict:
    attachment = upload(client).json()["id"]
    response = client.post("/api/v1/cases/subsidy/", {**body, "attachments": [attachment]}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def queue_task(client, case_no: str) -> dict:
    tasks = client.get("/api/v1/tasks/?view=queue").json()["results"]
    return next(t for t in tasks if t["case_no"] == case_no)


def decide(client, case_no: str, decision: str = "approve", capture=None, **body):
    task = queue_task(client, case_no)
    assert client.post(f"/api/v1/tasks/{task['id']}/claim/").status_code == 200
    payload = {"decision": decision, **body}
    if capture:
        with capture(execute=True):
            return client.post(f"/api/v1/tasks/{task['id']}/decide/", payload, format="json")
    return client.post(f"/api/v1/tasks/{task['id']}/decide/", payload, format="json")


def to_notice(case_no: str) -> None:
    assert decide(api_as("twp-anwen"), case_no).status_code == 200
    assert decide(api_as("civil-1"), case_no).status_code == 200


def end_notice(case_no: str) -> None:
    """The timer, run on the morning after the notice's last working day."""
    ends_on = SubsidyApplication.objects.get(case__case_no=case_no).notice_ends_on
    morning = timezone.make_aware(datetime.combine(ends_on + timedelta(days=1), time(0, 1)))
    assert end_due_notices(morning) == {"notices_ended": 1}


def payment(**overrides) -> dict:
    return {"fields": {"paid_on": timezone.localdate().isoformat(), "voucher_no": "磐财拨〔2026〕0188号", **overrides}}


def test_the_quote_names_the_amount_before_submitting_and_changes_nothing(users, snapshot):
    client = api_as(HOME)
    before = snapshot()
    quote = client.post("/api/v1/subsidies/quote/", hiring_body(), format="json").json()
    assert quote["eligible"] is True and quote["amount"] == "50000.00"
    assert quote["policy"] == {"code": "hiring", "version": 1} and quote["reasons"] == []
    tiers = {"secondary_vocational": "30000.00", "junior_college": "40000.00", "bachelor_or_above": "50000.00"}
    for education, amount in tiers.items():
        assert (
            client.post("/api/v1/subsidies/quote/", hiring_body(education=education), format="json").json()["amount"]
            == amount
        )
    refused = client.post("/api/v1/subsidies/quote/", hiring_body(establishment=True), format="json").json()
    assert refused["eligible"] is False and refused["reasons"] == ["在编人员不享受入职奖补。"]
    assert snapshot() == before


def test_the_whole_route_with_an_objection_a_budget_refusal_and_the_signed_decision(
    users, django_capture_on_commit_callbacks, snapshot
):
    home = api_as(HOME)
    case = submit(home, hiring_body())
    case_no = case["case_no"]
    assert case["procedure"] == "subsidy" and case["amount"] == "50000.00" and case["status"] == "in_review"
    assert case["data"]["kind"] == "hiring" and case["data"]["id_number"] == "330727********0073"
    to_notice(case_no)
    detail = home.get(f"/api/v1/cases/{case_no}/").json()
    assert detail["status"] == "public_notice"
    first_period = detail["data"]["notice"]

    # 公示 is public: no login, no personal data (the employee's surname only).
    public = APIClient().get("/api/v1/notices/")
    assert public.status_code == 200
    row = next(r for r in public.json() if r["case_no"] == case_no)
    assert row["employee"] == "张*" and row["amount"] == "50000.00" and row["kind"] == "hiring"
    assert "张晓燕" not in public.content.decode() and EMPLOYEE_ID not in public.content.decode()
    assert "张晓燕" not in APIClient().get("/notices/").content.decode()

    # Anyone signed in objects: back to 民政局; its next confirmation starts a new full period.
    objection = api_as("inst-xinwo-home").post(
        f"/api/v1/cases/{case_no}/objections/", {"text": "该员工系在编人员。"}, format="json"
    )
    assert objection.status_code == 201, objection.content
    assert home.get(f"/api/v1/cases/{case_no}/").json()["status"] == "in_review"
    assert_error(
        api_as("inst-xinwo-home").post(f"/api/v1/cases/{case_no}/objections/", {"text": "再提一次"}, format="json"), 404
    )
    assert_error(
        home.post(f"/api/v1/cases/{case_no}/objections/", {"text": "不在公示期"}, format="json"), 409, "not_on_notice"
    )
    assert decide(api_as("civil-1"), case_no, comment="经核实为非在编人员").status_code == 200
    second_period = home.get(f"/api/v1/cases/{case_no}/").json()["data"]["notice"]
    assert second_period["starts_on"] >= first_period["starts_on"]
    end_notice(case_no)
    assert end_due_notices() == {"notices_ended": 0}  # once

    # 财政局: no budget yet → refused and nothing changes; then within the budget.
    finance = api_as("finance-1")
    task = queue_task(finance, case_no)
    assert finance.post(f"/api/v1/tasks/{task['id']}/claim/").status_code == 200
    before = snapshot()
    refused = finance.post(f"/api/v1/tasks/{task['id']}/decide/", {"decision": "approve", **payment()}, format="json")
    assert_error(refused, 422, "over_budget")
    missing = finance.post(f"/api/v1/tasks/{task['id']}/decide/", {"decision": "approve", "fields": {}}, format="json")
    assert set(assert_error(missing, 400)["fields"]) == {"fields.paid_on", "fields.voucher_no"}
    assert snapshot() == before
    year = timezone.localdate().year
    assert (
        api_as("finance-head").put(f"/api/v1/budgets/{year}/hiring/", {"total": "500000.00"}, format="json").status_code
        == 200
    )
    with django_capture_on_commit_callbacks(execute=True):
        done = finance.post(f"/api/v1/tasks/{task['id']}/decide/", {"decision": "approve", **payment()}, format="json")
    assert done.status_code == 200, done.content
    final = home.get(f"/api/v1/cases/{case_no}/").json()
    assert final["status"] == "approved" and final["data"]["voucher_no"] == "磐财拨〔2026〕0188号"
    budgets = {b["kind"]: b for b in finance.get(f"/api/v1/budgets/?year={year}").json()}
    assert budgets["hiring"] == {
        "year": year,
        "kind": "hiring",
        "total": "500000.00",
        "committed": "50000.00",
        "remaining": "450000.00",
    }
    kinds = {d["kind"]: d for d in final["documents"]}
    assert kinds["subsidy_decision"]["status"] == "issued" and kinds["subsidy_decision"]["number"].startswith(
        "磐财医养补〔"
    )
    signers = home.get(f"/api/v1/documents/{kinds['subsidy_decision']['id']}/").json()["signers"]
    assert signers == ["磐安县财政局", "磐安县民政局"]
    # The budget can be raised, never lowered below what is committed.
    assert_error(
        api_as("finance-head").put(f"/api/v1/budgets/{year}/hiring/", {"total": "49999.99"}, format="json"), 422
    )
    assert (
        api_as("finance-head").put(f"/api/v1/budgets/{year}/hiring/", {"total": "50000.00"}, format="json").status_code
        == 200
    )


def test_a_second_application_for_the_same_person_is_a_conflict(users, snapshot):
    home = api_as(HOME)
    submit(home, hiring_body())
    attachment = upload(home).json()["id"]
    before = snapshot()
    again = home.post(
        "/api/v1/cases/subsidy/",
        {**hiring_body(education="junior_college"), "attachments": [attachment]},
        format="json",
    )
    assert_error(again, 409, "duplicate_application")
    assert snapshot() == before


def test_a_withdrawn_application_gives_its_claim_back(users):
    home = api_as(HOME)
    case_no = submit(home, hiring_body())["case_no"]
    assert home.post(f"/api/v1/cases/{case_no}/withdraw/").status_code == 200
    assert submit(home, hiring_body())["status"] == "in_review"


def test_a_kind_added_as_data_runs_through_with_no_code_change(users, django_capture_on_commit_callbacks):
    """家庭病床 1,000 元/张, the applicant states the number: added through the API by the administrator."""
    today = timezone.localdate()
    policy = {
        "code": "family_sickbed",
        "name": "家庭病床补助",
        "source": "示例县《家庭病床服务管理办法》",
        "published_on": (today - timedelta(days=30)).isoformat(),  # in force from today
        "rule": "per_unit",
        "params": {"amount_per_unit": "1000.00", "quantity_from": "applicant"},
        "eligibility": {},
        "once_per": "institution_year",
    }
    assert_error(api_as(HOME).post("/api/v1/policies/", policy, format="json"), 403)
    created = api_as("admin").post("/api/v1/policies/", policy, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["effective_on"] == today.isoformat() and created.json()["version"] == 1
    assert any(p["code"] == "family_sickbed" for p in api_as(HOME).get("/api/v1/policies/").json())

    home = api_as(HOME)
    quote = home.post("/api/v1/subsidies/quote/", {"kind": "family_sickbed", "quantity": 3}, format="json").json()
    assert quote["eligible"] and quote["amount"] == "3000.00"
    case_no = submit(home, {"kind": "family_sickbed", "quantity": 3})["case_no"]
    to_notice(case_no)
    end_notice(case_no)
    year = today.year
    api_as("finance-head").put(f"/api/v1/budgets/{year}/family_sickbed/", {"total": "3000.00"}, format="json")
    response = decide(api_as("finance-1"), case_no, capture=django_capture_on_commit_callbacks, **payment())
    assert response.status_code == 200, response.content
    assert Case.objects.get(case_no=case_no).state == CaseState.APPROVED
    # The budget is exactly used up: the next one, even one fen, does not fit.
    assert Budget.objects.get(year=year, kind="family_sickbed").total == Decimal("3000.00")


def test_a_kind_not_yet_in_force_and_an_unknown_kind_are_refused(users, snapshot):
    today = timezone.localdate()
    api_as("admin").post(
        "/api/v1/policies/",
        {
            "code": "hospice",
            "name": "安宁疗护补助",
            "source": "示例文件",
            "published_on": today.isoformat(),  # in force in 30 days
            "rule": "fixed",
            "params": {"amount": "2000.00"},
        },
        format="json",
    )
    home = api_as(HOME)
    before = snapshot()
    error = assert_error(home.post("/api/v1/subsidies/quote/", {"kind": "hospice"}, format="json"), 422, "not_in_force")
    assert "尚未施行" in error["message"]
    assert_error(home.post("/api/v1/subsidies/quote/", {"kind": "nonsense"}, format="json"), 400)
    assert_error(home.post("/api/v1/cases/subsidy/", {"kind": "hospice"}, format="json"), 422)
    assert snapshot() == before


@pytest.mark.parametrize(
    "field, value",
    [
        ("education", "doctorate"),
        ("id_number", "33072720030506007X"),
        ("hired_on", "2026-13-01"),
        ("hired_on", False),
        ("establishment", "no"),
        ("employee_name", "<script>x</script>"),
    ],
)
def test_malformed_applications_are_400_and_change_nothing(users, snapshot, field, value):
    home = api_as(HOME)
    attachment = upload(home).json()["id"]
    before = snapshot()
    response = home.post(
        "/api/v1/cases/subsidy/", {**hiring_body(**{field: value}), "attachments": [attachment]}, format="json"
    )
    assert field in assert_error(response, 400)["fields"]
    assert snapshot() == before


def test_only_financial_staff_read_budgets_and_only_its_head_sets_them(users):
    year = timezone.localdate().year
    assert api_as("finance-1").get(f"/api/v1/budgets/?year={year}").status_code == 200
    assert api_as("auditor").get(f"/api/v1/budgets/?year={year}").status_code == 200
    assert_error(api_as(HOME).get("/api/v1/budgets/"), 403)
    assert_error(api_as("finance-1").put(f"/api/v1/budgets/{year}/hiring/", {"total": "1.00"}, format="json"), 403)
    for bad in ("-1.00", "1.001", "abc", "1e400"):
        assert_error(api_as("finance-head").put(f"/api/v1/budgets/{year}/hiring/", {"total": bad}, format="json"), 400)


def test_the_decision_states_the_amount_in_figures_and_capitals_and_both_signatures_are_valid(
    users, django_capture_on_commit_callbacks, tmp_path, nssdb
):
    home = api_as(HOME)
    case_no = submit(home, hiring_body(education="junior_college"))["case_no"]
    to_notice(case_no)
    end_notice(case_no)
    api_as("finance-head").put(
        f"/api/v1/budgets/{timezone.localdate().year}/hiring/", {"total": "40000.00"}, format="json"
    )
    response = decide(
        api_as("finance-1"), case_no, capture=django_capture_on_commit_callbacks, **payment(voucher_no="CZ-2026-0042")
    )
    assert response.status_code == 200, response.content
    document = Case.objects.get(case_no=case_no).documents.get(kind="subsidy_decision")
    path = tmp_path / "decision.pdf"
    with document.file.open("rb") as handle:
        path.write_bytes(handle.read())
    report = pdfsig(path, nssdb)
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(path), str(tmp_path / "page")], check=True)
    assert report.count("Signature is Valid.") == 2 and report.count("Certificate is Trusted.") == 2, report
    text = pdftotext(path)
    for fact in (
        "补助核定通知书",
        "40,000.00元",
        "肆万元整",
        "CZ-2026-0042",
        "入职奖补",
        document.number,
        "磐安县财政局",
    ):
        assert fact in text, fact
    assert EMPLOYEE_ID not in text  # the full ID number never goes on paper


def test_run_due_timers_ends_the_notice_on_the_morning_after_its_last_working_day_once(users):
    from io import StringIO

    from django.core.management import call_command

    case_no = submit(api_as(HOME), hiring_body())["case_no"]
    to_notice(case_no)
    ends_on = SubsidyApplication.objects.get(case__case_no=case_no).notice_ends_on
    call_command("run_due_timers", now=f"{ends_on.isoformat()}T23:59", stdout=StringIO())
    assert Case.objects.get(case_no=case_no).state == CaseState.PUBLIC_NOTICE  # its last day is still on notice
    morning = f"{(ends_on + timedelta(days=1)).isoformat()}T00:00"
    call_command("run_due_timers", now=morning, stdout=StringIO())
    call_command("run_due_timers", now=morning, stdout=StringIO())  # twice: nothing more
    case = Case.objects.get(case_no=case_no)
    assert case.state == CaseState.IN_REVIEW
    assert case.task_set.filter(flow_task_type="HUMAN", status="NEW").count() == 1  # 财政局's, once


def test_the_administrator_adds_a_version_in_the_admin_and_cannot_edit_one_applied_for(users):
    from django.test import Client

    from workflows.models import SubsidyPolicy

    submit(api_as(HOME), hiring_body())  # applies under hiring v1
    admin = Client()
    admin.force_login(users("admin"))
    used = SubsidyPolicy.objects.get(code="hiring", version=1)
    assert admin.get(f"/admin/workflows/subsidypolicy/{used.pk}/change/").status_code == 200  # read
    assert admin.post(f"/admin/workflows/subsidypolicy/{used.pk}/change/", {"name": "改名"}).status_code == 403
    form = {
        "code": "hiring",
        "name": "入职奖补",
        "source": "磐安县《关于调整医养结合入职奖补标准的通知》",
        "published_on": "2026-12-01",
        "effective_on": "",
        "rule": "by_tier",
        "params": '{"field": "education", "tiers": {"secondary_vocational": "35000.00", "junior_college": "45000.00", "bachelor_or_above": "55000.00"}}',
        "eligibility": '{"models": ["care_in_medical", "clinic_in_care"], "exclude_establishment": true}',
        "once_per": "person",
    }
    bad = admin.post(
        "/admin/workflows/subsidypolicy/add/", {**form, "params": '{"field": "education", "tiers": {"x": "-1"}}'}
    )
    assert bad.status_code == 200 and "每一档的金额应为大于零的金额" in bad.content.decode()
    assert admin.post("/admin/workflows/subsidypolicy/add/", form).status_code == 302
    added = SubsidyPolicy.objects.get(code="hiring", version=2)
    assert added.effective_on.isoformat() == "2026-12-31"  # 30 days after publication
