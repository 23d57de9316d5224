"""Numbers that are unique and never reused: one counter per series and year, taken under a row lock.

Every series of the product — case numbers per procedure, filing numbers, each issuing
unit's document series — takes its numbers here.
"""

from django.db import connection, transaction

from .models import NumberSequence


def take_next(series: str, year: int) -> int:
    """Take the next number of a series for a year, under a row lock.

    Must run inside the transaction that stores the number: the row stays locked
    until it commits, so two concurrent callers get consecutive numbers and a
    rolled-back caller gives its number back instead of leaving a hole in use.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("take_next() must run inside a transaction")
    # One statement on both databases (PostgreSQL; SQLite 3.35+): the first caller of a new
    # year creates the row with 1, every later one adds 1 — and holds the row lock until
    # its transaction ends, so a concurrent caller waits and then counts on from it.
    table = connection.ops.quote_name(NumberSequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (series, year, last) VALUES (%s, %s, 1) "
            f"ON CONFLICT (series, year) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [series, year],
        )
        (number,) = cursor.fetchone()
    return int(number)
