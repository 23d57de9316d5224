"""Documents are issued by a real Celery worker: enqueued on commit through Redis, idempotent."""

import time

import pytest

from config.celery import app as celery_app
from documents.models import Document, DocumentStatus
from documents.tasks import issue_document

from .conftest import require_services
from .worker import WorkerProcess

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def worker():
    require_services(postgres=True, redis=True)
    process = WorkerProcess().start()
    previous = process.route_tasks_here()
    yield process
    celery_app.conf.task_always_eager, celery_app.conf.task_default_queue = previous
    process.stop()


def wait_until_issued(case, count: int, timeout: float = 90) -> list[Document]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        documents = list(Document.objects.filter(case=case).order_by("id"))
        if len(documents) == count and all(d.status == DocumentStatus.ISSUED for d in documents):
            return documents
        time.sleep(0.5)
    raise AssertionError(f"documents not issued in {timeout}s: {[(d.kind, d.status, d.last_error) for d in documents]}")


def wait_for_log(worker: WorkerProcess, text: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in open(worker.log.name, encoding="utf-8", errors="replace").read():
            return
        time.sleep(0.3)
    raise AssertionError(f"worker log never showed {text!r}")


def test_worker_issues_the_documents_once_the_decision_commits(demo, driver, users, worker):
    case = driver.submit()
    driver.file(case)  # a transactional test: on_commit hooks run for real and enqueue on Redis
    documents = wait_until_issued(case, 2)
    certificate = next(d for d in documents if d.kind == "filing_certificate")
    assert certificate.file.read().startswith(b"%PDF")
    first_hash, first_name = certificate.sha256, certificate.file.name

    # The task running twice (a redelivered message) changes nothing.
    again = issue_document.delay(certificate.pk)
    wait_for_log(worker, f"issue_document[{again.id}] succeeded")
    certificate.refresh_from_db()
    assert (certificate.sha256, certificate.file.name) == (first_hash, first_name)
    assert Document.objects.filter(case=case, kind="filing_certificate").count() == 1
