"""The promised working days per step are data: one row per review step with DOMAIN.md's default, editable."""

import pytest
from django.test import Client
from django.utils import timezone

from workflows.calendar import add_working_days
from workflows.models import StepDeadline
from workflows.step_deadlines import create_step_deadlines

pytestmark = pytest.mark.django_db

DOMAIN_DEFAULTS = {
    ("clinic_filing", "township_review"): 3,
    ("clinic_filing", "civil_affairs_review"): 5,
    ("clinic_filing", "health_filing"): 2,
    ("clinic_filing", "insurance_review"): 5,
    ("cooperation", "township_review"): 3,
    ("cooperation", "health_review"): 5,
    ("cooperation", "civil_affairs_review"): 5,
    ("subsidy", "township_review"): 3,
    ("subsidy", "bureau_confirmation"): 5,
    ("subsidy", "finance_review"): 5,
}


def test_every_review_step_has_a_row_with_the_domain_default(demo):
    create_step_deadlines()
    rows = {(r.procedure, r.step): r.days for r in StepDeadline.objects.exclude(procedure="inspection")}
    assert rows == DOMAIN_DEFAULTS  # (the made-up test procedure has its own two rows)


def test_the_administrators_figure_holds_and_survives_the_next_migration(demo, driver, users):
    create_step_deadlines()
    StepDeadline.objects.filter(procedure="clinic_filing", step="township_review").update(days=7)
    create_step_deadlines()  # what post_migrate runs: it never overwrites
    assert StepDeadline.objects.get(procedure="clinic_filing", step="township_review").days == 7
    case = driver.submit()
    task = case.task_set.get(flow_task_type="HUMAN", status="NEW")
    assert task.due == add_working_days(timezone.localdate(), 7)


def test_the_admin_edits_the_days_and_cannot_add_or_delete_steps(demo, users):
    create_step_deadlines()
    client = Client()
    client.force_login(users("admin"))
    page = client.get("/admin/workflows/stepdeadline/").content.decode()
    assert "属地初审" in page and "养老机构内设医疗机构备案" in page
    assert client.get("/admin/workflows/stepdeadline/add/").status_code == 403
    row = StepDeadline.objects.get(procedure="cooperation", step="health_review")
    response = client.post(f"/admin/workflows/stepdeadline/{row.pk}/change/", {"days": "0"})
    assert response.status_code == 200 and StepDeadline.objects.get(pk=row.pk).days == 5  # 0 is refused
    client.post(f"/admin/workflows/stepdeadline/{row.pk}/change/", {"days": "4"})
    assert StepDeadline.objects.get(pk=row.pk).days == 4
