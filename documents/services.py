"""Requesting, issuing and correcting official documents."""

import hashlib
import logging
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record
from common.compiled import compiled_get
from common.errors import Conflict, Forbidden, InvalidInput
from common.row_statements import insert_rows
from common.validators import validate_plain_text
from institutions.models import Department, Township
from permissions.grants import grants_for
from permissions.roles import HEAD_DEPARTMENT, HEAD_TOWNSHIP, Role

from .issuers import Issuer, issuer_for, issuer_from_json
from .models import Document, DocumentStatus
from .numbering import new_document_numbers

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Wanted:
    """A document a decision asks for: its kind, its issuing units, and whose series numbers it.

    ``number_from`` defaults to the first issuer, e.g. an agreement signed by two
    institutions and two bureaus is numbered by 卫健局 (``number_from=health``).
    """

    kind: str
    issuers: list
    number_from: Any = None


def request_documents(
    *, case, wanted: list[Wanted], supersedes: Document | None = None, reason: str = ""
) -> list[Document]:
    """Create the pending documents with their numbers and have them issued once the transaction commits.

    Runs inside the transaction that decides the case, so a decision never commits
    without its document rows, and a rolled-back decision takes its numbers back.
    Idempotent: asking twice for the same case, kind and version returns the first row.
    However many documents a decision asks for, it costs three statements: one read of
    those already there, one take of all the numbers (common.numbering.take_next_many),
    one INSERT of the rows; their audit events follow, each naming its document.
    """
    version = supersedes.version + 1 if supersedes else 1
    kinds = [item.kind for item in wanted]
    existing = {row.kind: row for row in _already_requested(case, kinds, version)}
    missing = [item for item in wanted if item.kind not in existing]
    if missing:
        issuers = [[_as_issuer(unit) for unit in item.issuers] for item in missing]
        numbered_by = [
            _as_issuer(item.number_from) if item.number_from is not None else units[0]
            for item, units in zip(missing, issuers, strict=True)
        ]
        numbers = new_document_numbers([(unit, item.kind) for unit, item in zip(numbered_by, missing, strict=True)])
        created = [
            Document(
                case=case,
                kind=item.kind,
                version=version,
                number=number,
                number_issuer=numbering.as_json(),
                issuers=[unit.as_json() for unit in units],
                supersedes=supersedes,
                correction_reason=reason,
            )
            for item, units, numbering, number in zip(missing, issuers, numbered_by, numbers, strict=True)
        ]
        insert_rows(created, using=transaction.get_connection().alias)  # one INSERT (common/row_statements.py)
        for document in created:
            existing[document.kind] = document
            record(
                action="document_requested",
                case_no=case.case_no,
                detail={"document": document.pk, "kind": document.kind, "number": document.number, "version": version},
            )
            transaction.on_commit(partial(_enqueue_after_commit, document.pk))
    return [existing[kind] for kind in kinds]


def _already_requested(case, kinds: list[str], version: int) -> list[Document]:
    """The case's documents of these kinds and version — none, but for a retry — by a statement compiled once.

    Every closing asks; building the SELECT cost Django twice what PostgreSQL takes to
    answer it (common/compiled.py), and a procedure asks for the same kinds each time.
    """
    reader = compiled_get(
        ("documents_requested", transaction.get_connection().alias, tuple(kinds), version),
        lambda: Document.objects.filter(kind__in=kinds, version=version),
        by="case_id",
        limit=None,
    )
    return reader.rows(case.pk)  # type: ignore[return-value]


def _enqueue_after_commit(document_id: int) -> None:
    enqueue_issue(document_id)  # looked up when it runs: the benches replace enqueue_issue


def request_document(
    *, case, kind: str, issuers: list, number_from=None, supersedes: Document | None = None, reason: str = ""
) -> Document:
    """One document, as request_documents asks for several (a correction: ``supersedes`` and its ``reason``)."""
    [document] = request_documents(
        case=case, wanted=[Wanted(kind, issuers, number_from)], supersedes=supersedes, reason=reason
    )
    return document


def _as_issuer(unit) -> Issuer:
    return unit if isinstance(unit, Issuer) else issuer_for(unit)


def enqueue_issue(document_id: int) -> None:
    """Hand the document to a worker: Celery's, or in the embedded set-up a background thread.

    A failure here must not turn the user's committed decision into an error page:
    the document stays pending and the periodic sweep (tasks.retry_pending_documents)
    tries again.
    """
    from .tasks import issue_document

    try:
        if settings.DOCUMENTS_IN_BACKGROUND_THREAD:
            from .background import issue_in_background

            issue_in_background(document_id)
        else:
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
    pdf, seal_boxes = render_document(document, issued_at=issued_at)
    pdf, signatures = sign_and_validate(document, pdf, seal_boxes)
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document_id)
        if document.status == DocumentStatus.ISSUED:
            return document  # another worker finished first
        document.file.save(
            f"{document.case.case_no}-{document.kind}-v{document.version}.pdf", ContentFile(pdf), save=False
        )
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


def correct_document(*, user, document: Document, reason: object) -> Document:
    """Issue a corrected version with a new number; the old one stays valid-but-superseded.

    ``document`` is one the caller found among those the user may see. Allowed to
    administrators and to the head of the unit that issued it. The new version is
    rendered from the current records (e.g. after the administrator fixed an
    institution's registered name).
    """
    if not can_correct(user, document):
        raise Forbidden(_("只有签发单位的负责人或系统管理员可以更正文书。"))
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason or len(reason) > 200:
        raise InvalidInput(fields={"reason": [_("请填写更正原因（200字以内）。")]})
    try:
        validate_plain_text(reason)
    except ValidationError as error:
        raise InvalidInput(fields={"reason": error.messages}) from None
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        if document.status != DocumentStatus.ISSUED:
            raise Conflict(_("文书尚未签发，不能更正。"), code="not_issued")
        if document.is_superseded:
            raise Conflict(_("该文书已被更正，请更正其最新版本。"), code="superseded")
        issuers = [issuer_from_json(data) for data in document.issuers]
        corrected = request_document(
            case=document.case,
            kind=document.kind,
            issuers=issuers,
            number_from=issuer_from_json(document.number_issuer or document.issuers[0]),
            supersedes=document,
            reason=reason,
        )
        record(
            action="document_corrected",
            actor=user,
            case_no=document.case.case_no,
            detail={"old": document.number, "new": corrected.number, "reason": reason},
        )
    return corrected


def can_correct(user, document: Document) -> bool:
    return Role.ADMIN in user.roles or _heads(user, issuer_from_json(document.number_issuer or document.issuers[0]))


def _heads(user, issuer: Issuer) -> bool:
    grants = grants_for(user)
    if issuer.type == "department":
        department = Department.objects.filter(code=issuer.code).first()
        return department is not None and str(department.pk) in grants.of(HEAD_DEPARTMENT)
    if issuer.type == "township":
        township = Township.objects.filter(code=issuer.code).first()
        return township is not None and str(township.pk) in grants.of(HEAD_TOWNSHIP)
    return False


def note_downloaded(*, user, document: Document, via: str) -> None:
    """An issued document's file was handed to someone (web or API): an event on its case's chain."""
    with transaction.atomic():
        record(
            action="document_downloaded",
            actor=user,
            case_no=document.case.case_no,
            detail={"document": document.pk, "number": document.number, "via": via},
        )


def note_verified(*, document: Document | None, valid: bool, via: str) -> None:
    """Someone checked one of our documents (the QR page or an upload); unknown files are not events."""
    if document is None:
        return
    with transaction.atomic():
        record(
            action="document_verified",
            case_no=document.case.case_no,
            actor_name="public",
            detail={"document": document.pk, "number": document.number, "valid": valid, "via": via},
        )
