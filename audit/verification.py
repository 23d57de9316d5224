"""Recomputing every chain of the audit log and comparing it with the latest signed statement.

Events are streamed in (chain, seq) order through the unique index, as bare tuples:
each link is checked (sequence continuity catches a deleted, inserted or reordered
event; the hash a changed one). A chain rewritten with every hash recomputed is
consistent in itself; it is caught by the statement, whose per-chain heads and root no
longer match. Events after the statement are checked for consistency only. Checking
the statement's PDF signature is the documents layer's part (documents/audit_statements.py).
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from json import loads

from django.db import connection, transaction

from .hashing import GENESIS, digest, root_of
from .models import AuditEvent, AuditStatement

CHUNK = 20_000
MAX_PROBLEMS = 1000


@dataclass
class Verdict:
    ok: bool = True
    checked: int = 0
    first_bad: int | None = None
    reason: str = ""
    anchored_through: object = None  # the statement's instant, when one was checked
    statement: int | None = None  # the statement that no longer matches, if one does not
    # (chain, event id, reason) in the order found; chain "" for the statement's own problems.
    problems: list[tuple[str, int | None, str]] = field(default_factory=list)

    def fail(self, event_id: int | None, reason: str, chain: str = "\uffff") -> None:
        self.ok = False
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append((chain, event_id, reason))

    def as_json(self) -> dict:
        # The first break in chain order (each chain from its start), else the statement's problem.
        named = sorted((p for p in self.problems if p[1] is not None), key=lambda p: p[0])
        first = (named[0] if named else (self.problems[0] if self.problems else ("", None, "")))[1:]
        return {
            "ok": self.ok,
            "checked": self.checked,
            "first_bad": first[0],
            "anchored_through": self.anchored_through.isoformat() if self.anchored_through else None,
            "statement": self.statement,
            "reason": first[1],
        }


def latest_statement() -> AuditStatement | None:
    return AuditStatement.objects.order_by("-last_event_id", "-id").first()


# What the verifier reads of each event: no prev_hash (each hash is recomputed from the
# previous event's recomputed hash, so a broken link shows as a hash that does not match).
COLUMNS = ("id", "chain", "seq", "at", "actor_id", "actor_name", "role", "unit", "ip", "action", "case_no")
COLUMNS += ("detail", "hash")


def _rows(partition: tuple[int, int] | None = None) -> Iterator[tuple]:
    """Every event (of one partition of the chains) as a bare tuple of COLUMNS in (chain, seq) order.

    On PostgreSQL a named (server-side) cursor on the raw connection, 20,000 rows a
    round trip, the detail left as text for json.loads, the instant as microseconds and
    a case event's case number as NULL: Django's per-row machinery, and parsing
    timestamps, cost more than the hashing (bench/audit.py). Elsewhere the ORM's iterator.
    """
    if connection.vendor != "postgresql":
        yield from AuditEvent.objects.order_by("chain", "seq").values_list(*COLUMNS).iterator(chunk_size=CHUNK)
        return
    # The instant as integer microseconds and the case number as NULL where it is the
    # chain's name: psycopg's parsing of timestamps was half the time of the whole stream.
    expressions = {"at": "(extract(epoch from at) * 1000000)::bigint", "case_no": "NULLIF(case_no, chain)"}
    columns = ", ".join(expressions.get(name, connection.ops.quote_name(name)) for name in COLUMNS)
    where, params = "", []
    if partition is not None:
        where, params = "WHERE mod(abs(hashtext(chain)::bigint), %s) = %s", [partition[1], partition[0]]
    with transaction.atomic():
        connection.ensure_connection()
        with connection.connection.cursor(name="audit_verify") as cursor:
            cursor.itersize = CHUNK
            cursor.execute(f"SELECT {columns} FROM {AuditEvent._meta.db_table} {where} ORDER BY chain, seq", params)
            yield from cursor


@dataclass
class Partial:
    """What one pass over (a partition of) the chains found."""

    checked: int = 0
    counted: int = 0  # events up to the statement's cut-off
    heads: dict = field(default_factory=dict)  # chain -> (seq, hash, id) as of the cut-off
    verdict: Verdict = field(default_factory=Verdict)


def _check(cutoff: int | None, partition: tuple[int, int] | None = None) -> Partial:
    """Recompute every hash of the chains streamed, check each link, note the heads at the cut-off."""
    found = Partial()
    heads, fail = found.heads, found.verdict.fail
    counted = checked = 0
    chain, expected, prev, past = None, 1, GENESIS, None  # past: the chain's first event after the cutoff
    for event_id, event_chain, seq, at, actor_id, actor_name, role, unit, ip, action, case_no, detail, hash_ in _rows(
        partition
    ):
        if event_chain != chain:
            chain, expected, prev, past = event_chain, 1, GENESIS, None
        if cutoff is not None:
            if event_id > cutoff:
                past = past or event_id
            else:
                if past is not None:  # an event newer than the statement sits before an anchored one
                    fail(past, f"事件#{past}插在声明之前的事件中间（被插入或重排）", chain)
                    past = None
                heads[chain] = (seq, hash_, event_id)
                counted += 1
        if detail.__class__ is str:
            detail = loads(detail)
        if case_no is None:
            case_no = chain
        if seq != expected:
            if seq > expected:
                fail(event_id, f"事件#{event_id}之前缺少链“{chain}”的第{expected}至{seq - 1}号事件（已被删除）", chain)
            else:
                fail(event_id, f"事件#{event_id}在链“{chain}”中的序号{seq}重复或顺序颠倒", chain)
        elif digest(chain, seq, prev, at, actor_id, actor_name, role, unit, ip, action, case_no, detail) != hash_:
            fail(event_id, f"事件#{event_id}的哈希不符（内容被修改，或与前一事件不相连：被插入或重排）", chain)
        expected, prev = seq + 1, hash_
        checked += 1
    found.checked, found.counted = checked, counted
    return found


def _check_partition(arguments: tuple[int | None, int, int]) -> Partial:
    """One worker process's share (a fresh connection: a forked child must not use its parent's)."""
    from django.db import connections

    cutoff, index, count = arguments
    connections.close_all()
    try:
        return _check(cutoff, (index, count))
    finally:
        connections.close_all()


def verify_log(statement: AuditStatement | None = None, *, use_latest: bool = True, workers: int = 1) -> Verdict:
    """Every link of every chain, then the statement's heads and root against the recomputed ones.

    ``workers`` > 1 (PostgreSQL, outside a transaction: the management command and the
    benchmark) splits the chains by a hash of their name over that many processes.
    """
    if statement is None and use_latest:
        statement = latest_statement()
    cutoff = statement.last_event_id if statement is not None else None
    if workers > 1 and connection.vendor == "postgresql" and not connection.in_atomic_block:
        import multiprocessing

        from django.db import connections

        connections.close_all()
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            parts = pool.map(_check_partition, [(cutoff, index, workers) for index in range(workers)])
    else:
        parts = [_check(cutoff)]
    verdict, heads, counted = Verdict(), {}, 0
    for part in parts:
        verdict.checked += part.checked
        counted += part.counted
        heads.update(part.heads)
        for problem in part.verdict.problems:
            verdict.fail(problem[1], problem[2], problem[0])
    if statement is not None:
        verdict.anchored_through = statement.at
        _compare(statement, heads, counted, verdict)
    return verdict


def _compare(statement: AuditStatement, heads: dict, counted: int, verdict: Verdict) -> None:
    """The statement's stored heads and root against the ones recomputed from the events."""
    stored = {chain: tuple(value) for chain, value in statement.heads.items()}
    mismatched = False
    for chain in sorted(set(stored) | set(heads)):
        want, have = stored.get(chain), heads.get(chain)
        if want is not None and have is not None and tuple(want[:2]) == have[:2]:
            continue
        mismatched = True
        if want is None:
            verdict.fail(have[2], f"链“{chain}”不在声明#{statement.pk}中：其事件在声明之后被插入", chain)
        elif have is None:
            verdict.fail(want[2], f"声明#{statement.pk}所记链“{chain}”（至事件#{want[2]}）已不存在：事件被删除", chain)
        elif have[0] < want[0]:
            verdict.fail(
                want[2],
                f"链“{chain}”在声明#{statement.pk}时到第{want[0]}号（事件#{want[2]}），现只到第{have[0]}号：其后事件被删除",
                chain,
            )
        else:
            verdict.fail(have[2], f"链“{chain}”的末端与声明#{statement.pk}不符（事件#{have[2]}）：该链被改写", chain)
    root = root_of([(chain, value[0], value[1]) for chain, value in stored.items()])
    if root != statement.head:
        mismatched = True
        verdict.fail(None, f"声明#{statement.pk}的根哈希与其所记各链末端不符：声明记录被修改")
    if not mismatched and counted != statement.event_count:
        mismatched = True
        verdict.fail(None, f"声明#{statement.pk}记有{statement.event_count}个事件，现有{counted}个")
    if mismatched:
        verdict.statement = statement.pk


def current_heads(last_event_id: int) -> tuple[dict[str, list], int]:
    """{chain: [seq, hash, id]} of every chain's last event with id <= last_event_id, and how many events."""
    heads: dict[str, list] = {}
    count = 0
    rows = (
        AuditEvent.objects.filter(id__lte=last_event_id)
        .order_by("chain", "seq")
        .values_list("chain", "seq", "hash", "id")
        .iterator(chunk_size=CHUNK)
    )
    for chain, seq, hash_, event_id in rows:
        heads[chain] = [seq, hash_, event_id]
        count += 1
    return heads, count
