"""Issuing documents beside the web process when there is no Celery worker (the embedded set-up).

Without a broker Celery runs a task eagerly, in the request that enqueued it: the click
that decided a case waited 1.5–6.6 s for its PDFs to be rendered and signed. Here the
embedded set-up hands each document to one background thread instead, so the click
returns at once and the case page shows the documents as 生成中 until they are issued.
One thread, because rendering is CPU-bound and SQLite takes one writer at a time.

The first hand-over also re-sends every document still pending, so documents whose
thread died with a restarted development server are issued on the next decision
(with a broker, the beat's retry_pending_documents sweep does that job).
"""

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from django.db import connection

logger = logging.getLogger(__name__)

_executor: ThreadPoolExecutor | None = None
_lock = threading.Lock()


def _issue(document_id: int) -> None:
    from .tasks import issue_document

    try:
        issue_document.apply(args=(document_id,))
    except Exception:
        logger.exception("document %s could not be issued in the background", document_id)
    finally:
        connection.close()  # this thread's own connection; the next job opens a fresh one


def _resend_pending() -> None:
    from .models import Document, DocumentStatus

    try:
        pending = list(Document.objects.filter(status=DocumentStatus.PENDING).values_list("pk", flat=True))
    finally:
        connection.close()
    for document_id in pending:
        _issue(document_id)


def _pool() -> ThreadPoolExecutor:
    global _executor
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="documents")
            _executor.submit(_resend_pending)
        return _executor


def issue_in_background(document_id: int) -> Future:
    return _pool().submit(_issue, document_id)


def wait_for_background_documents(timeout: float = 60) -> None:
    """Block until every document handed over so far is done (tests and management commands)."""
    _pool().submit(lambda: None).result(timeout=timeout)
