"""The hash of one audit event: every content field, its place in its chain, and the previous hash.

Kept apart from the models so the verifier, the writer, the benchmark's bulk builder
and the migration that re-chained the old log all hash exactly the same bytes.
"""

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

GENESIS = "0" * 64
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
# One encoder, made once: json.dumps with options builds a new one per call, which costs
# as much as the hashing when the verifier checks a million events.
_encode = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode
sha256 = hashlib.sha256

# The columns a hash covers, in the order `digest` takes them (the verifier selects these).
HASHED_FIELDS = (
    "chain",
    "seq",
    "prev_hash",
    "at",
    "actor_id",
    "actor_name",
    "role",
    "unit",
    "ip",
    "action",
    "case_no",
    "detail",
)


def canonical_detail(detail: dict | None) -> dict:
    """The detail as the database will give it back (decimals, dates and ids as JSON values)."""
    return json.loads(json.dumps(detail or {}, cls=DjangoJSONEncoder, ensure_ascii=False))


def digest(
    chain: str,
    seq: int,
    prev_hash: str,
    at: datetime | int,
    actor_id: int | None,
    actor_name: str,
    role: str,
    unit: str,
    ip: str | None,
    action: str,
    case_no: str,
    detail: Any,
) -> str:
    """SHA-256 over a canonical JSON array of the event (the instant as integer microseconds, keys sorted).

    ``at`` may already be those microseconds (the verifier has PostgreSQL compute them:
    parsing a million timestamps costs more than hashing them).
    """
    micros = at if at.__class__ is int else (at - EPOCH) // MICROSECOND  # type: ignore[operator]
    body = _encode([chain, seq, prev_hash, micros, actor_id, actor_name, role, unit, ip or "", action, case_no, detail])
    return sha256(body.encode()).hexdigest()


def root_of(heads: list[tuple[str, int, str]]) -> str:
    """One hash over every chain's head (chain, last seq, last hash), sorted by chain: a statement's root."""
    h = hashlib.sha256()
    for chain, seq, head in sorted(heads):
        h.update(f"{chain}\x1f{seq}\x1f{head}\n".encode())
    return h.hexdigest()
