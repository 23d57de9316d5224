#!/usr/bin/env python
"""Decisions per second at 1, 4 and 8 concurrent clients on PostgreSQL, and where they wait.

    DATABASE_URL=postgres://… .venv/bin/python bench/concurrency.py [--clients 1,4,8] [--per-client 60] [--runs 5]

The decision is bench/decisions.py's: ``claim_task`` + ``decide_task(approve)`` of a
clinic filing's 属地初审 task through the service layer, fresh user objects for each
call as two requests would have. Each client is its own process with its own database
connection, deciding its own cases (every decision appends to its case's audit chain);
a barrier starts them together. A sampler polls ``pg_stat_activity`` joined to
``pg_locks`` every 5 ms and counts the clients waiting for a lock and on which
relation, so "time waiting on locks" is the share of client time spent so, and any wait
on the audit table would be named. Each run measures every level back to back, in an
order that rotates from run to run; a ratio (4 clients ÷ 1, 8 ÷ 4) is taken within its
run and the median over the runs is reported, since the box is shared and noisy.

A throwaway database ``<name>_bench`` is created and dropped; PDFs are not rendered.

``--system viewflow`` runs the same measurement on bare django-viewflow 2.4 (bench/peers.py's
peer: ``bench/peer_viewflow``, its own settings, no permissions, no audit; claim is
``activation.assign``, decide ``start`` + ``execute``, each in one transaction) — the
control for "8 clients no slower than 4": what this box's two cores give a plain engine
at the same levels, in the same harness. Each level also reports the CPU time the whole
box spent per decision (``/proc/stat``), which shows whether more clients make each
decision dearer (cache and scheduling) rather than make clients wait.

``--http`` runs the clients as a county's do: over HTTP, against the product as it is
served (gunicorn with config/gunicorn.conf.py — four workers — and the production
settings: Redis for the cache, a token per reviewer, behind a proxy that says HTTPS),
each client a thread of the bench's process (as wrk's connections are: people at their
browsers add no process to the server's box) that POSTs ``/api/v1/tasks/{id}/claim/``
then ``…/decide/``. The server's worker count then bounds the processes doing the work,
as in service.
"""

import argparse
import multiprocessing as mp
import os
import queue
import statistics
import sys
import threading
import time
from collections import Counter

if "viewflow" in sys.argv[1:]:  # --system viewflow: the peer's own settings, before harness sets the project's
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.peer_viewflow.settings"

from harness import ThrowawayDatabase, request_user  # noqa: E402 - sets sys.path and the settings module


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", default="1,4,8", help="client counts to measure (default 1,4,8)")
    parser.add_argument("--per-client", type=int, default=60, help="decisions per client per level (default 60)")
    parser.add_argument("--runs", type=int, default=5, help="runs, each measuring every level (default 5)")
    parser.add_argument(
        "--system",
        choices=("yiyang", "viewflow"),
        default="yiyang",
        help="this project (default) or bare django-viewflow, the control",
    )
    parser.add_argument(
        "--http",
        action="store_true",
        help="clients over HTTP against gunicorn with config/gunicorn.conf.py (this project only)",
    )
    parser.add_argument(
        "--sample-ms",
        type=float,
        default=5,
        help="how often the lock sampler polls pg_locks (default 5 ms; 0: no sampler, throughput only)",
    )
    return parser.parse_args(argv)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def prepare(count: int) -> list[int]:
    """`count` clinic filings at 属地初审, each from its own made-up nursing home (one open filing each)."""
    from viewflow.workflow.status import STATUS

    from common.validators import check_upload
    from demo.accounts import _account, demo_uscc
    from institutions.county import current_county
    from institutions.models import Institution, Township
    from permissions.roles import Role
    from tests.helpers import uploaded_pdf, valid_filing, valid_staff
    from workflows import services
    from workflows.models import CaseTask

    county = current_county()
    township = Township.objects.get(code="anwen")
    tasks = []
    start = Institution.objects.filter(code__startswith="bench-c").count()
    for number in range(start + 1, start + count + 1):
        code = f"bench-c{number:04d}"
        uscc, salt = demo_uscc(code, public=False, division=county.division_code), 0
        while Institution.objects.filter(uscc=uscc).exists():  # made-up codes collide after some thousands
            salt += 1
            uscc = demo_uscc(f"{code}-{salt}", public=False, division=county.division_code)
        institution = Institution.objects.create(
            code=code,
            name=f"并发测试养老院{number:04d}",
            uscc=uscc,
            kind=Institution.Kind.ELDERLY_CARE,
            ownership=Institution.Ownership.PRIVATE,
            township=township,
            beds=80,
            address=f"{county.name}{township.name}",
        )
        applicant = _account(
            f"inst-{code}", password_hash="!", roles={Role.APPLICANT}, display_name="经办人", institution=institution
        )
        applicant = request_user(applicant.username)
        files = services.store_attachments(user=applicant, files=[("证明.pdf", check_upload(uploaded_pdf()))])
        case = services.submit_clinic_filing(
            user=applicant, filing=valid_filing(), staff=valid_staff(), attachments=files
        )
        task = CaseTask.objects.get(process=case, flow_task_type="HUMAN", status=STATUS.NEW)
        tasks.append(task.pk)
    return tasks


def prepare_viewflow(count: int) -> list[int]:
    """`count` processes of the bare-viewflow peer's FilingFlow, each at its first review."""
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    from bench.peer_viewflow.flows import FilingFlow

    processes = [FilingFlow.start.run().pk for _ in range(count)]
    by_process = dict(
        Task.objects.filter(process_id__in=processes, flow_task_type="HUMAN", status=STATUS.NEW).values_list(
            "process_id", "pk"
        )
    )
    return [by_process[pk] for pk in processes]


def viewflow_decision(task_id: int) -> None:
    """bench/peers.py's bare-viewflow decision: assign, then start + execute, each in one transaction."""
    from django.contrib.auth.models import User
    from django.db import transaction
    from viewflow.workflow.models import Task

    with transaction.atomic():
        user = User.objects.get(username="township-reviewer")
        with Task.objects.get(pk=task_id).activation() as activation:
            activation.assign(user)
    with transaction.atomic():
        User.objects.get(username="township-reviewer")
        with Task.objects.get(pk=task_id).activation() as activation:
            activation.start(None)
            activation.task.data = {"decision": "approve"}
            activation.execute()


def yiyang_decision(task_id: int) -> None:
    """Claim, then approve, through the service layer, a fresh user object for each request."""
    from workflows import services

    services.claim_task(user=request_user("twp-anwen"), task_id=task_id)
    services.decide_task(user=request_user("twp-anwen"), task_id=task_id, decision="approve")


_HTTP: dict = {}  # the served product's address and a reviewer's token (--http), set before the clients fork


def http_decision(task_id: int) -> None:
    """Claim, then approve, through the REST API, each request on its own connection as the proxy's are."""
    import http.client
    import json

    for path, body in (
        (f"/api/v1/tasks/{task_id}/claim/", {}),
        (f"/api/v1/tasks/{task_id}/decide/", {"decision": "approve"}),
    ):
        connection = http.client.HTTPConnection("127.0.0.1", _HTTP["port"], timeout=60)
        connection.request("POST", path, body=json.dumps(body), headers=_HTTP["headers"])
        response = connection.getresponse()
        answer = response.read()
        connection.close()
        if response.status != 200:
            raise SystemExit(f"{path}: {response.status} {answer[:300]!r}")


def http_client(task_ids: list[int], barrier, results) -> None:
    """One person (--http): a thread that decides its cases one after another, timed from the common start."""
    try:
        http_decision(task_ids[0])  # warm: its first connection
        barrier.wait()
        began = time.perf_counter()
        for task_id in task_ids[1:]:
            http_decision(task_id)
        results.put(time.perf_counter() - began)
    except BaseException as failure:  # noqa: BLE001 - handed to the parent, which stops the bench
        barrier.abort()
        results.put(failure)


class Served:
    """gunicorn serving the product on the bench's database, with the production settings (--http)."""

    def __init__(self, dsn: dict):
        import socket
        import subprocess
        import tempfile

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.scratch = tempfile.mkdtemp(prefix="yiyang-bench-http-")
        database = f"postgres://{dsn.get('user', 'postgres')}@{dsn.get('host', '127.0.0.1')}:{dsn.get('port', 5432)}/{dsn['dbname']}"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": database,
            "SECRET_KEY": "bench-only-secret-key",
            "CACHE_URL": "redis://127.0.0.1:6379/7",
            "TRUSTED_PROXY_COUNT": "1",
            "API_THROTTLE_USER_RATE": "1000000/min",
            "PUBLIC_BASE_URL": "https://127.0.0.1",
            "PRIVATE_STORAGE_DIR": os.path.join(self.scratch, "private"),
            "SIGNING_KEYS_DIR": os.path.join(self.scratch, "keys"),
        }
        import redis

        redis.Redis.from_url(env["CACHE_URL"]).flushdb()  # no county data cached from another run's database
        gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
        self.process = subprocess.Popen(
            [gunicorn, "-c", "config/gunicorn.conf.py", "-b", f"127.0.0.1:{self.port}", "config.wsgi"],
            cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.headers = {
            "Content-Type": "application/json",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": "127.0.0.1",
        }
        self._wait()

    def _wait(self) -> None:
        import http.client

        for _ in range(300):
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/api/v1/me/", headers=self.headers)
                connection.getresponse().read()
                return
            except OSError:
                time.sleep(0.1)
        raise SystemExit("gunicorn did not start")

    @staticmethod
    def token(username: str) -> str:
        """A reviewer's API token, as its log-in would issue it (the suite's password hasher is not production's)."""
        from rest_framework.authtoken.models import Token

        from permissions.models import User

        return Token.objects.get_or_create(user=User.objects.get(username=username))[0].key

    def stop(self) -> None:
        import shutil

        self.process.terminate()
        self.process.wait(timeout=30)
        shutil.rmtree(self.scratch, ignore_errors=True)


def client(system: str, task_ids: list[int], barrier, results) -> None:
    """One client: its own connection, its own tasks, timed from the common start."""
    from django.db import connections

    connections.close_all()  # never share the parent's socket
    decision = {"viewflow": viewflow_decision, "http": http_decision}.get(system, yiyang_decision)
    decision(task_ids[0])  # warm, as a served process is: connected, its caches and compiled statements filled
    barrier.wait()
    began = time.perf_counter()
    for task_id in task_ids[1:]:
        decision(task_id)
    results.put(time.perf_counter() - began)
    connections.close_all()


class Sampler(threading.Thread):
    """Counts, every few ms, the benchmark's backends waiting for a lock, by relation."""

    QUERY = """
        SELECT a.pid, COALESCE(l.relation::regclass::text, l.locktype)
        FROM pg_stat_activity a LEFT JOIN pg_locks l ON l.pid = a.pid AND NOT l.granted
        WHERE a.datname = current_database() AND a.pid <> pg_backend_pid() AND a.wait_event_type = 'Lock'
    """

    def __init__(self, dsn: dict, interval: float):
        super().__init__(daemon=True)
        self.dsn = dsn
        self.interval = interval
        self.stop = threading.Event()
        self.samples = 0
        self.waiting = 0
        self.relations: Counter = Counter()

    def run(self) -> None:
        import psycopg

        if self.interval <= 0:
            return  # not sampling: the figures are then throughput only

        with psycopg.connect(**self.dsn, autocommit=True) as conn:
            while not self.stop.is_set():
                rows = conn.execute(self.QUERY).fetchall()
                self.samples += 1
                self.waiting += len({pid for pid, _ in rows})
                self.relations.update(relation for _pid, relation in rows if relation)
                time.sleep(self.interval)


def cpu_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs from /proc/stat: the box's CPU use during a level."""
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


def run_level(system: str, clients: int, per_client: int, dsn: dict, sample_ms: float) -> dict:
    from django.db import connections

    share = per_client + 1  # each client's first decision warms it, before the start
    tasks = (prepare_viewflow if system == "viewflow" else prepare)(clients * share)  # http: the project's cases
    connections.close_all()
    if system == "http":
        # People at their browsers are not processes on the server's box: the clients are
        # threads of this one process (as wrk's connections are), each waiting on its own
        # socket, so the load they add to the two cores does not grow with their number.
        barrier, results = threading.Barrier(clients + 1), queue.Queue()
        workers = [
            threading.Thread(target=http_client, args=(tasks[i * share : (i + 1) * share], barrier, results))
            for i in range(clients)
        ]
    else:
        context = mp.get_context("fork")
        barrier, results = context.Barrier(clients + 1), context.Queue()
        workers = [
            context.Process(target=client, args=(system, tasks[i * share : (i + 1) * share], barrier, results))
            for i in range(clients)
        ]
    for worker in workers:
        worker.start()
    sampler = Sampler(dsn, sample_ms / 1000)
    sampler.start()
    barrier.wait()
    began, cpu_before = time.perf_counter(), cpu_ticks()
    times = [results.get() for _ in workers]
    wall, cpu_after = time.perf_counter() - began, cpu_ticks()
    sampler.stop.set()
    sampler.join()
    failures = [time_or_failure for time_or_failure in times if isinstance(time_or_failure, BaseException)]
    for worker in workers:
        worker.join()
        if getattr(worker, "exitcode", None) or failures:
            raise SystemExit(f"a client failed: {getattr(worker, 'exitcode', None) or failures[0]!r}")
    waiting_share = sampler.waiting / max(1, sampler.samples) / clients
    return {
        "rate": clients * per_client / wall,
        "wall": wall,
        "slowest": max(times),
        "waiting": waiting_share,
        "cpu": (cpu_after[0] - cpu_before[0]) / max(1, cpu_after[1] - cpu_before[1]),
        "cpu_ms": (cpu_after[0] - cpu_before[0]) * 1000 / os.sysconf("SC_CLK_TCK") / (clients * per_client),
        "relations": sampler.relations,
    }


def report(args, levels: list[int], runs: list[dict[int, dict]]) -> None:
    base = levels[0]
    print(
        f"{args.system}{' over HTTP (gunicorn, 4 workers)' if args.http else ''}: decisions (claim + approve) on PostgreSQL, {args.per_client} per client, {args.runs} runs, "
        "levels interleaved; ratios taken within each run, then the median"
    )
    for clients in levels:
        rates = [run[clients]["rate"] for run in runs]
        ratios = [run[clients]["rate"] / run[base]["rate"] for run in runs]
        waiting = statistics.median(run[clients]["waiting"] for run in runs)
        cpu = statistics.median(run[clients]["cpu"] for run in runs)
        cpu_ms = statistics.median(run[clients]["cpu_ms"] for run in runs)
        relations: Counter = sum((run[clients]["relations"] for run in runs), Counter())
        named = ", ".join(f"{name} ({count})" for name, count in relations.most_common(4)) or "none"
        print(
            f"  {clients} client(s): {statistics.median(rates):.1f} decisions/s (runs {', '.join(f'{r:.1f}' for r in rates)});"
            f" {statistics.median(ratios):.2f}x of {base} (runs {', '.join(f'{r:.2f}' for r in ratios)});"
            f" time waiting on locks {100 * waiting:.1f} %, CPUs busy {100 * cpu:.0f} % of {os.cpu_count()}"
            f" ({cpu_ms:.1f} ms of CPU a decision),"
            f" lock waits sampled on: {named}"
        )
    audit_waits = sum(
        count for run in runs for level in run.values() for name, count in level["relations"].items() if "audit" in name
    )
    print(f"  samples of a client waiting on an audit table: {audit_waits}")
    if len(levels) >= 2:
        last, before = levels[-1], levels[-2]
        ratios = [run[last]["rate"] / run[before]["rate"] for run in runs]
        print(
            f"  {last} vs {before} clients: {statistics.median(ratios):.2f}x (runs {', '.join(f'{r:.2f}' for r in ratios)})"
        )


def main(argv=None) -> int:
    args = parse_args(argv)
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    if connection.vendor != "postgresql":
        raise SystemExit("bench/concurrency.py measures PostgreSQL: set DATABASE_URL")
    setup_test_environment()
    if args.system == "yiyang":
        import documents.services

        documents.services.enqueue_issue = lambda document_id: None  # no PDFs: decisions only
    database = ThrowawayDatabase(sqlite_memory=False)
    served = None
    try:
        log("creating throwaway database …")
        database.create()
        if args.system == "yiyang":
            from demo.accounts import load_all

            load_all()
        else:
            from django.contrib.auth.models import User

            User.objects.create(username="township-reviewer")
        params = connection.get_connection_params()
        dsn = {key: params[key] for key in ("dbname", "user", "host", "port", "password") if params.get(key)}
        system = args.system
        if args.http:
            if args.system != "yiyang":
                raise SystemExit("--http serves this project only")
            served = Served(dsn)
            _HTTP.update(
                port=served.port, headers={**served.headers, "Authorization": f"Token {served.token('twp-anwen')}"}
            )
            system = "http"
            log("warming the server's four workers …")
            run_level(system, 4, 10, dsn, 0)  # each worker's first requests load what a served one has loaded
        levels = [int(n) for n in args.clients.split(",")]
        # The levels of one run are measured back to back, in an order that rotates from run
        # to run, and each ratio is taken inside its run: a busy spell of the shared machine
        # then falls on a whole run, not on one level (the medians of the runs' ratios are reported).
        runs: list[dict[int, dict]] = []
        for run in range(args.runs):
            order = levels[run % len(levels) :] + levels[: run % len(levels)]
            runs.append({})
            for clients in order:
                log(f"run {run + 1}/{args.runs}: {clients} client(s) …")
                runs[-1][clients] = run_level(system, clients, args.per_client, dsn, args.sample_ms)
        report(args, levels, runs)
    finally:
        if served is not None:
            served.stop()
        database.destroy()
    return 0


if __name__ == "__main__":
    sys.exit(main())
