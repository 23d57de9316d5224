"""Document numbers (文号): 磐卫医养备〔2026〕12号 — unit, kind, year, a sequence per unit and kind."""

from django.utils import timezone

from common.numbering import take_next

from .issuers import Issuer
from .kinds import get_kind


def series_key(issuer: Issuer, kind: str) -> str:
    """One series per issuing unit and kind of document (发文字号: 磐卫医养备 and 磐卫医养协 count apart)."""
    return f"doc:{issuer.key}:{get_kind(kind).series}"


def new_document_number(issuer: Issuer, kind: str) -> str:
    """Take the next number of the unit's series for this kind and year, from 1; never handed out twice."""
    year = timezone.localdate().year
    sequence = take_next(series_key(issuer, kind), year)
    return f"{issuer.doc_prefix}{get_kind(kind).series}〔{year}〕{sequence}号"
