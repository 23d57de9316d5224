"""Nobody sees what is not theirs: another institution, township or department gets 403/404
on every page, download and endpoint, and finds nothing in any list."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from .helpers import DOCTOR_ID

pytestmark = pytest.mark.django_db

# Outsiders of a case filed by 县社会福利中心 (安文街道) that has not asked for 医保定点.
OTHER_INSTITUTION = "inst-xinwo-home"
OTHER_TOWNSHIP = ["twp-xinwo", "twp-xinwo-head"]
NEVER_ROUTED = ["finance-1", "finance-head", "insurance-1"]
OUTSIDERS = [OTHER_INSTITUTION, *OTHER_TOWNSHIP, *NEVER_ROUTED]


@pytest.fixture
def finished_case(driver, django_capture_on_commit_callbacks):
    case = driver.submit()
    with django_capture_on_commit_callbacks(execute=True):
        driver.file(case)
    assert case.documents.filter(status="issued").count() == 2
    return case


def web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def refused(response) -> bool:
    return response.status_code in (403, 404)


def assert_case_invisible(user, case, task, attachment, document):
    w, a = web(user), api(user)
    pages = {
        "case page": w.get(f"/cases/{case.case_no}/"),
        "resubmit page": w.get(f"/cases/{case.case_no}/resubmit/"),
        "withdraw": w.post(f"/cases/{case.case_no}/withdraw/"),
        "task page": w.get(f"/tasks/{task.pk}/"),
        "claim": w.post(f"/tasks/{task.pk}/claim/"),
        "decide": w.post(f"/tasks/{task.pk}/", {"decision": "approve"}),
        "unclaim": w.post(f"/tasks/{task.pk}/unclaim/"),
        "reassign": w.post(f"/tasks/{task.pk}/reassign/", {"to": user.username}),
        "attachment download": w.get(f"/attachments/{attachment.pk}/"),
        "API case": a.get(f"/api/v1/cases/{case.case_no}/"),
        "API resubmit": a.post(f"/api/v1/cases/{case.case_no}/resubmit/", {}, format="json"),
        "API withdraw": a.post(f"/api/v1/cases/{case.case_no}/withdraw/"),
        "API claim": a.post(f"/api/v1/tasks/{task.pk}/claim/"),
        "API unclaim": a.post(f"/api/v1/tasks/{task.pk}/unclaim/"),
        "API decide": a.post(f"/api/v1/tasks/{task.pk}/decide/", {"decision": "approve"}, format="json"),
        "API reassign": a.post(f"/api/v1/tasks/{task.pk}/reassign/", {"to": user.username}, format="json"),
    }
    if document is not None:
        pages["document download"] = w.get(f"/documents/{document.pk}/pdf")
        pages["API document"] = a.get(f"/api/v1/documents/{document.pk}/")
        pages["API document pdf"] = a.get(f"/api/v1/documents/{document.pk}/pdf")
    leaks = {name: r.status_code for name, r in pages.items() if not refused(r)}
    assert not leaks, f"{user.username} reached {leaks}"
    lists = {
        "case list": w.get("/cases/").content.decode(),
        "queue": w.get("/tasks/?view=queue").content.decode(),
        "inbox": w.get("/tasks/?view=inbox").content.decode(),
        "unit": w.get("/tasks/?view=unit").content.decode(),
        "API cases": a.get("/api/v1/cases/").content.decode(),
        "API queue": a.get("/api/v1/tasks/?view=queue").content.decode(),
        "API unit": a.get("/api/v1/tasks/?view=unit").content.decode(),
    }
    leaked_in = [name for name, body in lists.items() if case.case_no in body]
    assert not leaked_in, f"{user.username} sees {case.case_no} in {leaked_in}"


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_waiting_for_the_township(outsider, users, driver):
    case = driver.submit()
    task = case.task_set.get(status="NEW")
    attachment = case.attachments.get()
    # civil-1 and health-1 are not routed yet either.
    for username in (outsider, "civil-1", "health-1"):
        assert_case_invisible(users(username), case, task, attachment, None)


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_at_the_health_bureau(outsider, users, driver):
    case = driver.to_step(driver.submit(), "health_filing")
    task = case.task_set.get(status="NEW")
    assert_case_invisible(users(outsider), case, task, case.attachments.get(), None)


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_finished_case_with_documents(outsider, users, finished_case):
    case = finished_case
    task = case.task_set.filter(flow_task_type="HUMAN").last()
    document = case.documents.get(kind="filing_certificate")
    assert_case_invisible(users(outsider), case, task, case.attachments.get(), document)


@pytest.mark.parametrize(
    "insider", ["inst-welfare-centre", "twp-anwen", "twp-anwen-head", "civil-1", "health-1", "auditor", "admin"]
)
def test_those_whose_case_it_is_do_see_it(insider, users, finished_case):
    document = finished_case.documents.get(kind="filing_certificate")
    w, a = web(users(insider)), api(users(insider))
    assert w.get(f"/cases/{finished_case.case_no}/").status_code == 200
    assert a.get(f"/api/v1/cases/{finished_case.case_no}/").status_code == 200
    assert w.get(f"/documents/{document.pk}/pdf").status_code == 200
    assert finished_case.case_no in a.get("/api/v1/cases/").content.decode()


def test_id_numbers_are_masked_except_for_the_reviewer_holding_the_task(users, driver):
    case = driver.submit()
    full, masked = DOCTOR_ID, "330727********1235"
    task = driver.open_task(case, "twp-anwen")
    reviewer = users("twp-anwen")
    assert masked in web(reviewer).get(f"/cases/{case.case_no}/").content.decode()
    from workflows import services

    services.claim_task(user=reviewer, task_id=task.pk)
    assert full in web(reviewer).get(f"/tasks/{task.pk}/").content.decode()
    assert full in api(reviewer).get(f"/api/v1/cases/{case.case_no}/").content.decode()
    for username in ("inst-welfare-centre", "twp-anwen-head", "auditor"):
        body = api(users(username)).get(f"/api/v1/cases/{case.case_no}/").content.decode()
        assert full not in body and masked in body


def test_institution_registry_is_scoped(users):
    seen = api(users("inst-welfare-centre")).get("/api/v1/institutions/?page_size=100").json()["results"]
    # Its own institution, and the medical institutions it may cooperate with — no other nursing home.
    assert [i["name"] for i in seen if i["kind"] == "elderly_care"] == ["县社会福利中心"]
    assert {i["kind"] for i in seen} == {"elderly_care", "medical"} and len(seen) > 10
    townships = {i["township"] for i in api(users("twp-xinwo")).get("/api/v1/institutions/").json()["results"]}
    assert townships == {"xinwo"}
    foreign = users("inst-xinwo-home").institution
    assert api(users("inst-welfare-centre")).get(f"/api/v1/institutions/{foreign.pk}/").status_code == 404
    assert api(users("inst-tcm-hospital")).get(f"/api/v1/institutions/{foreign.pk}/").status_code == 200
    assert api(users("health-1")).get(f"/api/v1/institutions/{foreign.pk}/").status_code == 200


def test_viewflow_built_in_pages_are_not_mounted(users):
    client = web(users("twp-anwen"))
    for url in ("/workflow/", "/tasks/queue/", "/flows/", "/workflow/clinicfiling/"):
        assert client.get(url).status_code == 404


def test_audit_endpoints_are_for_auditors(users, driver):
    driver.submit()
    for username in ("inst-welfare-centre", "twp-anwen", "health-head"):
        assert api(users(username)).get("/api/v1/audit/events/").status_code == 403
        assert api(users(username)).get("/api/v1/audit/verify/").status_code == 403
    assert api(users("auditor")).get("/api/v1/audit/verify/").json()["ok"] is True
