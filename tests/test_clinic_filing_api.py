"""The clinic-filing route and its refusals through the REST API (docs/api-contract.md)."""

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from .helpers import DOCTOR_ID, NURSE2_ID, PDF_BYTES, api_filing, png_bytes, valid_staff

pytestmark = pytest.mark.django_db


def api_as(username: str) -> APIClient:
    client = APIClient()
    response = client.post(
        "/api/v1/auth/token/", {"username": username, "password": settings.DEMO_PASSWORD}, format="json"
    )
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    return client


def upload(client: APIClient, content: bytes = PDF_BYTES, name: str = "证明.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post("/api/v1/attachments/", {"file": SimpleUploadedFile(name, content)}, format="multipart")


def assert_error(response, status: int, code: str | None = None):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    if code:
        assert body["error"]["code"] == code
    return body["error"]


def create_case(client: APIClient, **overrides) -> dict:
    attachment = upload(client).json()["id"]
    response = client.post("/api/v1/cases/clinic-filing/", api_filing([attachment], **overrides), format="json")
    assert response.status_code == 201, response.content
    return response.json()


def work(client: APIClient, case_no: str, decision: str, capture=None, **body) -> dict:
    tasks = client.get("/api/v1/tasks/?view=queue").json()["results"]
    task = next(t for t in tasks if t["case_no"] == case_no)
    claimed = client.post(f"/api/v1/tasks/{task['id']}/claim/")
    assert claimed.status_code == 200 and claimed.json()["assignee"]
    inbox = client.get("/api/v1/tasks/?view=inbox").json()["results"]
    assert [t["id"] for t in inbox] == [task["id"]]
    payload = {"decision": decision, **body}
    if capture:
        with capture(execute=True):
            response = client.post(f"/api/v1/tasks/{task['id']}/decide/", payload, format="json")
    else:
        response = client.post(f"/api/v1/tasks/{task['id']}/decide/", payload, format="json")
    assert response.status_code == 200, response.content
    archive = client.get("/api/v1/tasks/?view=archive").json()["results"]
    assert task["id"] in [t["id"] for t in archive]
    return response.json()


def test_me_reports_roles_and_binding(users):
    me = api_as("twp-anwen").get("/api/v1/me/").json()
    assert me == {
        "username": "twp-anwen",
        "display_name": "安文街道审核员",
        "roles": ["township_reviewer"],
        "institution": None,
        "township": "anwen",
        "department": None,
    }
    me = api_as("inst-welfare-centre").get("/api/v1/me/").json()
    assert me["roles"] == ["applicant"] and me["institution"]["name"] == "县社会福利中心"
    assert api_as("health-head").get("/api/v1/me/").json()["department"] == "health"


def test_whole_route_through_the_api(users, django_capture_on_commit_callbacks):
    applicant = api_as("inst-welfare-centre")
    case = create_case(applicant, medical_insurance=True)
    assert case["status"] == "in_review" and case["procedure"] == "clinic_filing"
    assert case["data"]["staff"][0]["id_number"] == "330727********1235"
    assert [s["name"] for s in case["steps"]] == ["township_review"]
    assert case["data"]["insurance_decision"] == "pending"  # asked for: pending from submission on
    case_no = case["case_no"]

    work(api_as("twp-anwen"), case_no, "approve")
    work(api_as("civil-1"), case_no, "return", comment="缺少消防验收意见", missing_items=["消防验收意见"])
    detail = applicant.get(f"/api/v1/cases/{case_no}/").json()
    assert detail["status"] == "returned"
    returned = [s for s in detail["steps"] if s["decision"] == "return"][0]
    assert returned["missing_items"] == ["消防验收意见"] and returned["unit"] == "县民政局"

    extra = upload(applicant, png_bytes(), "消防.png").json()["id"]
    staff = valid_staff() + [{"name": "赵护士", "id_number": NURSE2_ID, "role": "nurse", "licence_no": "202233000999"}]
    resubmitted = applicant.post(
        f"/api/v1/cases/{case_no}/resubmit/", {"staff": staff, "attachments": [extra]}, format="json"
    )
    assert resubmitted.status_code == 200, resubmitted.content
    body = resubmitted.json()
    assert body["status"] == "in_review" and len(body["data"]["staff"]) == 3 and len(body["data"]["attachments"]) == 2
    assert body["steps"][-1]["name"] == "civil_affairs_review" and body["steps"][-1]["status"] == "pending"

    work(api_as("civil-1"), case_no, "approve")
    work(api_as("health-1"), case_no, "approve")
    work(
        api_as("insurance-1"), case_no, "reject", capture=django_capture_on_commit_callbacks, comment="暂不具备定点条件"
    )
    final = applicant.get(f"/api/v1/cases/{case_no}/").json()
    assert final["status"] == "approved"
    assert final["data"]["filing_no"].startswith("330727-YLNS-")
    assert final["data"]["insurance_decision"] == "refused"
    kinds = {d["kind"]: d for d in final["documents"]}
    assert set(kinds) == {"filing_certificate", "rejection_notice", "approval_record"}
    assert kinds["rejection_notice"]["number"].startswith("磐医保")
    pdf = applicant.get(kinds["filing_certificate"]["url"])
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    document = applicant.get(f"/api/v1/documents/{kinds['filing_certificate']['id']}/").json()
    assert document["case_no"] == case_no and document["version"] == 1 and document["superseded_by"] is None


def test_reject_and_withdraw_through_the_api(users, django_capture_on_commit_callbacks):
    applicant = api_as("inst-welfare-centre")
    case_no = create_case(applicant)["case_no"]
    work(api_as("twp-anwen"), case_no, "reject", capture=django_capture_on_commit_callbacks, comment="场所不符合要求")
    assert applicant.get(f"/api/v1/cases/{case_no}/").json()["status"] == "rejected"
    assert_error(applicant.post(f"/api/v1/cases/{case_no}/withdraw/"), 409, "case_closed")

    second = create_case(applicant)["case_no"]
    withdrawn = applicant.post(f"/api/v1/cases/{second}/withdraw/")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert all(s["status"] == "cancelled" for s in withdrawn.json()["steps"])


def test_case_list_filters_and_pagination(users, driver):
    driver.submit("inst-welfare-centre")
    driver.submit("inst-xinwo-home")
    health_view = api_as("twp-xinwo").get("/api/v1/cases/?procedure=clinic_filing&status=in_review").json()
    assert health_view["count"] == 1 and health_view["results"][0]["township"] == "xinwo"
    auditor = api_as("auditor")
    assert auditor.get("/api/v1/cases/").json()["count"] == 2
    assert auditor.get("/api/v1/cases/?township=anwen").json()["count"] == 1
    assert auditor.get("/api/v1/cases/?submitted_after=2000-01-01&page_size=1").json()["next"]
    assert_error(auditor.get("/api/v1/cases/?submitted_after=yesterday"), 400, "invalid")


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "override, field",
    [
        ({"floor_area": "-10"}, "floor_area"),
        ({"floor_area": "1e9"}, "floor_area"),
        ({"clinic_type": "hospital"}, "clinic_type"),
        ({"clinic_name": "<script>alert(1)</script>"}, "clinic_name"),
        ({"opening_date": "1900-01-01"}, "opening_date"),
        ({"clinic_name": {"nested": "object"}}, "clinic_name"),
        ({"staff": []}, "staff"),
        (
            {
                "staff": [
                    {"name": "王", "id_number": "110105194912310021", "role": "doctor", "licence_no": "110330000001"}
                ]
            },
            "staff.0.id_number",
        ),
        ({"staff": [{"name": "王", "id_number": DOCTOR_ID, "role": "surgeon"}]}, "staff.0.role"),
        ({"staff": valid_staff() + valid_staff()[:1]}, "staff"),
        ({"staff": "王医生"}, "staff"),
        ({"attachments": [999999]}, "attachments"),
    ],
)
def test_invalid_application_is_400_with_field_errors_and_changes_nothing(users, snapshot, override, field):
    client = api_as("inst-welfare-centre")
    attachment = upload(client).json()["id"]
    body = api_filing([attachment])
    body.update(override)
    before = snapshot()
    error = assert_error(client.post("/api/v1/cases/clinic-filing/", body, format="json"), 400, "invalid")
    assert field in error["fields"], error
    assert all("\u4e00" <= ch <= "\u9fff" for ch in error["message"][:1])  # the message is Chinese
    assert snapshot() == before


def test_business_rules_are_422_or_409_and_change_nothing(users, snapshot):
    medical = api_as("inst-tcm-hospital")
    attachment = upload(medical).json()["id"]
    before = snapshot()
    error = assert_error(
        medical.post("/api/v1/cases/clinic-filing/", api_filing([attachment]), format="json"), 422, "not_eligible"
    )
    assert "养老机构" in error["message"]
    assert snapshot() == before

    home = api_as("inst-welfare-centre")
    create_case(home)
    attachment = upload(home).json()["id"]
    before = snapshot()
    assert_error(
        home.post("/api/v1/cases/clinic-filing/", api_filing([attachment]), format="json"), 409, "duplicate_application"
    )
    assert snapshot() == before


def test_attachment_types_and_sizes(users, snapshot, settings):
    client = api_as("inst-welfare-centre")
    before = snapshot()
    assert_error(upload(client, b"MZ\x90\x00" * 100, "伪装.pdf"), 415, "unsupported_type")
    settings.UPLOAD_MAX_BYTES = 1000
    assert_error(upload(client, PDF_BYTES + b" " * 2000 + b"%%EOF"), 413, "too_large")
    assert_error(client.post("/api/v1/attachments/", {}, format="multipart"), 400)
    assert snapshot() == before
    reviewer = api_as("twp-anwen")
    assert_error(upload(reviewer), 403, "forbidden")


def test_foreign_attachment_cannot_be_used(users, snapshot):
    other = api_as("inst-xinwo-home")
    foreign = upload(other).json()["id"]
    client = api_as("inst-welfare-centre")
    before = snapshot()
    error = assert_error(client.post("/api/v1/cases/clinic-filing/", api_filing([foreign]), format="json"), 400)
    assert "attachments" in error["fields"]
    assert snapshot() == before


def test_decisions_that_are_not_yours_or_already_done(users, driver, snapshot):
    case = driver.submit()
    task = driver.open_task(case, "twp-anwen")
    reviewer, colleague = api_as("twp-anwen"), api_as("twp-anwen-head")
    before = snapshot()
    # Deciding without claiming first.
    assert_error(reviewer.post(f"/api/v1/tasks/{task.pk}/decide/", {"decision": "approve"}, format="json"), 403)
    assert reviewer.post(f"/api/v1/tasks/{task.pk}/claim/").status_code == 200
    mid = snapshot()
    # A colleague of the same township cannot claim, decide or unclaim it.
    assert_error(colleague.post(f"/api/v1/tasks/{task.pk}/claim/"), 409, "task_taken")
    assert_error(colleague.post(f"/api/v1/tasks/{task.pk}/decide/", {"decision": "approve"}, format="json"), 403)
    assert_error(colleague.post(f"/api/v1/tasks/{task.pk}/unclaim/"), 403)
    # Return and reject need a comment; return needs the missing items; unknown decisions are refused.
    for body in (
        {"decision": "reject"},
        {"decision": "return", "comment": "缺"},
        {"decision": "maybe"},
        {"decision": 1},
        ["approve"],
    ):
        assert_error(reviewer.post(f"/api/v1/tasks/{task.pk}/decide/", body, format="json"), 400, "invalid")
    assert snapshot() == mid
    assert mid != before  # the claim itself was recorded
    assert reviewer.post(f"/api/v1/tasks/{task.pk}/decide/", {"decision": "approve"}, format="json").status_code == 200
    done = snapshot()
    assert_error(
        reviewer.post(f"/api/v1/tasks/{task.pk}/decide/", {"decision": "approve"}, format="json"), 409, "task_closed"
    )
    assert_error(reviewer.post(f"/api/v1/tasks/{task.pk}/claim/"), 409, "task_closed")
    assert snapshot() == done


def test_unit_head_reassigns_within_the_unit(users, driver):
    case = driver.submit()
    task = driver.open_task(case, "twp-anwen")
    head = api_as("twp-anwen-head")
    unit = head.get("/api/v1/tasks/?view=unit").json()["results"]
    assert [t["id"] for t in unit] == [task.pk]
    reassigned = head.post(f"/api/v1/tasks/{task.pk}/reassign/", {"to": "twp-anwen"}, format="json")
    assert reassigned.status_code == 200 and reassigned.json()["assignee"] == "twp-anwen"
    assert_error(head.post(f"/api/v1/tasks/{task.pk}/reassign/", {"to": "twp-xinwo"}, format="json"), 400)
    assert_error(
        api_as("twp-anwen").post(f"/api/v1/tasks/{task.pk}/reassign/", {"to": "twp-anwen-head"}, format="json"), 403
    )


def test_errors_have_the_contract_shape(users):
    client = APIClient()
    assert_error(client.get("/api/v1/cases/"), 401, "not_authenticated")
    assert_error(client.post("/api/v1/auth/token/", {"username": "admin", "password": "wrong"}, format="json"), 400)
    authed = api_as("inst-welfare-centre")
    assert_error(authed.get("/api/v1/cases/PA-2026-BA-999999/"), 404, "not_found")
    assert_error(authed.get("/api/v1/tasks/?view=everything"), 400, "invalid")
    assert_error(authed.post("/api/v1/users/", {"username": "x"}, format="json"), 403)
    assert_error(authed.post("/api/v1/institutions/", {}, format="json"), 403)


def test_admin_creates_institutions_and_users(users, snapshot):
    from demo.accounts import demo_uscc

    admin = api_as("admin")
    before = snapshot()
    bad = admin.post(
        "/api/v1/institutions/",
        {
            "code": "new-home",
            "name": "新养老院",
            "uscc": "123",
            "kind": "elderly_care",
            "ownership": "private",
            "township": "anwen",
        },
        format="json",
    )
    assert_error(bad, 400)
    assert "uscc" in bad.json()["error"]["fields"]
    assert snapshot() == before
    created = admin.post(
        "/api/v1/institutions/",
        {
            "code": "new-home",
            "name": "新养老院",
            "uscc": demo_uscc("new-home", public=False),
            "kind": "elderly_care",
            "ownership": "private",
            "township": "anwen",
            "beds": 120,
            "operating_since": "2024-05-01",
            "models": ["clinic_in_care"],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    institution_id = created.json()["id"]
    before = snapshot()
    wrong = admin.post(
        "/api/v1/users/",
        {
            "username": "inst-new",
            "password": "a-long-password-1",
            "roles": ["health_reviewer"],
            "institution": institution_id,
        },
        format="json",
    )
    assert_error(wrong, 400)
    assert snapshot() == before
    user = admin.post(
        "/api/v1/users/",
        {
            "username": "inst-new",
            "password": "a-long-password-1",
            "roles": ["applicant"],
            "institution": institution_id,
        },
        format="json",
    )
    assert user.status_code == 201, user.content
    assert (
        APIClient()
        .post("/api/v1/auth/token/", {"username": "inst-new", "password": "a-long-password-1"}, format="json")
        .status_code
        == 200
    )


def test_openapi_schema_describes_every_endpoint(users):
    response = APIClient().get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    import json

    paths = set(json.loads(response.content)["paths"])
    for path in [
        "/api/v1/auth/token/",
        "/api/v1/me/",
        "/api/v1/institutions/",
        "/api/v1/institutions/{id}/",
        "/api/v1/users/",
        "/api/v1/cases/",
        "/api/v1/cases/clinic-filing/",
        "/api/v1/cases/{case_no}/",
        "/api/v1/cases/{case_no}/resubmit/",
        "/api/v1/cases/{case_no}/withdraw/",
        "/api/v1/attachments/",
        "/api/v1/tasks/",
        "/api/v1/tasks/{id}/claim/",
        "/api/v1/tasks/{id}/unclaim/",
        "/api/v1/tasks/{id}/decide/",
        "/api/v1/tasks/{id}/reassign/",
        "/api/v1/documents/{id}/",
        "/api/v1/documents/{id}/pdf",
        "/api/v1/documents/verify/",
        "/api/v1/audit/events/",
        "/api/v1/audit/verify/",
    ]:
        assert path in paths, path
