"""Appending to the audit log: one chain per case, account or the county, and no shared row.

record() reads its chain's last (seq, hash) through the (chain, seq) index and inserts
the next event: two statements, inside the caller's transaction — one when the caller
read the head with its lock, or when this process wrote the chain's last event itself
(the INSERT then checks that event is still there). Case events are
written under the case's own lock (viewflow locks the process), so writers of two cases
never wait on each other. Should two writers of one chain race anyway (a document worker
and a reviewer), the unique (chain, seq) refuses the second insert without aborting its
transaction (ON CONFLICT DO NOTHING) and it reads the new head and tries again.

Inside ``batched()`` (every action on a task: workflows/services/tasks.py locked_task)
the events are held back and written as the block ends, all of one chain in one INSERT
on PostgreSQL — the five events of a closing decision in one statement — all of them or,
when the head moved, none and again after the new head (_insert_run). A row UPDATE the
action held (common/held_writes.py: the claimed task) goes in front of the first of them,
in the same statement.
"""

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from common import held_writes

from .context import current_ip
from .hashing import GENESIS, canonical_detail, digest
from .models import AuditEvent

COUNTY_CHAIN = "county"
ACCOUNT_PREFIX = "account:"
# Events about the county's own data (no case, whoever made them) share the county chain.
COUNTY_ACTIONS_PREFIXES = ("admin_", "calendar_", "budget_", "policy_", "sample_cases_")
RETRIES = 5
Updates = Sequence[tuple[str, list]]  # held row UPDATEs (common/held_writes.py): (sql, params)


def account_chain(username: str) -> str:
    """The chain of one account's security events (log-ins, lock-outs, role changes)."""
    return ACCOUNT_PREFIX + username[:150]


def chain_for(*, action: str, actor=None, case_no: str = "") -> str:
    """A case's events chain under its number; other events of a person under their account; the rest: county."""
    if case_no:
        return case_no
    if actor is not None and not action.startswith(COUNTY_ACTIONS_PREFIXES):
        return account_chain(actor.username)
    return COUNTY_CHAIN


def _newest_first(chain: Any) -> QuerySet:
    """A chain's events, newest first, through the (chain, seq) index; `chain` a name or an OuterRef."""
    return AuditEvent.objects.filter(chain=chain).order_by("-seq")


def chain_head(chain: str) -> tuple[int, str]:
    """(seq, hash) of the chain's last event, or (0, GENESIS) for a chain not started yet."""
    row = _newest_first(chain).values_list("seq", "hash").first()
    return row if row is not None else (0, GENESIS)


def with_chain_head(rows: QuerySet, case_no: str) -> QuerySet:
    """`rows` annotated with the head (seq, hash) of the case chain named by the path `case_no`.

    A writer that locks and reads its case in one statement reads the chain's head in the
    same statement and passes it to record(previous=…), saving record() its own read.
    """
    last = _newest_first(OuterRef(case_no))
    return rows.annotate(audit_seq=Subquery(last.values("seq")[:1]), audit_hash=Subquery(last.values("hash")[:1]))


def chain_head_of(row: Any) -> tuple[int, str]:
    """The head read by with_chain_head: (0, GENESIS) for a case with no event yet."""
    return (row.audit_seq or 0, row.audit_hash or GENESIS)


def record(
    *,
    action: str,
    actor=None,
    case_no: str = "",
    detail: dict | None = None,
    chain: str | None = None,
    previous: tuple[int, str] | None = None,
    actor_name: str | None = None,
) -> AuditEvent:
    """Append one event inside the caller's transaction (it commits or rolls back with it).

    ``chain`` overrides the default (chain_for); ``previous`` is the chain's head when
    the caller has already read it (it saves a query; a stale one is detected and read
    again); ``actor_name`` names an account that is not a user object (a failed log-in).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record() must run inside the transaction that does the work")
    event = AuditEvent(
        at=timezone.now(),
        actor=actor,
        actor_name=(actor.username if actor is not None else (actor_name or "system"))[:150],
        role=",".join(sorted(actor.roles)) if actor is not None else ("" if actor_name else "system"),
        unit=(actor.unit_label if actor is not None else "")[:100],
        ip=current_ip() or "",
        action=action,
        case_no=case_no,
        detail=canonical_detail(detail),
        chain=chain or chain_for(action=action, actor=actor, case_no=case_no),
    )
    if not _batch_takes(event, previous):
        _append([event], previous=previous)
    return event


# The head each chain was given by this process's last record(): a transaction that writes
# several events of one case (a filing's closing writes four) appends each after the one
# before without reading the chain again. Only a hint — _insert checks, in the same
# statement, that the remembered event is still there and the next seq still free — so it
# is never cleared on rollback, and it is per process, bounded, and shared by threads.
_written: dict[str, tuple[int, str]] = {}
_WRITTEN_MAX = 4096


def _remember(event: AuditEvent) -> None:
    if len(_written) >= _WRITTEN_MAX:
        _written.clear()
    _written[event.chain] = (event.seq, event.hash)


def event_digest(event: AuditEvent) -> str:
    return digest(
        event.chain,
        event.seq,
        event.prev_hash,
        event.at,
        event.actor_id,
        event.actor_name,
        event.role,
        event.unit,
        event.ip,
        event.action,
        event.case_no,
        event.detail,
    )


def _insert(event: AuditEvent, *, after_remembered: bool = False, updates: Updates = ()) -> bool:
    """INSERT … ON CONFLICT (chain, seq) DO NOTHING RETURNING id; False if another writer took the seq.

    Django's bulk_create(ignore_conflicts=True) would not return the id. Both SQLite
    (3.35+) and PostgreSQL speak this statement. With ``after_remembered`` the row goes in
    only if the event it follows (a remembered head, see _written) is still there: a
    head that a rolled-back transaction wrote is not, and the caller reads the real one.
    """
    _, sql, values = _insert_statement(event, after_remembered=after_remembered)
    with connection.cursor() as cursor:
        cursor.execute(*_with_updates(f"{sql} RETURNING {connection.ops.quote_name('id')}", values, updates))
        row = cursor.fetchone()
    if row is None:
        return False
    _stored(event, row[0])
    return True


def _stored(event: AuditEvent, pk: int) -> None:
    """Mark the event as the row the INSERT wrote, as save() would."""
    event.pk = pk
    event._state.adding = False
    event._state.db = connection.alias


def _values(event: AuditEvent, fields: list) -> list:
    return [field.get_db_prep_save(field.pre_save(event, True), connection) for field in fields]


def _insert_statement(event: AuditEvent, *, after_remembered: bool) -> tuple[list, str, list]:
    """The fields, and the INSERT … ON CONFLICT DO NOTHING of one event (without RETURNING) with its values."""
    fields = [field for field in AuditEvent._meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    table = quote(AuditEvent._meta.db_table)
    columns = ", ".join(quote(str(field.column)) for field in fields)
    values = _values(event, fields)
    placeholders = ", ".join(["%s"] * len(fields))
    if after_remembered:
        rows = (
            f"SELECT {placeholders} WHERE EXISTS (SELECT 1 FROM {table} WHERE {quote('chain')} = %s"
            f" AND {quote('seq')} = %s AND {quote('hash')} = %s)"
        )
        values += [event.chain, event.seq - 1, event.prev_hash]
    else:
        rows = f"VALUES ({placeholders})"
    sql = f"INSERT INTO {table} ({columns}) {rows} ON CONFLICT ({quote('chain')}, {quote('seq')}) DO NOTHING"
    return fields, sql, values


# --- a batch: the events of one action, written in one statement per chain ---------------


class _Batch(threading.local):
    """The events held back by the open ``batched()`` block of this thread, each with its savepoint's marker."""

    events: list[tuple[AuditEvent, tuple[int, str] | None, Callable[[], None]]] | None = None


_batch = _Batch()


@contextmanager
def batched() -> Iterator[None]:
    """Hold back the events recorded in this block and write them, chain by chain, as it ends.

    A decision that closes a filing records five events on the case's chain: the decision,
    the filing number, the closing and two document requests. One after the other they
    are five INSERTs; held back they are one (PostgreSQL; elsewhere each is written at
    once, as without the block). The block must run inside the transaction it records
    for, and an exception leaves nothing written.

    An event recorded inside a nested ``atomic()`` that is then rolled back — a savepoint
    its caller rolls back alone and goes on — must not be written. Each held event
    registers a no-op ``on_commit`` marker, and Django drops the callbacks registered
    inside a savepoint it rolls back (documented: "Savepoints" under on_commit); the
    block writes the events whose marker is still registered.
    """
    if connection.vendor != "postgresql" or _batch.events is not None:
        yield
        return
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.batched() must run inside the transaction that does the work")
    _batch.events = []
    try:
        with held_writes.collecting() as held_updates:
            yield
            held_events = _batch.events
            updates = list(held_updates)
    finally:
        _batch.events = None
    still_registered = {id(entry[1]) for entry in connection.run_on_commit}
    kept = [(event, previous) for event, previous, marker in held_events if id(marker) in still_registered]
    _write_held(kept, updates)


def _batch_takes(event: AuditEvent, previous: tuple[int, str] | None) -> bool:
    """Hold the event in the open batch; False when there is none (write it now)."""
    held = _batch.events
    if held is None:
        return False

    def marker() -> None:
        """Runs, doing nothing, after the commit; gone before it if the event's savepoint was rolled back."""

    transaction.on_commit(marker)
    held.append((event, previous, marker))
    return True


def _write_held(held: list[tuple[AuditEvent, tuple[int, str] | None]], updates: Updates) -> None:
    """Each chain's events in one statement; the held row updates (common/held_writes.py) go with the first."""
    chains: dict[str, list[tuple[AuditEvent, tuple[int, str] | None]]] = {}
    for event, previous in held:
        chains.setdefault(event.chain, []).append((event, previous))
    for events in chains.values():
        _append([event for event, _ in events], previous=events[0][1], updates=updates)
        updates = ()
    if updates:
        with connection.cursor() as cursor:
            cursor.execute(*_with_updates("SELECT 1", [], updates))


def _with_updates(sql: str, params: list, updates: Updates) -> tuple[str, list]:
    """``sql`` run after the held UPDATEs, in the same statement (data-modifying WITH: each runs once, to completion)."""
    if not updates:
        return sql, params
    ctes = ", ".join(f"held_{index} AS ({update})" for index, (update, _) in enumerate(updates))
    held_params = [value for _, update_params in updates for value in update_params]
    rest = f", {sql.removeprefix('WITH ')}" if sql.startswith("WITH ") else f" {sql}"
    return f"WITH {ctes}{rest}", [*held_params, *params]


def _append(
    events: list[AuditEvent],
    *,
    previous: tuple[int, str] | None,
    updates: Updates = (),
) -> None:
    """Append events of one chain, in order, in one INSERT: all of them, or none and read the head again.

    The first follows ``previous`` (the head the caller read with its lock), else the head
    this process remembers writing (checked in the INSERT), else the head read now.
    """
    remembered = _written.get(events[0].chain) if previous is None else None
    for attempt in range(RETRIES):
        if attempt == 0 and previous is not None:
            head = previous
        elif attempt == 0 and remembered is not None:
            head = remembered
        else:
            head = chain_head(events[0].chain)
        for event in events:
            event.seq, event.prev_hash = head[0] + 1, head[1]
            event.hash = event_digest(event)
            head = (event.seq, event.hash)
        after_remembered = attempt == 0 and remembered is not None
        written = (
            _insert(events[0], after_remembered=after_remembered, updates=updates)
            if len(events) == 1
            else _insert_run(events, after_remembered=after_remembered, updates=updates)
        )
        updates = ()  # they ran with the first attempt, whether its events went in or not
        if written:
            _remember(events[-1])
            return
    raise RuntimeError(f"could not append to audit chain {events[0].chain!r}: it kept moving")


def _insert_run(events: list[AuditEvent], *, after_remembered: bool, updates: Updates) -> bool:
    """The first event as _insert writes it; the rest in the same statement, only if the first went in.

    The first row takes the next seq or conflicts with another writer's (ON CONFLICT DO
    NOTHING, the statement still succeeds). The later rows go in only when the first
    did (WHERE EXISTS over its RETURNING): once it holds its seq, no other writer can
    have the seqs after it, as every writer appends after a head it has seen. So the
    chain gets all the events or none, and never a row whose predecessor is missing.
    """
    fields, first_sql, first_params = _insert_statement(events[0], after_remembered=after_remembered)
    quote = connection.ops.quote_name
    table, columns = quote(AuditEvent._meta.db_table), ", ".join(quote(str(field.column)) for field in fields)
    typed = ", ".join(
        f"%s::{field.cast_db_type(connection)}" for field in fields
    )  # VALUES in a SELECT: no target types
    later_params = [value for event in events[1:] for value in _values(event, fields)]
    sql = (
        f"WITH first_event AS ({first_sql} RETURNING {quote('id')}, {quote('seq')}), "
        f"later_events AS (INSERT INTO {table} ({columns}) SELECT * FROM (VALUES "
        + ", ".join([f"({typed})"] * (len(events) - 1))
        + f") AS later WHERE EXISTS (SELECT 1 FROM first_event) "
        f"ON CONFLICT ({quote('chain')}, {quote('seq')}) DO NOTHING RETURNING {quote('id')}, {quote('seq')}) "
        f"SELECT {quote('id')}, {quote('seq')} FROM first_event UNION ALL SELECT {quote('id')}, {quote('seq')} FROM later_events"
    )
    with connection.cursor() as cursor:
        cursor.execute(*_with_updates(sql, [*first_params, *later_params], updates))
        keys = dict((seq, pk) for pk, seq in cursor.fetchall())
    if not keys:
        return False
    if len(keys) != len(events):
        raise RuntimeError(f"audit chain {events[0].chain!r}: {len(keys)} of {len(events)} events went in")
    for event in events:
        _stored(event, keys[event.seq])
    return True
