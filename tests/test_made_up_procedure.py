"""A new procedure costs no change to shared code: the made-up one (tests/made_up_procedure) runs end to end.

It appears in the case list, on its case page with its facts and timeline, in the
township's and 卫健局's queues, in the API's case endpoints, and it issues its own
signed document — all from its declaration alone.
"""

import pytest

from common import procedures
from workflows import scoping

from .test_clinic_filing_api import api_as
from .web import WebUser

pytestmark = pytest.mark.django_db


def test_a_registered_procedure_runs_through_every_shared_door(users, django_capture_on_commit_callbacks):
    assert procedures.get("inspection").case_code == "ZZ"
    applicant = api_as("inst-welfare-centre")
    created = applicant.post("/api/v1/cases/inspection/", {"subject": "消防设施年度检查"}, format="json")
    assert created.status_code == 201, created.content
    case = created.json()
    case_no = case["case_no"]
    assert case_no.split("-")[2] == "ZZ" and case["procedure"] == "inspection"
    assert case["data"] == {"subject": "消防设施年度检查"} and [s["name"] for s in case["steps"]] == ["township_review"]

    # The shared pages: the list (with its procedure filter) and the case page with facts and timeline.
    home = WebUser("inst-welfare-centre")
    assert case_no in home.get("/cases/?procedure=inspection").content.decode()
    page = home.get(f"/cases/{case_no}/").content.decode()
    assert "申请检查（测试用）" in page and "消防设施年度检查" in page and "属地审核" in page

    # The queues, and the shared decision pages.
    for reviewer in ("twp-anwen", "health-1"):
        client = WebUser(reviewer)
        queue = client.get("/tasks/?view=queue&procedure=inspection").content.decode()
        assert case_no in queue, reviewer
        task = scoping.task_queue(users(reviewer)).get(process__case_no=case_no)
        assert client.post(f"/tasks/{task.pk}/claim/").status_code == 302
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(f"/tasks/{task.pk}/", {"decision": "approve"}).status_code == 302

    final = applicant.get(f"/api/v1/cases/{case_no}/").json()
    assert final["status"] == "approved"
    assert [s["name"] for s in final["steps"]] == ["township_review", "health_review"]
    kinds = {d["kind"]: d for d in final["documents"]}
    assert kinds["inspection_notice"]["status"] == "issued" and kinds["inspection_notice"]["number"].startswith(
        "磐卫医养检〔"
    )
    timeline = home.get(f"/cases/{case_no}/").content.decode()
    assert "卫健局审核" in timeline and "检查通知书" in timeline
    assert case_no not in api_as("inst-xinwo-home").get("/api/v1/cases/").content.decode()
