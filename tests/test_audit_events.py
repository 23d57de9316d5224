"""What the audit log records: the exact events of a whole case of each procedure, and accounts' security events."""

import pytest
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from audit.models import AuditEvent
from documents.audit_statements import verify_audit

from .test_clinic_filing_api import api_as, work
from .test_cooperation_api import CENTRE, HOME, bureau, draft, terms
from .test_subsidy import end_notice, hiring_body, payment, submit, to_notice

pytestmark = pytest.mark.django_db


def sequence(case_no: str) -> list[tuple[str, ...]]:
    """(action, actor[, document kind]) of the case's events in chain order; the chain verifies."""
    rows = AuditEvent.objects.filter(chain=case_no).order_by("seq").values_list("action", "actor_name", "detail")
    assert verify_audit().ok
    return [(action, actor, *([detail["kind"]] if "kind" in detail else [])) for action, actor, detail in rows]


def test_a_whole_clinic_filing_case(driver, users, django_capture_on_commit_callbacks):
    case = driver.submit(medical_insurance=True)
    driver.file(case)
    certificate = case.documents.get(kind="filing_certificate")
    applicant = api_as("inst-welfare-centre")
    pdf = applicant.get(f"/api/v1/documents/{certificate.pk}/pdf")
    assert pdf.status_code == 200
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("cert.pdf", b"".join(pdf.streaming_content), content_type="application/pdf")
    assert APIClient().post("/api/v1/documents/verify/", {"file": upload}, format="multipart").json()["valid"]
    assert sequence(case.case_no) == [
        ("case_submitted", "inst-welfare-centre"),
        ("task_claimed", "twp-anwen"),
        ("task_approve", "twp-anwen"),
        ("task_claimed", "civil-1"),
        ("task_approve", "civil-1"),
        ("task_claimed", "health-1"),
        ("task_approve", "health-1"),
        ("filing_number_assigned", "system"),
        ("task_claimed", "insurance-1"),
        ("task_approve", "insurance-1"),
        ("case_approved", "system"),
        ("document_requested", "system", "filing_certificate"),
        ("document_requested", "system", "approval_record"),
        ("document_issued", "system"),
        ("document_issued", "system"),
        ("document_downloaded", "inst-welfare-centre"),
        ("document_verified", "public"),
    ]
    last_two = AuditEvent.objects.filter(chain=case.case_no).order_by("-seq")[:2]
    assert [event.ip for event in last_two] == ["127.0.0.1", "127.0.0.1"]
    assert last_two[1].role == "applicant" and last_two[1].unit


def test_a_whole_cooperation_case(users, django_capture_on_commit_callbacks):
    case_no = draft(api_as(CENTRE), terms(users))["case_no"]
    assert api_as(HOME).post(f"/api/v1/cases/{case_no}/confirm/").status_code == 200
    bureau(api_as("twp-anwen"), case_no, "approve")
    bureau(api_as("health-1"), case_no, "approve")
    bureau(api_as("civil-1"), case_no, "approve", capture=django_capture_on_commit_callbacks)
    assert sequence(case_no) == [
        ("case_submitted", "inst-anwen-chc"),
        ("agreement_confirmed", "inst-welfare-centre"),
        ("task_claimed", "twp-anwen"),
        ("task_approve", "twp-anwen"),
        ("task_claimed", "health-1"),
        ("task_approve", "health-1"),
        ("task_claimed", "civil-1"),
        ("task_approve", "civil-1"),
        ("case_active", "system"),
        ("document_requested", "system", "cooperation_agreement"),
        ("document_requested", "system", "approval_record"),
        ("document_issued", "system"),
        ("document_issued", "system"),
    ]
    assert AuditEvent.objects.get(chain=case_no, seq=1).ip == "127.0.0.1"


def test_a_whole_subsidy_case(users, django_capture_on_commit_callbacks):
    from django.utils import timezone

    case_no = submit(api_as("inst-welfare-centre"), hiring_body())["case_no"]
    to_notice(case_no)
    end_notice(case_no)
    year = timezone.localdate().year
    api_as("finance-head").put(f"/api/v1/budgets/{year}/hiring/", {"total": "500000.00"}, format="json")
    work(api_as("finance-1"), case_no, "approve", capture=django_capture_on_commit_callbacks, **payment())
    assert sequence(case_no) == [
        ("case_submitted", "inst-welfare-centre", "hiring"),
        ("task_claimed", "twp-anwen"),
        ("task_approve", "twp-anwen"),
        ("task_claimed", "civil-1"),
        ("task_approve", "civil-1"),
        ("public_notice_started", "system"),
        ("public_notice_ended", "system"),  # the timer: no person, no address
        ("task_claimed", "finance-1"),
        ("task_approve", "finance-1"),
        ("case_approved", "system"),
        ("document_requested", "system", "subsidy_decision"),
        ("document_requested", "system", "approval_record"),
        ("document_issued", "system"),
        ("document_issued", "system"),
    ]
    assert AuditEvent.objects.get(chain=case_no, action="public_notice_ended").ip == ""


def account_events(username: str) -> list[tuple[str, str, dict]]:
    rows = AuditEvent.objects.filter(chain=f"account:{username}").order_by("seq")
    return list(rows.values_list("action", "ip", "detail"))


def test_web_log_in_failure_success_and_log_out_are_events_with_the_address(demo):
    client = Client(REMOTE_ADDR="10.7.0.5")
    assert client.post("/accounts/login/", {"username": "civil-1", "password": "wrong"}).status_code == 200
    assert (
        client.post("/accounts/login/", {"username": "civil-1", "password": settings.DEMO_PASSWORD}).status_code == 302
    )
    client.post("/accounts/logout/")
    events = [(action, ip, detail.get("via")) for action, ip, detail in account_events("civil-1")]
    assert events[-3:] == [
        ("login_failed", "10.7.0.5", "web"),
        ("login_succeeded", "10.7.0.5", "web"),
        ("logout", "10.7.0.5", "web"),
    ]


def test_api_log_in_failure_lock_out_and_success_are_events_with_the_address(demo, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = APIClient(REMOTE_ADDR="10.7.0.6")
    for _ in range(3):
        client.post("/api/v1/auth/token/", {"username": "health-1", "password": "wrong"}, format="json")
    actions = [(action, ip) for action, ip, _detail in account_events("health-1")]
    # django-axes' receiver runs first and announces the lock-out within the third failure.
    assert actions[-4:] == [
        ("login_failed", "10.7.0.6"),
        ("login_failed", "10.7.0.6"),
        ("account_locked_out", "10.7.0.6"),
        ("login_failed", "10.7.0.6"),
    ]
    other = APIClient(REMOTE_ADDR="10.7.0.7")
    assert (
        other.post("/api/v1/auth/token/", {"username": "health-1", "password": settings.DEMO_PASSWORD}).status_code
        == 200
    )
    assert account_events("health-1")[-1][:2] == ("login_succeeded", "10.7.0.7")
    assert account_events("health-1")[-1][2]["via"] == "api"


def test_role_changes_name_who_changed_whose_roles(users):
    from django.db import transaction

    from audit.context import client_ip
    from permissions.roles import Role
    from permissions.services import set_roles

    admin, target = users("admin"), users("civil-1")

    class Request:
        user = admin

    with client_ip("10.7.0.8", Request()), transaction.atomic():
        set_roles(user=target, roles={Role.CIVIL_REVIEWER, Role.AUDITOR})
    event = AuditEvent.objects.filter(chain="account:civil-1", action="roles_changed").latest("seq")
    assert event.actor_name == "admin" and event.ip == "10.7.0.8"
    assert event.detail == {"user": "civil-1", "added": ["auditor"]}


def test_an_admin_edit_records_before_and_after_and_the_role_change_names_the_admin(users):
    from django.contrib.auth.models import Group

    client = Client(REMOTE_ADDR="10.7.0.9")
    client.force_login(users("admin"))
    user = users("civil-1")
    page = client.get(f"/admin/permissions/user/{user.pk}/change/")
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    auditor, _ = Group.objects.get_or_create(name="auditor")
    before_groups = sorted(g.name for g in user.groups.all())
    data.update(groups=[g.pk for g in user.groups.all()] + [auditor.pk], date_joined_0="2026-01-01")
    data.update(date_joined_1="08:00:00", last_login_0="", last_login_1="")
    data.pop("password", None)
    assert client.post(f"/admin/permissions/user/{user.pk}/change/", data).status_code == 302
    change = AuditEvent.objects.filter(action="admin_object_changed").latest("id")
    assert change.detail["values"]["groups"] == {"before": before_groups, "after": sorted([*before_groups, "auditor"])}
    assert change.ip == "10.7.0.9" and change.chain == "county"
    roles = AuditEvent.objects.filter(chain="account:civil-1", action="roles_changed").latest("seq")
    assert (roles.actor_name, roles.ip, roles.detail["added"]) == ("admin", "10.7.0.9", ["auditor"])
