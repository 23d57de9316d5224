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
    return take_next_many([series], year)[0]


def take_next_many(series: list[str], year: int) -> list[int]:
    """take_next() for several series at once, in one statement; the numbers in the order of ``series``.

    A closing decision numbers two or three documents, each in its own series. The rows
    are locked in the order of their keys, whoever asks, so two decisions that take
    numbers of the same series never wait on each other in a cycle. A series named
    twice gets two consecutive numbers, taken one after the other (an upsert cannot
    change one row twice).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("take_next() must run inside a transaction")
    if len(set(series)) != len(series):
        return [take_next_many([name], year)[0] for name in series]
    # One statement on both databases (PostgreSQL; SQLite 3.35+): the first caller of a new
    # year creates the row with 1, every later one adds 1 — and holds the row lock until
    # its transaction ends, so a concurrent caller waits and then counts on from it.
    table = connection.ops.quote_name(NumberSequence._meta.db_table)
    ordered = sorted(series)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (series, year, last) VALUES "
            + ", ".join(["(%s, %s, 1)"] * len(ordered))
            + f" ON CONFLICT (series, year) DO UPDATE SET last = {table}.last + 1 RETURNING series, last",
            [value for name in ordered for value in (name, year)],
        )
        taken = dict(cursor.fetchall())
    return [int(taken[name]) for name in series]
