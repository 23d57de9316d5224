"""What a signed statement states: the cut-off event, every chain's head as of it, and their root."""

from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Max

from .hashing import root_of
from .models import AuditEvent
from .verification import current_heads


@dataclass(frozen=True)
class StatementFacts:
    last_event_id: int
    heads: dict[str, list]  # chain -> [seq, hash, id]
    event_count: int

    @property
    def head(self) -> str:
        return root_of([(chain, value[0], value[1]) for chain, value in self.heads.items()])

    @property
    def chain_count(self) -> int:
        return len(self.heads)


def statement_cutoff() -> int:
    """The last event id below which every event has committed.

    Ids are handed out at INSERT and become visible at COMMIT, so the largest visible id
    may have a smaller one still in flight. On PostgreSQL a SHARE lock on the table waits
    for the writers in progress (and holds new ones for that moment, once a day); SQLite
    has one writer at a time and hands out ids above every committed one.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {connection.ops.quote_name(AuditEvent._meta.db_table)} IN SHARE MODE")
        return AuditEvent.objects.aggregate(last=Max("id"))["last"] or 0


def statement_facts() -> StatementFacts:
    last = statement_cutoff()
    heads, count = current_heads(last)
    return StatementFacts(last_event_id=last, heads=heads, event_count=count)
