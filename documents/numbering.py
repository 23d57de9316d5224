"""Document numbers (文号): 磐卫医养备〔2026〕12号 — unit, kind, year, per-unit sequence."""

from django.utils import timezone

from workflows.numbering import take_next

from .issuers import Issuer
from .models import DocumentKind

KIND_CODES = {
    DocumentKind.FILING_CERTIFICATE: "医养备",
    DocumentKind.REJECTION_NOTICE: "医养不予",
    DocumentKind.APPROVAL_RECORD: "医养审记",
    DocumentKind.COOPERATION_AGREEMENT: "医养协",
    DocumentKind.TERMINATION_NOTICE: "医养终",
    DocumentKind.SUBSIDY_DECISION: "医养补",
}


def new_document_number(issuer: Issuer, kind: str) -> str:
    """Take the issuing unit's next number of the year; it is never handed out twice."""
    year = timezone.localdate().year
    sequence = take_next(f"doc:{issuer.key}", year)
    return f"{issuer.doc_prefix}{KIND_CODES[kind]}〔{year}〕{sequence}号"
