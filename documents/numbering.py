"""Document numbers (文号): <代字>医养备〔2026〕12号 — the unit's 发文代字, kind, year, a sequence per unit and kind.

The 代字 is the issuing unit's own (a bureau's from departments.csv, a township's from
townships.csv, both editable in the admin); this module adds only kind, year and sequence.
"""

from django.utils import timezone

from common.numbering import take_next_many

from .issuers import Issuer
from .kinds import get_kind


def series_key(issuer: Issuer, kind: str) -> str:
    """One series per issuing unit and kind of document (发文字号: one unit's 医养备 and 医养协 count apart).

    Keyed by the unit's code, not its 代字, so editing a 代字 continues the same series.
    """
    return f"doc:{issuer.key}:{get_kind(kind).series}"


def new_document_number(issuer: Issuer, kind: str) -> str:
    """Take the next number of the unit's series for this kind and year, from 1; never handed out twice."""
    return new_document_numbers([(issuer, kind)])[0]


def new_document_numbers(wanted: list[tuple[Issuer, str]]) -> list[str]:
    """The next number of each (unit, kind)'s series, all taken in one statement (common.numbering.take_next_many)."""
    year = timezone.localdate().year
    sequences = take_next_many([series_key(issuer, kind) for issuer, kind in wanted], year)
    return [
        f"{issuer.doc_prefix}{get_kind(kind).series}〔{year}〕{sequence}号"
        for (issuer, kind), sequence in zip(wanted, sequences, strict=True)
    ]
