"""The task queues and case lists can be searched, narrowed to a procedure and sorted — on the pages and in the API."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from workflows.models import CaseTask

from .test_clinic_filing_api import api_as
from .test_cooperation_web import form_data
from .web import WebUser

pytestmark = pytest.mark.django_db


@pytest.fixture
def anwen_queue(driver, users):
    """Three cases waiting in twp-anwen's 待领取: two filings and an agreement, due on different days."""
    first = driver.submit("inst-welfare-centre")
    second = driver.submit("inst-anwen-qinchunyuan")
    home = WebUser("inst-welfare-centre")
    assert home.post("/cases/new/cooperation/", form_data(users)).status_code == 302
    agreement = home.client.get("/cases/").context["page"].object_list[0]
    WebUser("inst-anwen-chc").post(f"/cases/{agreement.case_no}/confirm/")
    today = timezone.localdate()
    for case, days in ((first, 3), (second, 1), (agreement, 2)):
        CaseTask.objects.filter(process=case, status="NEW", flow_task_type="HUMAN").update(
            due=today + timedelta(days=days)
        )
    return first, second, agreement


def listed(page: str) -> list[str]:
    return re.findall(r"PA-\d{4}-[A-Z]{2}-\d{6}", page.split('id="task-table"')[1])


def test_the_queue_is_searched_filtered_and_sorted_on_the_page(anwen_queue):
    first, second, agreement = anwen_queue
    reviewer = WebUser("twp-anwen")
    assert listed(reviewer.get("/tasks/?view=queue").content.decode()) == [
        second.case_no,
        agreement.case_no,
        first.case_no,
    ]
    assert listed(reviewer.get("/tasks/?view=queue&sort=-due").content.decode()) == [
        first.case_no,
        agreement.case_no,
        second.case_no,
    ]
    assert listed(reviewer.get(f"/tasks/?view=queue&q={first.case_no[-9:]}").content.decode()) == [first.case_no]
    assert listed(reviewer.get("/tasks/?view=queue&q=沁春园").content.decode()) == [second.case_no]
    assert listed(reviewer.get("/tasks/?view=queue&procedure=cooperation").content.decode()) == [agreement.case_no]
    nothing = reviewer.get("/tasks/?view=queue&q=不存在的机构").content.decode()
    assert listed(nothing) == [] and "没有符合条件的任务" in nothing
    # A malformed value is ignored on a page, never an error.
    assert reviewer.get("/tasks/?view=queue&sort=bogus&procedure=x").status_code == 200


def test_the_inbox_and_archive_take_the_same_filters(anwen_queue, users):
    first, second, _agreement = anwen_queue
    reviewer = WebUser("twp-anwen")
    for case in (first, second):
        task = case.task_set.get(status="NEW", flow_task_type="HUMAN")
        assert reviewer.post(f"/tasks/{task.pk}/claim/").status_code == 302
    assert listed(reviewer.get("/tasks/?view=inbox&q=福利中心").content.decode()) == [first.case_no]
    task = first.task_set.get(status="ASSIGNED")
    assert reviewer.post(f"/tasks/{task.pk}/", {"decision": "approve"}).status_code == 302
    assert listed(reviewer.get("/tasks/?view=archive&procedure=clinic_filing").content.decode()) == [first.case_no]
    assert listed(reviewer.get("/tasks/?view=archive&procedure=cooperation").content.decode()) == []


def test_the_api_takes_the_same_filter_names_and_refuses_malformed_ones(anwen_queue):
    first, second, agreement = anwen_queue
    client = api_as("twp-anwen")
    rows = client.get("/api/v1/tasks/?view=queue&sort=due").json()["results"]
    assert [r["case_no"] for r in rows] == [second.case_no, agreement.case_no, first.case_no]
    rows = client.get("/api/v1/tasks/?view=queue&q=沁春园").json()["results"]
    assert [r["case_no"] for r in rows] == [second.case_no]
    rows = client.get("/api/v1/tasks/?view=queue&procedure=cooperation").json()["results"]
    assert [r["case_no"] for r in rows] == [agreement.case_no]
    for bad in ("sort=sideways", "procedure=x", f"q={'长' * 41}"):
        response = client.get(f"/api/v1/tasks/?view=queue&{bad}")
        assert response.status_code == 400 and response.json()["error"]["code"] == "invalid", bad
    cases = client.get(f"/api/v1/cases/?q={first.case_no}").json()["results"]
    assert [c["case_no"] for c in cases] == [first.case_no]


def test_the_auditor_filters_cases_by_township(driver):
    anwen = driver.submit("inst-welfare-centre")
    xinwo = driver.submit("inst-xinwo-home")
    auditor = WebUser("auditor")
    page = auditor.get("/cases/").content.decode()
    assert 'name="township"' in page and "新渥街道" in page
    filtered = auditor.get("/cases/?township=xinwo").content.decode()
    assert xinwo.case_no in filtered and anwen.case_no not in filtered
    # The applicant has one township: no such filter for it.
    assert 'name="township"' not in WebUser("inst-welfare-centre").get("/cases/").content.decode()
