"""Celery tasks that issue documents, with retries and a sweep for what got stuck."""

import gc
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from . import services
from .models import Document, DocumentStatus

MAX_ATTEMPTS = 5


@shared_task(bind=True, acks_late=True, max_retries=MAX_ATTEMPTS - 1, default_retry_delay=10)
def issue_document(self, document_id: int) -> str:
    """Render, sign, validate and store one document; idempotent, retried with back-off."""
    try:
        document = services.issue(document_id)
    except Document.DoesNotExist:
        return "missing"
    except Exception as error:
        final = self.request.retries >= self.max_retries
        services.note_failure(document_id, repr(error), final=final)
        if final:
            raise
        raise self.retry(exc=error, countdown=10 * 2**self.request.retries) from error
    finally:
        collect_render_garbage()
    return document.status


def collect_render_garbage() -> None:
    """Free what a render left in reference cycles, now rather than whenever the collector gets to it.

    WeasyPrint's layout leaves tens of thousands of objects in cycles per document; a
    worker that only waits for the generational collector grew from 190 MB to 480 MB in
    30 renders and was recycled by its memory limit. One full collection after each
    document (20-40 ms, outside the render's own timing) keeps it near 280 MB
    (bench/worker_memory.py, docs/performance.md).
    """
    if settings.DOCUMENTS_COLLECT_AFTER_RENDER:
        gc.collect()


@shared_task
def retry_pending_documents(older_than_minutes: int = 5) -> int:
    """Re-enqueue documents still pending after a while (a lost message, a crashed worker)."""
    cutoff = timezone.now() - timedelta(minutes=older_than_minutes)
    pending = list(
        Document.objects.filter(status=DocumentStatus.PENDING, requested_at__lt=cutoff).values_list("pk", flat=True)[
            :200
        ]
    )
    for document_id in pending:
        issue_document.delay(document_id)
    return len(pending)


@shared_task
def issue_audit_statement() -> int:
    """The daily signed statement of the audit log (CELERY_BEAT_SCHEDULE)."""
    from .audit_statements import issue_statement

    try:
        return issue_statement().pk
    finally:
        collect_render_garbage()
