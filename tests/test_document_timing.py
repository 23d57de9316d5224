"""The deciding click does not wait for the PDFs: in the embedded set-up a background thread issues them."""

import threading

import pytest
from django.test import override_settings

from documents import services as document_services
from documents.background import wait_for_background_documents
from workflows.models import Case

from .web import WebUser

pytestmark = pytest.mark.django_db(transaction=True)


@override_settings(DOCUMENTS_IN_BACKGROUND_THREAD=True)
def test_the_filing_click_returns_before_the_documents_and_the_page_shows_them_being_prepared(driver, monkeypatch):
    case = driver.to_step(driver.submit(), "health_filing")
    release, started = threading.Event(), threading.Event()
    real_issue = document_services.issue

    def held_issue(document_id):
        started.set()
        assert release.wait(30), "the test never released the renderer"
        return real_issue(document_id)

    monkeypatch.setattr(document_services, "issue", held_issue)
    reviewer = WebUser("health-1")
    task = case.task_set.get(status="NEW", flow_task_type="HUMAN")
    assert reviewer.post(f"/tasks/{task.pk}/claim/").status_code == 302
    try:
        # The renderer is held: the decision can only come back if it does not wait for it.
        response = reviewer.post(f"/tasks/{task.pk}/", {"decision": "approve"})
        assert response.status_code == 302
        assert started.wait(10), "no document was handed to the background thread"
        case = Case.objects.get(pk=case.pk)
        assert case.state == "approved"
        assert set(case.documents.values_list("status", flat=True)) == {"pending"}
        page = WebUser("inst-welfare-centre").get(f"/cases/{case.case_no}/").content.decode()
        assert "文书正在生成并签章" in page and 'http-equiv="refresh"' in page and "生成中" in page
    finally:
        release.set()
        wait_for_background_documents()
    assert set(case.documents.values_list("status", flat=True)) == {"issued"}
    page = WebUser("inst-welfare-centre").get(f"/cases/{case.case_no}/").content.decode()
    assert "下载 PDF" in page and "文书正在生成并签章" not in page and 'http-equiv="refresh"' not in page
