"""The cooperation agreement (医养合作协议) through the REST API: the route, its loops, its lifecycle, its refusals."""

from datetime import timedelta

import pytest
from django.utils import timezone

from workflows.models import Case, CaseState, Notification
from workflows.services.agreements import run_agreement_lifecycle

from .test_clinic_filing_api import api_as, assert_error

pytestmark = pytest.mark.django_db

HOME, CENTRE = "inst-welfare-centre", "inst-anwen-chc"  # 县社会福利中心 (安文) and 安文街道社区卫生服务中心


def ids(users):
    return users(HOME).institution.pk, users(CENTRE).institution.pk


def terms(users, **overrides) -> dict:
    elderly, medical = ids(users)
    today = timezone.localdate()
    data = {
        "elderly_care_institution": elderly,
        "medical_institution": medical,
        "start_date": today.isoformat(),
        "end_date": (today + timedelta(days=364)).isoformat(),
        "residents": 120,
        "service_items": ["onsite_visits", "annual_checkup", "phone_advice", "green_channel"],
        "visits_per_week": 2,
        "annual_fee": "30000.00",
    }
    data.update(overrides)
    return data


def draft(client, body) -> dict:
    response = client.post("/api/v1/cases/cooperation/", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def bureau(client, case_no, decision, capture=None, **extra):
    from .test_clinic_filing_api import work

    return work(client, case_no, decision, capture=capture, **extra)


def agreed(users, capture=None, drafter=HOME, **overrides) -> str:
    """A draft confirmed by the other party and approved by the township: waiting at both bureaus."""
    case = draft(api_as(drafter), terms(users, **overrides))
    other = CENTRE if drafter == HOME else HOME
    assert api_as(other).post(f"/api/v1/cases/{case['case_no']}/confirm/").status_code == 200
    bureau(api_as("twp-anwen"), case["case_no"], "approve")
    return case["case_no"]


def test_whole_route_with_a_change_request_loop(users, django_capture_on_commit_callbacks):
    home, centre = api_as(HOME), api_as(CENTRE)
    case = draft(centre, terms(users))  # the medical party drafts this time
    case_no = case["case_no"]
    assert case["status"] == "draft" and case["institution"]["name"] == "安文街道社区卫生服务中心"
    assert case["steps"][0]["name"] == "counterparty_confirmation" and case["steps"][0]["unit"] == "县社会福利中心"

    # The drafter cannot confirm its own draft; the counterparty asks for a lower fee.
    assert_error(centre.post(f"/api/v1/cases/{case_no}/confirm/"), 403)
    assert_error(home.post(f"/api/v1/cases/{case_no}/request-changes/", {}, format="json"), 400)
    changed = home.post(
        f"/api/v1/cases/{case_no}/request-changes/", {"comment": "年服务费请调整为25000元"}, format="json"
    )
    assert changed.status_code == 200 and changed.json()["status"] == "draft"
    assert_error(home.post(f"/api/v1/cases/{case_no}/confirm/"), 409, "not_awaiting_confirmation")

    # The drafter revises only the fee; the draft goes back to the counterparty.
    revised = centre.post(f"/api/v1/cases/{case_no}/resubmit/", {"annual_fee": "25000.00"}, format="json")
    assert revised.status_code == 200, revised.content
    assert revised.json()["data"]["annual_fee"] == "25000.00" and revised.json()["amount"] == "25000.00"
    assert revised.json()["steps"][-1]["name"] == "counterparty_confirmation"
    assert home.post(f"/api/v1/cases/{case_no}/confirm/").status_code == 200

    bureau(api_as("twp-anwen"), case_no, "approve")
    detail = home.get(f"/api/v1/cases/{case_no}/").json()
    assert detail["status"] == "in_review"
    assert {s["name"] for s in detail["steps"] if s["status"] == "pending"} == {"health_review", "civil_affairs_review"}

    bureau(api_as("health-1"), case_no, "approve")
    assert home.get(f"/api/v1/cases/{case_no}/").json()["status"] == "in_review"  # waits for 民政局
    bureau(api_as("civil-1"), case_no, "approve", capture=django_capture_on_commit_callbacks)
    final = home.get(f"/api/v1/cases/{case_no}/").json()
    assert final["status"] == "active"
    documents = {d["kind"]: d for d in final["documents"]}
    assert documents["cooperation_agreement"]["number"].startswith("磐卫医养协〔")
    assert documents["cooperation_agreement"]["status"] == "issued"
    signers = home.get(f"/api/v1/documents/{documents['cooperation_agreement']['id']}/").json()["signers"]
    assert signers == ["县社会福利中心", "安文街道社区卫生服务中心", "磐安县卫生健康局", "磐安县民政局"]


def test_a_return_from_one_bureau_while_the_other_has_approved(users, django_capture_on_commit_callbacks):
    case_no = agreed(users)
    bureau(api_as("civil-1"), case_no, "approve")
    bureau(api_as("health-1"), case_no, "return", comment="服务项目须包含健康档案", missing_items=["健康档案服务"])
    home = api_as(HOME)
    detail = home.get(f"/api/v1/cases/{case_no}/").json()
    assert detail["status"] == "returned"
    # The counterparty cannot supplement; the drafter can, and only health sees the case again.
    assert_error(api_as(CENTRE).post(f"/api/v1/cases/{case_no}/resubmit/", {}, format="json"), 403)
    items = ["onsite_visits", "annual_checkup", "phone_advice", "green_channel", "health_records"]
    resubmitted = home.post(f"/api/v1/cases/{case_no}/resubmit/", {"service_items": items}, format="json")
    assert resubmitted.status_code == 200, resubmitted.content
    pending = [s["name"] for s in resubmitted.json()["steps"] if s["status"] == "pending"]
    assert pending == ["health_review"]  # 民政局's approval stands
    bureau(api_as("health-1"), case_no, "approve", capture=django_capture_on_commit_callbacks)
    assert home.get(f"/api/v1/cases/{case_no}/").json()["status"] == "active"
    names = [task.flow_task.name for task in Case.objects.get(case_no=case_no).task_set.all()]
    assert names.count("issued") == 1 and names.count("both_bureaus_agree") == 1


def test_a_reject_from_either_bureau_ends_the_case_and_cancels_the_other(users, django_capture_on_commit_callbacks):
    case_no = agreed(users)
    bureau(
        api_as("civil-1"),
        case_no,
        "reject",
        capture=django_capture_on_commit_callbacks,
        comment="甲方不具备养老机构资质",
    )
    detail = api_as(HOME).get(f"/api/v1/cases/{case_no}/").json()
    assert detail["status"] == "rejected"
    health = [s for s in detail["steps"] if s["name"] == "health_review"][0]
    assert health["status"] == "cancelled"
    assert not [
        t for t in api_as("health-1").get("/api/v1/tasks/?view=queue").json()["results"] if t["case_no"] == case_no
    ]
    assert {d["kind"] for d in detail["documents"]} == {"rejection_notice", "approval_record"}
    case = Case.objects.get(case_no=case_no)
    assert case.status == "DONE"  # the process ended; no join left waiting


def test_renewal_expiry_and_reminders(users, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    case_no = agreed(users, end_date=(today + timedelta(days=30)).isoformat())
    bureau(api_as("health-1"), case_no, "approve")
    bureau(api_as("civil-1"), case_no, "approve", capture=django_capture_on_commit_callbacks)
    case = Case.objects.get(case_no=case_no)
    assert case.state == CaseState.ACTIVE

    # 31 days before the end: nothing; 30 days before: both parties, once, even if run twice.
    assert run_agreement_lifecycle(today=today - timedelta(days=1)).reminded == 0
    assert run_agreement_lifecycle(today=today).reminded == 1
    assert run_agreement_lifecycle(today=today).reminded == 0
    reminders = Notification.objects.filter(case=case, kind="agreement_expiring")
    assert sorted(n.institution.name for n in reminders) == ["县社会福利中心", "安文街道社区卫生服务中心"]

    # Renewal: a new case prefilled from the old, starting the day after it ends.
    renewal = api_as(CENTRE).post(f"/api/v1/cases/{case_no}/renew/", {"annual_fee": "32000.00"}, format="json")
    assert renewal.status_code == 201, renewal.content
    new = renewal.json()
    assert new["status"] == "draft" and new["data"]["renewal_of"] == case_no
    assert new["data"]["start_date"] == (today + timedelta(days=31)).isoformat()
    assert new["data"]["residents"] == 120 and new["data"]["annual_fee"] == "32000.00"
    # A renewal overlapping the agreement in force is refused.
    overlapping = api_as(CENTRE).post(
        f"/api/v1/cases/{case_no}/renew/", {"start_date": today.isoformat()}, format="json"
    )
    assert overlapping.status_code in (400, 409)

    # The day after its end date the agreement has expired ("active until its end date").
    assert run_agreement_lifecycle(today=today + timedelta(days=30)).expired == 0
    assert run_agreement_lifecycle(today=today + timedelta(days=31)).expired == 1
    case.refresh_from_db()
    assert case.state == CaseState.EXPIRED


def test_an_agreement_starting_later_is_approved_then_activated(users, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    case_no = agreed(
        users, start_date=(today + timedelta(days=10)).isoformat(), end_date=(today + timedelta(days=375)).isoformat()
    )
    bureau(api_as("health-1"), case_no, "approve")
    bureau(api_as("civil-1"), case_no, "approve", capture=django_capture_on_commit_callbacks)
    assert Case.objects.get(case_no=case_no).state == CaseState.APPROVED
    assert run_agreement_lifecycle(today=today + timedelta(days=9)).activated == 0
    assert run_agreement_lifecycle(today=today + timedelta(days=10)).activated == 1
    assert Case.objects.get(case_no=case_no).state == CaseState.ACTIVE


def test_either_party_terminates_with_a_reason_and_a_signed_notice(users, django_capture_on_commit_callbacks, snapshot):
    case_no = agreed(users)
    bureau(api_as("health-1"), case_no, "approve")
    bureau(api_as("civil-1"), case_no, "approve", capture=django_capture_on_commit_callbacks)
    centre, health = api_as(CENTRE), api_as("health-1")
    before = snapshot()
    assert_error(centre.post(f"/api/v1/cases/{case_no}/terminate/", {"reason": ""}, format="json"), 400)
    assert_error(centre.post(f"/api/v1/cases/{case_no}/terminate/", {"reason": "<b>x</b>"}, format="json"), 400)
    assert_error(health.post(f"/api/v1/cases/{case_no}/terminate/", {"reason": "x"}, format="json"), 403)
    assert snapshot() == before
    with django_capture_on_commit_callbacks(execute=True):
        response = centre.post(
            f"/api/v1/cases/{case_no}/terminate/", {"reason": "卫生院人员调整，无法继续提供上门服务"}, format="json"
        )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "terminated" and body["data"]["termination_reason"].startswith("卫生院人员调整")
    documents = centre.get(f"/api/v1/cases/{case_no}/").json()["documents"]
    notice = [d for d in documents if d["kind"] == "termination_notice"][0]
    assert notice["status"] == "issued" and notice["number"].startswith("磐卫医养终")
    assert Notification.objects.filter(institution=users(HOME).institution, kind="agreement_terminated").exists()
    assert_error(centre.post(f"/api/v1/cases/{case_no}/terminate/", {"reason": "再次终止"}, format="json"), 409)


# --- boundaries and refusals ---------------------------------------------------------------


@pytest.mark.parametrize(
    "fee, accepted",
    [
        ("19999.99", False),
        ("20000.00", True),
        ("20000", True),
        ("50000.00", True),
        ("50000.01", False),
        ("30000.001", False),
    ],
)
def test_annual_fee_is_20000_to_50000_inclusive(users, snapshot, fee, accepted):
    client = api_as(HOME)
    before = snapshot()
    response = client.post("/api/v1/cases/cooperation/", terms(users, annual_fee=fee), format="json")
    if accepted:
        assert response.status_code == 201, response.content
        assert response.json()["data"]["annual_fee"] == f"{float(fee):.2f}"
    else:
        error = assert_error(response, 400, "invalid")
        assert "annual_fee" in error["fields"]
        assert snapshot() == before


@pytest.mark.parametrize(
    "override, field",
    [
        ({"end_date": "2020-01-01"}, "end_date"),
        ({"medical_institution": "SELF"}, "medical_institution"),
        ({"medical_institution": "OTHER_HOME"}, "medical_institution"),
        ({"elderly_care_institution": "CENTRE"}, "elderly_care_institution"),
        ({"visits_per_week": 3}, "visits_per_week"),
        ({"residents": -5}, "residents"),
        ({"residents": 10**9}, "residents"),
        ({"service_items": ["massage"]}, "service_items"),
        ({"service_items": []}, "service_items"),
        ({"service_items": "onsite_visits"}, "service_items"),
        ({"annual_fee": "abc"}, "annual_fee"),
        ({"elderly_care_institution": 999999}, "elderly_care_institution"),
    ],
)
def test_invalid_terms_are_400_and_change_nothing(users, snapshot, override, field):
    elderly, medical = ids(users)
    replacements = {"SELF": elderly, "OTHER_HOME": users("inst-xinwo-home").institution.pk, "CENTRE": medical}
    override = {k: replacements.get(v, v) if isinstance(v, str) else v for k, v in override.items()}
    client = api_as(HOME)
    before = snapshot()
    error = assert_error(client.post("/api/v1/cases/cooperation/", terms(users, **override), format="json"), 400)
    assert field in error["fields"] or "__all__" in error["fields"], error
    assert snapshot() == before


def test_drafting_for_other_institutions_is_refused(users, snapshot):
    body = terms(users, elderly_care_institution=users("inst-xinwo-home").institution.pk)
    home, township = api_as(HOME), api_as("twp-anwen")
    before = snapshot()
    assert_error(home.post("/api/v1/cases/cooperation/", body, format="json"), 403)
    assert_error(township.post("/api/v1/cases/cooperation/", terms(users), format="json"), 403)
    assert snapshot() == before


def test_one_agreement_per_pair_at_a_time(users, snapshot, django_capture_on_commit_callbacks):
    case_no = agreed(users)
    centre, home = api_as(CENTRE), api_as(HOME)
    before = snapshot()
    assert_error(centre.post("/api/v1/cases/cooperation/", terms(users), format="json"), 409, "duplicate_application")
    assert snapshot() == before
    bureau(api_as("health-1"), case_no, "approve")
    bureau(api_as("civil-1"), case_no, "approve", capture=django_capture_on_commit_callbacks)
    before = snapshot()
    assert_error(home.post("/api/v1/cases/cooperation/", terms(users), format="json"), 409, "agreement_in_force")
    assert snapshot() == before
    # Another pair is not affected.
    other = terms(users, medical_institution=users("inst-people-hospital").institution.pk)
    assert api_as(HOME).post("/api/v1/cases/cooperation/", other, format="json").status_code == 201


def test_neither_party_nor_the_other_bureau_can_act(users, snapshot):
    case_no = draft(api_as(HOME), terms(users))["case_no"]
    outsiders = [api_as(name) for name in ("inst-xinwo-home", "inst-people-hospital", "twp-xinwo")]
    before = snapshot()
    for client in outsiders:
        assert_error(client.post(f"/api/v1/cases/{case_no}/confirm/"), 404)
        assert_error(client.post(f"/api/v1/cases/{case_no}/request-changes/", {"comment": "x"}, format="json"), 404)
        assert_error(client.get(f"/api/v1/cases/{case_no}/"), 404)
    assert snapshot() == before
    api_as(CENTRE).post(f"/api/v1/cases/{case_no}/confirm/")
    bureau(api_as("twp-anwen"), case_no, "approve")
    health_task = [
        t for t in api_as("health-1").get("/api/v1/tasks/?view=queue").json()["results"] if t["case_no"] == case_no
    ][0]
    civil = api_as("civil-1")
    civil.get("/api/v1/me/")
    before = snapshot()
    assert_error(civil.post(f"/api/v1/tasks/{health_task['id']}/claim/"), 404)
    assert_error(civil.post(f"/api/v1/tasks/{health_task['id']}/decide/", {"decision": "approve"}, format="json"), 404)
    assert snapshot() == before


def test_the_agreement_pdf_carries_four_valid_signatures(
    users, django_capture_on_commit_callbacks, tmp_path, signing_root
):
    import re
    import subprocess

    case_no = agreed(users, annual_fee="50000.00")
    bureau(api_as("health-1"), case_no, "approve")
    bureau(api_as("civil-1"), case_no, "approve", capture=django_capture_on_commit_callbacks)
    document = Case.objects.get(case_no=case_no).documents.get(kind="cooperation_agreement")
    path = tmp_path / "agreement.pdf"
    with document.file.open("rb") as handle:
        path.write_bytes(handle.read())
    nss = tmp_path / "nss"
    nss.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{nss}", "--empty-password"], check=True)
    subprocess.run(
        ["certutil", "-A", "-d", f"sql:{nss}", "-n", "root", "-t", "CT,C,C", "-i", str(signing_root)], check=True
    )
    report = subprocess.run(["pdfsig", "-nssdir", f"sql:{nss}", str(path)], capture_output=True, text=True).stdout
    assert report.count("Signature is Valid.") == 4 and report.count("Certificate is Trusted.") == 4, report
    for signer in ("县社会福利中心", "安文街道社区卫生服务中心", "磐安县卫生健康局", "磐安县民政局"):
        assert signer in report
    text = re.sub(
        r"\s+", "", subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True).stdout
    )
    for fact in ("医养合作协议", "50,000.00元", "伍万元整", case_no, document.number):
        assert fact in text, fact


def test_the_first_agreement_of_the_year_is_number_1_after_filing_certificates(
    users, driver, django_capture_on_commit_callbacks
):
    """卫健局 issues two series: its filing certificates do not use up its agreement numbers."""
    filed = driver.submit("inst-xinwo-home")
    with django_capture_on_commit_callbacks(execute=True):
        driver.file(filed, township="twp-xinwo")
    case_no = agreed(users)
    bureau(api_as("health-1"), case_no, "approve")
    bureau(api_as("civil-1"), case_no, "approve", capture=django_capture_on_commit_callbacks)
    year = timezone.localdate().year
    numbers = {d["kind"]: d["number"] for d in api_as(HOME).get(f"/api/v1/cases/{case_no}/").json()["documents"]}
    assert numbers["cooperation_agreement"] == f"磐卫医养协〔{year}〕1号"
    assert numbers["approval_record"] == f"磐卫医养审记〔{year}〕2号"  # the filing's record was 1号
    assert filed.documents.get(kind="filing_certificate").number == f"磐卫医养备〔{year}〕1号"
