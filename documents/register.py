"""The register of issued documents (发文登记簿): every number a unit took, with whom and when it was issued.

A number is taken when the deciding transaction creates the row, so the register lists
every numbered document — issued, still being signed, or failed — and a gap in a
unit's series would show. ``year`` is the year of the number (the 〔2026〕 in it), which
is the local year the row was created in; ``unit`` is the code of the unit whose series
numbered it (a bureau's ``health``, a township's ``anwen``).
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, QuerySet

from .models import Document, DocumentSignature


@dataclass(frozen=True)
class RegisterLine:
    id: int
    number: str
    kind: str
    kind_label: str
    version: int
    case_no: str
    issued_to: str
    issuer: str
    status: str
    status_label: str
    issued_at: datetime | None
    signers: list[str]
    superseded_by: str  # the number of the version that replaced it, or ""


def register(*, year: int | None = None, unit: str = "") -> QuerySet:
    """Numbered documents, newest first, with what their lines need in a fixed number of queries."""
    documents = (
        Document.objects.select_related("case__institution", "superseded_by")
        .prefetch_related(
            "case__parties__institution",
            Prefetch("signatures", queryset=DocumentSignature.objects.order_by("order")),
        )
        .order_by("-requested_at", "-id")
    )
    if year is not None:
        documents = documents.filter(requested_at__year=year)
    if unit:
        documents = documents.filter(number_issuer__code=unit)
    return documents


def register_line(document: Document) -> RegisterLine:
    parties = [party.institution.name for party in document.case.parties.all()]
    signed = [signature.signer for signature in document.signatures.all()]
    successor = getattr(document, "superseded_by", None)
    return RegisterLine(
        id=document.pk,
        number=document.number,
        kind=document.kind,
        kind_label=document.get_kind_display(),
        version=document.version,
        case_no=document.case.case_no,
        issued_to="、".join(parties) or document.case.institution.name,
        issuer=str(document.number_issuer.get("name", "")),
        status=document.status,
        status_label=document.get_status_display(),
        issued_at=document.issued_at,
        signers=signed or [str(issuer.get("name", "")) for issuer in document.issuers],
        superseded_by=successor.number if successor is not None else "",
    )
