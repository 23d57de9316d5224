"""Requesting, issuing and correcting official documents."""

import hashlib
import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from audit.services import record

from .issuers import issuer_for
from .models import Document, DocumentStatus
from .numbering import new_document_number

logger = logging.getLogger(__name__)


def request_document(*, case, kind: str, issuers: list, supersedes: Document | None = None, reason: str = "") -> Document:
    """Create the pending document with its number and have it issued once the transaction commits.

    Runs inside the transaction that decides the case, so a decision never commits
    without its document row, and a rolled-back decision takes its number back.
    Idempotent: asking twice for the same case, kind and version returns the first row.
    """
    version = supersedes.version + 1 if supersedes else 1
    existing = Document.objects.filter(case=case, kind=kind, version=version).first()
    if existing:
        return existing
    refs = [issuer_for(unit) for unit in issuers]
    document = Document.objects.create(
        case=case,
        kind=kind,
        version=version,
        number=new_document_number(refs[0], kind),
        issuers=[ref.as_json() for ref in refs],
        supersedes=supersedes,
        correction_reason=reason,
    )
    record(
        action="document_requested",
        case_no=case.case_no,
        detail={"document": document.pk, "kind": kind, "number": document.number, "version": version},
    )
    transaction.on_commit(lambda: enqueue_issue(document.pk))
    return document


def enqueue_issue(document_id: int) -> None:
    """Hand the document to a worker; in the embedded set-up this renders it right away.

    A failure here must not turn the user's committed decision into an error page:
    the document stays pending and the periodic sweep (tasks.retry_pending_documents)
    tries again.
    """
    from .tasks import issue_document

    try:
        issue_document.delay(document_id)
    except Exception:
        logger.exception("could not issue document %s now; the sweep will retry", document_id)


def issue(document_id: int) -> Document:
    """Render (and sign) the document and store it. Safe to run twice: the first stored file wins."""
    from .rendering import render_document
    from .signing import sign_and_validate

    document = Document.objects.select_related("case").get(pk=document_id)
    if document.status == DocumentStatus.ISSUED:
        return document
    issued_at = timezone.now()
    pdf = render_document(document, issued_at=issued_at)
    pdf, signatures = sign_and_validate(document, pdf)
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document_id)
        if document.status == DocumentStatus.ISSUED:
            return document  # another worker finished first
        document.file.save(f"{document.case.case_no}-{document.kind}-v{document.version}.pdf", ContentFile(pdf), save=False)
        document.sha256 = hashlib.sha256(pdf).hexdigest()
        document.size = len(pdf)
        document.status = DocumentStatus.ISSUED
        document.issued_at = issued_at
        document.attempts += 1
        document.last_error = ""
        document.save()
        for order, signature in enumerate(signatures, 1):
            document.signatures.create(order=order, **signature)
        record(
            action="document_issued",
            case_no=document.case.case_no,
            detail={"document": document.pk, "number": document.number, "sha256": document.sha256},
        )
    return document


def note_failure(document_id: int, error: str, *, final: bool) -> None:
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document_id)
        if document.status == DocumentStatus.ISSUED:
            return
        document.attempts += 1
        document.last_error = error[:2000]
        if final:
            document.status = DocumentStatus.FAILED
        document.save(update_fields=["attempts", "last_error", "status"])
