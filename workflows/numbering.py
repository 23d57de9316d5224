"""Numbers that are unique and never reused: case numbers and filing numbers.

The county's part of each number (case prefix, division code) is read from its row,
so an edit in the admin changes later numbers only; the sequences are keyed without
it and so never restart.
"""

from django.db import transaction
from django.utils import timezone

from institutions.county import current_county

from .models import NumberSequence
from .models.case import CASE_NUMBER_CODES


def take_next(series: str, year: int) -> int:
    """Take the next number of a series for a year, under a row lock.

    Must run inside the transaction that stores the number: the row stays locked
    until it commits, so two concurrent callers get consecutive numbers and a
    rolled-back caller gives its number back instead of leaving a hole in use.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("take_next() must run inside a transaction")
    # INSERT .. ON CONFLICT DO NOTHING: the first caller of a new year creates the row,
    # a concurrent one waits on the unique index and then finds it.
    NumberSequence.objects.bulk_create([NumberSequence(series=series, year=year)], ignore_conflicts=True)
    sequence = NumberSequence.objects.select_for_update().get(series=series, year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return sequence.last


def new_case_number(procedure: str) -> str:
    """<prefix>-2026-BA-000123: the county's case prefix, year of submission, procedure, sequence."""
    year = timezone.localdate().year
    code = CASE_NUMBER_CODES[procedure]
    return f"{current_county().case_prefix}-{year}-{code}-{take_next(f'case:{code}', year):06d}"


def new_filing_number() -> str:
    """The 备案编号 卫健局 gives a filed clinic: <division code>-YLNS-2026-0001 (the county's code, year, sequence)."""
    year = timezone.localdate().year
    return f"{current_county().division_code}-YLNS-{year}-{take_next('filing:clinic', year):04d}"
