#!/usr/bin/env python
"""The audit log at a million events: verification throughput and the auditor's filtered page.

    .venv/bin/python bench/audit.py [--events 1000000] [--events-per-case 10] [--runs 3] [--pages 40]

Like the other benches it never opens the real database: a throwaway one
(``<name>_bench`` on PostgreSQL, a temp file on SQLite) is migrated, given the demo
county, filled and dropped. The events are built in Python — correctly chained, every
hash computed by audit.hashing.digest as record() would — and loaded with COPY on
PostgreSQL (executemany on SQLite), so a million take a minute, not an afternoon.

Prints:
* build time; the time of one signed statement over all chains (audit_statement);
* verification: events/s of ``verify_log`` (every chain recomputed, the statement's
  heads compared), of ``verify_audit`` (plus the statement's PDF signature), and of
  ``verify_audit`` over --workers processes (``manage.py verify_audit``'s default), median of --runs; the baseline is streaming the same rows without hashing, measured
  in the same run (the ratio says what the hashing costs);
* the auditor's page, ``GET /api/v1/audit/events/`` through Django's test client as an
  auditor: ?case_no=<a random case> and ?actor=<a random person>&after=<a random
  instant>, median and p95 of --pages loads each.
"""

import argparse
import json
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta

from harness import ThrowawayDatabase, median, percentile  # noqa: E402 - sets sys.path and the settings module

ACTIONS = ["case_submitted", "task_claimed", "task_approve", "task_claimed", "task_approve", "document_requested"]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--events-per-case", type=int, default=10)
    parser.add_argument("--actors", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--seed", type=int, default=20261130)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="processes for the parallel check")
    return parser.parse_args(argv)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def build(total: int, per_case: int, actors: int, seed: int) -> tuple[list[str], list[str], datetime]:
    """Insert `total` events in chains of `per_case`, interleaved in time as a county's would be."""
    from django.db import connection

    from audit.hashing import GENESIS, digest
    from audit.models import AuditEvent

    rng = random.Random(seed)
    cases = [f"BENCH-2026-{n:06d}" for n in range(total // per_case)]
    people = [f"reviewer-{n:03d}" for n in range(actors)]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    step = timedelta(days=330) / total
    # Cases open in waves: case k's j-th event comes at position j * (cases) + k, so
    # chains interleave and ids within a chain are far apart, as in real life.
    heads = dict.fromkeys(cases, (0, GENESIS))
    columns = ["at", "actor_id", "actor_name", "role", "unit", "ip", "action", "case_no", "detail", "chain", "seq"]
    columns += ["prev_hash", "hash"]
    rows = []
    position = 0
    for j in range(per_case):
        for case in cases:
            seq, prev = heads[case]
            at = start + step * position
            actor = people[rng.randrange(actors)]
            action = ACTIONS[j % len(ACTIONS)]
            detail = {"task": position, "comment": "材料齐全"} if action == "task_approve" else {"task": position}
            ip = f"10.{position % 250}.{(position // 250) % 250}.7"
            event = (
                case,
                seq + 1,
                prev,
                at,
                None,
                actor,
                "township_reviewer",
                "基准测试街道",
                ip,
                action,
                case,
                detail,
            )
            hashed = digest(*event)
            rows.append(
                (
                    at,
                    None,
                    actor,
                    "township_reviewer",
                    "基准测试街道",
                    ip,
                    action,
                    case,
                    json.dumps(detail, ensure_ascii=False),
                    case,
                    seq + 1,
                    prev,
                    hashed,
                )
            )
            heads[case] = (seq + 1, hashed)
            position += 1
            if len(rows) >= 50_000:
                _load(connection, AuditEvent._meta.db_table, columns, rows)
                rows = []
    if rows:
        _load(connection, AuditEvent._meta.db_table, columns, rows)
    return cases, people, start


def _load(connection, table: str, columns: list[str], rows: list[tuple]) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def stream_only() -> int:
    """The baseline: the verifier's rows, fetched and unpacked, nothing hashed."""
    from audit.verification import _rows

    count = 0
    for _row in _rows():
        count += 1
    return count


def timed(function, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        began = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - began)
    return median(times), result


def pages(client, urls: list[str]) -> list[float]:
    times = []
    for url in urls:
        began = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, response.content[:300]
    return times


def main(argv=None) -> int:
    args = parse_args(argv)
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    database = ThrowawayDatabase(sqlite_memory=False)
    try:
        log(f"creating throwaway {connection.vendor} database …")
        database.create()
        from demo.accounts import load_all
        from documents.audit_statements import issue_statement, verify_audit
        from documents.keys import create_root, root_cert_path, write_root
        from permissions.models import User

        load_all()
        if not root_cert_path().exists():
            write_root(*create_root())
        log(f"building {args.events:,} events …")
        began = time.perf_counter()
        cases, people, start = build(args.events, args.events_per_case, args.actors, args.seed)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE audit_auditevent")
        built = time.perf_counter() - began
        from audit.models import AuditEvent

        total = AuditEvent.objects.count()
        log("issuing a statement …")
        began = time.perf_counter()
        statement = issue_statement()
        statement_s = time.perf_counter() - began

        from audit.verification import verify_log

        log("verifying …")
        baseline_s, streamed = timed(stream_only, args.runs)
        log_s, log_verdict = timed(lambda: verify_log(statement, use_latest=False), args.runs)
        full_s, full_verdict = timed(verify_audit, args.runs)
        parallel_s, parallel_verdict = timed(lambda: verify_audit(workers=args.workers), args.runs)
        for verdict in (log_verdict, full_verdict, parallel_verdict):
            assert verdict.ok and verdict.checked == total, verdict.as_json()

        client = Client()
        client.force_login(User.objects.get(username="auditor"))
        rng = random.Random(args.seed)
        case_urls = [f"/api/v1/audit/events/?case_no={rng.choice(cases)}" for _ in range(args.pages)]
        actor_urls = []
        for _ in range(args.pages):
            after = start + timedelta(days=rng.randrange(0, 320))
            actor_urls.append(
                f"/api/v1/audit/events/?actor={rng.choice(people)}&after={after.isoformat().replace('+', '%2B')}"
            )
        pages(client, case_urls[:3] + actor_urls[:3])  # warm
        case_ms, actor_ms = pages(client, case_urls), pages(client, actor_urls)

        print(
            f"audit log on {connection.vendor}: {total:,} events in {len(cases):,} case chains (+ demo/account chains)"
        )
        print(f"  built in {built:.1f} s ({total / built:,.0f} events/s, hashes computed in Python, COPY/executemany)")
        print(f"  signed statement over {statement.chain_count:,} chains: {statement_s:.1f} s")
        print(f"  streaming the rows only (baseline): {baseline_s:.2f} s = {streamed / baseline_s:,.0f} rows/s")
        print(
            f"  verify_log (every chain, statement heads): {log_s:.2f} s = {total / log_s:,.0f} events/s "
            f"({log_s / baseline_s:.1f}x the baseline)"
        )
        print(f"  verify_audit (+ the statement's PDF signature): {full_s:.2f} s = {total / full_s:,.0f} events/s")
        print(
            f"  verify_audit --workers {args.workers} (chains split by hash over processes): {parallel_s:.2f} s = "
            f"{total / parallel_s:,.0f} events/s ({full_s / parallel_s:.2f}x one process)"
        )
        print(
            f"  auditor's page ?case_no=: median {median(case_ms):.1f} ms, p95 {percentile(case_ms, 0.95):.1f} ms "
            f"({len(case_ms)} loads)"
        )
        print(
            f"  auditor's page ?actor=&after=: median {median(actor_ms):.1f} ms, "
            f"p95 {percentile(actor_ms, 0.95):.1f} ms ({len(actor_ms)} loads)"
        )
    finally:
        database.destroy()
    return 0


if __name__ == "__main__":
    sys.exit(main())
