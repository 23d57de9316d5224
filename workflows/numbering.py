"""Numbers that are unique and never reused: case numbers and filing numbers."""

from django.utils import timezone

from common import procedures
from common.numbering import take_next

COUNTY_PREFIX = "PA"  # 磐安


def new_case_number(procedure: str) -> str:
    """PA-2026-BA-000123: county, year of submission, procedure, sequence."""
    year = timezone.localdate().year
    code = procedures.get(procedure).case_code
    return f"{COUNTY_PREFIX}-{year}-{code}-{take_next(f'case:{code}', year):06d}"


def new_filing_number() -> str:
    """The 备案编号 卫健局 gives a filed clinic: 330727 (Panan's division code), year, sequence."""
    year = timezone.localdate().year
    return f"330727-YLNS-{year}-{take_next('filing:clinic', year):04d}"
