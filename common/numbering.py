"""Numbers that are unique and never reused: one counter per series and year, taken under a row lock.

Every series of the product — case numbers per procedure, filing numbers, each issuing
unit's document series — takes its numbers here.
"""

from django.db import transaction

from .models import NumberSequence


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
