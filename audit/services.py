"""Appending to the audit log: one chain per case, account or the county, and no shared row.

record() reads its chain's last (seq, hash) through the (chain, seq) index and inserts
the next event: two statements, inside the caller's transaction — one when the caller
read the head with its lock, or when this process wrote the chain's last event itself
(the INSERT then checks that event is still there). Case events are
written under the case's own lock (viewflow locks the process), so writers of two cases
never wait on each other. Should two writers of one chain race anyway (a document worker
and a reviewer), the unique (chain, seq) refuses the second insert without aborting its
transaction (ON CONFLICT DO NOTHING) and it reads the new head and tries again.
"""

from typing import Any

from django.db import connection, transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from .context import current_ip
from .hashing import GENESIS, canonical_detail, digest
from .models import AuditEvent

COUNTY_CHAIN = "county"
ACCOUNT_PREFIX = "account:"
# Events about the county's own data (no case, whoever made them) share the county chain.
COUNTY_ACTIONS_PREFIXES = ("admin_", "calendar_", "budget_", "policy_", "sample_cases_")
RETRIES = 5


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
    remembered = _written.get(event.chain) if previous is None else None
    for attempt in range(RETRIES):
        if attempt == 0 and previous is not None:
            seq, prev_hash = previous
        elif attempt == 0 and remembered is not None:
            seq, prev_hash = remembered
        else:
            seq, prev_hash = chain_head(event.chain)
        event.seq, event.prev_hash = seq + 1, prev_hash
        event.hash = event_digest(event)
        if _insert(event, after_remembered=attempt == 0 and remembered is not None):
            _remember(event)
            return event
    raise RuntimeError(f"could not append to audit chain {event.chain!r}: it kept moving")


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


def _insert(event: AuditEvent, *, after_remembered: bool = False) -> bool:
    """INSERT … ON CONFLICT (chain, seq) DO NOTHING RETURNING id; False if another writer took the seq.

    Django's bulk_create(ignore_conflicts=True) would not return the id. Both SQLite
    (3.35+) and PostgreSQL speak this statement. With ``after_remembered`` the row goes in
    only if the event it follows (a remembered head, see _written) is still there: a
    head that a rolled-back transaction wrote is not, and the caller reads the real one.
    """
    fields = [field for field in AuditEvent._meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    table = quote(AuditEvent._meta.db_table)
    columns = ", ".join(quote(str(field.column)) for field in fields)
    values = [field.get_db_prep_save(field.pre_save(event, True), connection) for field in fields]
    placeholders = ", ".join(["%s"] * len(fields))
    if after_remembered:
        rows = (
            f"SELECT {placeholders} WHERE EXISTS (SELECT 1 FROM {table} WHERE {quote('chain')} = %s"
            f" AND {quote('seq')} = %s AND {quote('hash')} = %s)"
        )
        values += [event.chain, event.seq - 1, event.prev_hash]
    else:
        rows = f"VALUES ({placeholders})"
    sql = (
        f"INSERT INTO {table} ({columns}) {rows} "
        f"ON CONFLICT ({quote('chain')}, {quote('seq')}) DO NOTHING RETURNING {quote('id')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    if row is None:
        return False
    event.pk = row[0]
    event._state.adding = False
    event._state.db = connection.alias
    return True
