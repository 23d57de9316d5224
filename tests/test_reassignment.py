"""A unit head reassigns a task: an empty first choice, a reason, and the move on the case's timeline."""

import pytest

from audit.models import AuditEvent

from .test_clinic_filing_api import api_as
from .web import WebUser

pytestmark = pytest.mark.django_db


@pytest.fixture
def claimed(driver, users):
    """A township step claimed by twp-anwen, and a second reviewer of 安文街道 to move it to."""
    from permissions.services import create_user

    create_user(
        username="twp-anwen-2",
        password="x" * 16,
        roles={"township_reviewer"},
        display_name="周审核",
        township=users("twp-anwen").township,
    )
    case = driver.submit()
    task = driver.open_task(case, "twp-anwen")
    from workflows import services

    services.claim_task(user=users("twp-anwen"), task_id=task.pk)
    return case, task


def test_the_head_picks_a_reviewer_gives_a_reason_and_everyone_sees_the_move(claimed, snapshot):
    case, task = claimed
    head = WebUser("twp-anwen-head")
    page = head.get(f"/tasks/{task.pk}/").content.decode()
    form = page.split('id="reassign"')[1]
    # The choice starts empty, and both fields are labelled.
    assert '<option value="" selected>请选择审核人员</option>' in form
    assert (
        '<label for="id_to" class="required">改派给' in form
        and '<label for="id_reason" class="required">改派原因' in form
    )

    # Without a reason (or a person) nothing moves, and the page says what is missing.
    before = snapshot()
    refused = head.post(f"/tasks/{task.pk}/reassign/", {"to": "twp-anwen-2", "reason": ""})
    assert refused.status_code == 200 and "改派原因：该字段是必填项。" in refused.content.decode()
    refused = head.post(f"/tasks/{task.pk}/reassign/", {"to": "", "reason": "休假"})
    assert "改派给：该字段是必填项。" in refused.content.decode()
    assert snapshot() == before

    done = head.post(f"/tasks/{task.pk}/reassign/", {"to": "twp-anwen-2", "reason": "原经办人休假一周"})
    assert done.status_code == 302
    task.refresh_from_db()
    assert task.owner.username == "twp-anwen-2"
    event = AuditEvent.objects.get(action="task_reassigned", case_no=case.case_no)
    assert event.detail["from"] == "twp-anwen" and event.detail["to"] == "twp-anwen-2"
    assert event.detail["reason"] == "原经办人休假一周" and event.actor_name == "twp-anwen-head"

    # The applicant's case page and the new holder's task page both tell the story.
    pages = {
        "applicant's case page": WebUser("inst-welfare-centre").get(f"/cases/{case.case_no}/"),
        "new holder's task page": WebUser("twp-anwen-2", password="x" * 16).get(f"/tasks/{task.pk}/"),
    }
    for name, response in pages.items():
        page = response.content.decode()
        assert "任务改派" in page and "由安文街道审核员改派给周审核，原因：原经办人休假一周" in page, name


def test_the_api_records_the_reason_too(claimed):
    case, task = claimed
    response = api_as("twp-anwen-head").post(
        f"/api/v1/tasks/{task.pk}/reassign/", {"to": "twp-anwen-2", "reason": "工作量调整"}, format="json"
    )
    assert response.status_code == 200 and response.json()["assignee"] == "twp-anwen-2"
    steps = api_as("inst-welfare-centre").get(f"/api/v1/cases/{case.case_no}/").json()["steps"]
    assert steps[0]["assignee"] == "twp-anwen-2"
    assert AuditEvent.objects.get(action="task_reassigned").detail["reason"] == "工作量调整"
    bad = api_as("twp-anwen-head").post(
        f"/api/v1/tasks/{task.pk}/reassign/", {"to": "twp-anwen", "reason": ["x"]}, format="json"
    )
    assert bad.status_code == 400
