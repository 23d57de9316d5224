"""Numbers that are unique and never reused: case numbers and filing numbers.

The county's part of each number (case prefix, division code) is read from its row,
so an edit in the admin changes later numbers only; the sequences are keyed without
it and so never restart.
"""

from django.utils import timezone

from common import procedures
from common.numbering import take_next
from institutions.county import current_county


def new_case_number(procedure: str) -> str:
    """<prefix>-2026-BA-000123: the county's case prefix, year of submission, procedure, sequence."""
    year = timezone.localdate().year
    code = procedures.get(procedure).case_code
    return f"{current_county().case_prefix}-{year}-{code}-{take_next(f'case:{code}', year):06d}"


def new_filing_number() -> str:
    """The 备案编号 卫健局 gives a filed clinic: <division code>-YLNS-2026-0001 (the county's code, year, sequence)."""
    year = timezone.localdate().year
    return f"{current_county().division_code}-YLNS-{year}-{take_next('filing:clinic', year):04d}"
