#!/usr/bin/env python
"""One decision in 医养通办, in bare django-viewflow 2.4 and in SpiffWorkflow 3, on the same PostgreSQL.

    .venv/bin/python bench/peers.py [--rounds 7] [--cases 10]

The same route in all three — a filing is started, then three reviews each approve it
(属地初审, 民政局, 卫健局) — and a *decision* is what a reviewer does in two requests:
claim the step, then decide it. Only those two calls are timed; starting a case and
looking the step up are not.

* **yiyang** — this project: ``submit_clinic_filing`` (untimed), then ``claim_task`` +
  ``decide_task(approve)`` for twp-<township>, civil-1, health-1, as bench/decisions.py
  does (documents off: ``documents.services.enqueue_issue`` is a no-op).
* **viewflow** — bare django-viewflow 2.4: ``bench/peer_viewflow`` (its own settings
  module, app and ``FilingFlow``: StartHandle, three View tasks, End; viewflow's own
  Process and Task models, its default lock, no permissions, no audit). Claim is
  ``activation.assign(user)``, decide is ``activation.start()`` + ``execute()``, each in
  one ``transaction.atomic()`` as a request with ATOMIC_REQUESTS would run it.
* **spiff** — SpiffWorkflow 3 (PyPI ``SpiffWorkflow``): a BPMN process with three user
  tasks; each case's serialized workflow is a ``jsonb`` column of its own table. Claim is
  one UPDATE of the claimant; decide locks the row (SELECT … FOR UPDATE), deserializes,
  completes the ready task, runs the engine, serializes and UPDATEs — each in one
  transaction.

Isolation: each system runs in its own Python process (so two Django settings never
meet) against its own throwaway database on the same server —
``yiyang_perf_peers_bench``, ``yiyang_perf_viewflow_bench`` (both made and dropped by
Django's test-database machinery) and ``yiyang_perf_spiff`` (made and dropped here) —
so no table of one can collide with another's. The parent drives the three in turn:
each round asks each system for --cases cases (3 × --cases decisions), in a rotating
order, so a busy moment of the shared machine falls on all three alike; it prints each
round's decisions per second and the ratios to bare viewflow in that round, then the
medians.

SQL per decision is counted the same way for all three, at the connection: libpq's
protocol trace (``PQtrace`` through psycopg's ``pgconn.trace``) of one whole route,
counting the statements the server completed (CommandComplete, plus any
EmptyQueryResponse or ErrorResponse) — BEGIN, COMMIT, SAVEPOINT, RELEASE and SET
included — during the claim and the decide calls; the average of the three decisions,
counted after the warm-up round.
For the two Django systems Django's own count (``CaptureQueriesContext``, which does not
see BEGIN and COMMIT) is printed beside it.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER = "postgres://postgres@127.0.0.1:5432"  # --server
SYSTEMS = ("yiyang", "viewflow", "spiff")
STEPS = ("township_review", "civil_affairs_review", "health_filing")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- counting statements at the connection ------------------------------------------------


class WireCount:
    """Statements the server completed on one psycopg connection while in the block (libpq trace)."""

    ENDS = ("CommandComplete", "EmptyQueryResponse", "ErrorResponse")

    def __init__(self, pgconn):
        from psycopg import pq

        self.pgconn, self.pq = pgconn, pq
        self.tags: Counter = Counter()

    def __enter__(self):
        self.file = tempfile.TemporaryFile()
        self.pgconn.trace(self.file.fileno())
        self.pgconn.set_trace_flags(self.pq.Trace.SUPPRESS_TIMESTAMPS | self.pq.Trace.REGRESS_MODE)
        return self

    def __exit__(self, *exc):
        self.pgconn.untrace()  # flushes the trace
        self.file.seek(0)
        for line in self.file.read().decode("utf-8", "replace").splitlines():
            parts = line.split("\t")
            if len(parts) >= 3 and parts[0] == "B" and parts[2].strip() in self.ENDS:
                message = parts[2].strip()
                if message == "CommandComplete":
                    tag = parts[3].strip().strip('"').split()[0] if len(parts) > 3 else "?"
                else:
                    tag = message
                self.tags[tag] += 1
        self.file.close()
        return False

    @property
    def total(self) -> int:
        return sum(self.tags.values())


# --- the three systems, each in its own child process -------------------------------------


class Yiyang:
    name = "yiyang"

    def setup(self):
        sys.path.insert(0, str(ROOT / "bench"))
        import django
        from harness import ThrowawayDatabase

        django.setup()
        self.database = ThrowawayDatabase(sqlite_memory=False)
        self.database.create()
        import documents.services
        from demo.accounts import load_all
        from institutions.models import Institution

        documents.services.enqueue_issue = lambda document_id: None  # decisions are measured, not PDFs
        load_all()
        self.home = (
            Institution.objects.filter(kind=Institution.Kind.ELDERLY_CARE, is_active=True)
            .select_related("township")
            .order_by("code")
            .first()
        )
        self.reviewers = (f"twp-{self.home.township.code}", "civil-1", "health-1")

    def teardown(self):
        self.database.destroy()

    def user(self, username: str):
        """A fresh user object, as each request loads one (grants and roles are cached per object)."""
        from harness import request_user

        return request_user(username)

    def start(self):
        from common.validators import check_upload
        from tests.helpers import uploaded_pdf, valid_filing, valid_staff
        from workflows import services

        applicant = self.user(f"inst-{self.home.code}")
        attachments = services.store_attachments(user=applicant, files=[("场所证明.pdf", check_upload(uploaded_pdf()))])
        return services.submit_clinic_filing(
            user=applicant, filing=valid_filing(medical_insurance=False), staff=valid_staff(), attachments=attachments
        )

    def steps(self, case):
        """For each review: (untimed preparation, claim, decide)."""
        from viewflow.workflow.status import STATUS

        from workflows import services
        from workflows.models import CaseTask

        for username in self.reviewers:
            task = CaseTask.objects.get(process=case, flow_task_type="HUMAN", status=STATUS.NEW)
            claimer, decider = self.user(username), self.user(username)  # two requests, two user loads
            yield (
                lambda task=task, claimer=claimer: services.claim_task(user=claimer, task_id=task.pk),
                lambda task=task, decider=decider: services.decide_task(
                    user=decider, task_id=task.pk, decision="approve"
                ),
            )

    def pgconn(self):
        from django.db import connection

        connection.ensure_connection()
        return connection.connection.pgconn

    def django_count(self):
        from django.db import connection, reset_queries
        from django.test.utils import CaptureQueriesContext

        reset_queries()
        return CaptureQueriesContext(connection)

    def describe(self):
        import django

        return f"Django {django.get_version()}, project services (claim_task + decide_task)"


class Viewflow(Yiyang):
    name = "viewflow"

    def setup(self):
        sys.path.insert(0, str(ROOT / "bench"))
        import django
        from harness import ThrowawayDatabase

        django.setup()
        self.database = ThrowawayDatabase(sqlite_memory=False)
        self.database.create()
        from django.contrib.auth.models import User

        for username in ("township-reviewer", "civil-1", "health-1"):
            User.objects.create(username=username)
        self.reviewers = ("township-reviewer", "civil-1", "health-1")

    def user(self, username):
        from django.contrib.auth.models import User

        return User.objects.get(username=username)

    def start(self):
        from bench.peer_viewflow.flows import FilingFlow

        return FilingFlow.start.run()

    def steps(self, process):
        from django.db import transaction
        from viewflow.workflow.models import Task
        from viewflow.workflow.status import STATUS

        def claim(task_id, user):
            with transaction.atomic():
                task = Task.objects.get(pk=task_id)
                with task.activation() as activation:
                    activation.assign(user)

        def decide(task_id, user):
            with transaction.atomic():
                task = Task.objects.get(pk=task_id)
                with task.activation() as activation:
                    activation.start(None)
                    activation.task.data = {"decision": "approve"}
                    activation.execute()

        for username in self.reviewers:
            task = Task.objects.get(process=process, flow_task_type="HUMAN", status=STATUS.NEW)
            claimer, decider = self.user(username), self.user(username)
            yield (
                lambda task=task, claimer=claimer: claim(task.pk, claimer),
                lambda task=task, decider=decider: decide(task.pk, decider),
            )

    def describe(self):
        import viewflow

        return f"django-viewflow {getattr(viewflow, '__version__', '2.4')} defaults (lock: no_lock)"


SPIFF_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="peers" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="filing" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f0</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="township_review"/>
    <bpmn:userTask id="township_review" name="属地初审"><bpmn:incoming>f0</bpmn:incoming><bpmn:outgoing>f1</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="f1" sourceRef="township_review" targetRef="civil_affairs_review"/>
    <bpmn:userTask id="civil_affairs_review" name="民政局审核"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="civil_affairs_review" targetRef="health_filing"/>
    <bpmn:userTask id="health_filing" name="卫健局备案"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing></bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="health_filing" targetRef="end"/>
    <bpmn:endEvent id="end"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>"""


class Spiff:
    name = "spiff"
    database = "yiyang_perf_spiff"

    def setup(self):
        import psycopg
        from SpiffWorkflow.bpmn.parser import BpmnParser
        from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer

        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.database}"')
            admin.execute(f'CREATE DATABASE "{self.database}"')
        self.conn = psycopg.connect(f"{SERVER}/{self.database}")
        with self.conn.transaction():
            self.conn.execute(
                "CREATE TABLE spiff_case (id bigserial PRIMARY KEY, state jsonb NOT NULL, status text NOT NULL,"
                " claimed_by text, updated timestamptz NOT NULL DEFAULT now())"
            )
        parser = BpmnParser()
        parser.add_bpmn_str(SPIFF_BPMN.encode())
        self.spec = parser.get_spec("filing")
        self.serializer = BpmnWorkflowSerializer()

    def teardown(self):
        import psycopg

        self.conn.close()
        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')

    def start(self):
        from SpiffWorkflow.bpmn.workflow import BpmnWorkflow

        workflow = BpmnWorkflow(self.spec)
        workflow.do_engine_steps()
        with self.conn.transaction():
            row = self.conn.execute(
                "INSERT INTO spiff_case (state, status) VALUES (%s::jsonb, 'open') RETURNING id",
                [self.serializer.serialize_json(workflow)],
            ).fetchone()
        return row[0]

    def claim(self, case_id, user):
        with self.conn.transaction():
            self.conn.execute(
                "UPDATE spiff_case SET claimed_by = %s, updated = now() WHERE id = %s AND claimed_by IS NULL",
                [user, case_id],
            )

    def decide(self, case_id, user, step):
        from SpiffWorkflow.util.task import TaskState

        with self.conn.transaction():
            (state,) = self.conn.execute(
                "SELECT state::text FROM spiff_case WHERE id = %s FOR UPDATE", [case_id]
            ).fetchone()
            workflow = self.serializer.deserialize_json(state)
            task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
            assert task.task_spec.name == step, task.task_spec.name
            task.data["decision"] = "approve"
            task.run()
            workflow.do_engine_steps()
            self.conn.execute(
                "UPDATE spiff_case SET state = %s::jsonb, status = %s, claimed_by = NULL, updated = now() WHERE id = %s",
                [self.serializer.serialize_json(workflow), "done" if workflow.is_completed() else "open", case_id],
            )

    def steps(self, case_id):
        for step, user in zip(STEPS, ("township-reviewer", "civil-1", "health-1"), strict=True):
            yield (
                lambda user=user: self.claim(case_id, user),
                lambda user=user, step=step: self.decide(case_id, user, step),
            )

    def pgconn(self):
        return self.conn.pgconn

    def django_count(self):
        return None

    def describe(self):
        from importlib.metadata import version

        return f"SpiffWorkflow {version('SpiffWorkflow')}, BPMN, state as jsonb per case, psycopg {version('psycopg')}"


def serve(system_name: str) -> int:
    """A child: set up one system, then answer the parent's commands (JSON lines) until quit."""
    system = {"yiyang": Yiyang, "viewflow": Viewflow, "spiff": Spiff}[system_name]()
    system.setup()
    out = sys.stdout
    print(json.dumps({"ready": system.describe()}), file=out, flush=True)
    try:
        for line in sys.stdin:
            command = json.loads(line)
            if command["cmd"] == "quit":
                break
            if command["cmd"] == "round":
                claims, decides = [], []
                for _ in range(command["cases"]):
                    case = system.start()
                    for claim, decide in system.steps(case):
                        t0 = time.perf_counter()
                        claim()
                        t1 = time.perf_counter()
                        decide()
                        t2 = time.perf_counter()
                        claims.append(t1 - t0)
                        decides.append(t2 - t1)
                print(json.dumps({"claims": claims, "decides": decides}), file=out, flush=True)
            elif command["cmd"] == "count":
                case = system.start()
                result = {"claim": [], "decide": [], "claim_django": [], "decide_django": [], "tags": Counter()}
                for claim, decide in system.steps(case):
                    for label, call in (("claim", claim), ("decide", decide)):
                        django_count = system.django_count()
                        with WireCount(system.pgconn()) as wire:
                            if django_count is not None:
                                with django_count:
                                    call()
                                result[f"{label}_django"].append(len(django_count.captured_queries))
                            else:
                                call()
                        result[label].append(wire.total)
                        result["tags"].update(wire.tags)
                print(json.dumps(result), file=out, flush=True)
    finally:
        system.teardown()
    return 0


# --- the parent ----------------------------------------------------------------------------


class Child:
    def __init__(self, name: str):
        env = dict(os.environ)
        if name == "yiyang":
            env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
            env["DATABASE_URL"] = f"{SERVER}/yiyang_perf_peers"
        elif name == "viewflow":
            env["DJANGO_SETTINGS_MODULE"] = "bench.peer_viewflow.settings"
            env["DATABASE_URL"] = f"{SERVER}/yiyang_perf_viewflow"
        env["PYTHONPATH"] = str(ROOT)
        self.name = name
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--serve", name, "--server", SERVER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
        )
        self.description = self.read()["ready"]

    def ask(self, **command):
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        return self.read()

    def read(self):
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit(f"{self.name}: the child process ended (exit {self.process.wait()})")
        return json.loads(line)

    def close(self):
        if self.process.poll() is None:
            self.process.stdin.write(json.dumps({"cmd": "quit"}) + "\n")
            self.process.stdin.flush()
            self.process.wait(timeout=120)


def main(argv=None) -> int:
    global SERVER
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7, help="timed rounds (default 7, at least 5)")
    parser.add_argument(
        "--cases", type=int, default=10, help="cases per system and round: 3 decisions each (default 10)"
    )
    parser.add_argument("--server", default=SERVER, help=f"PostgreSQL server, no database name (default {SERVER})")
    parser.add_argument("--serve", choices=SYSTEMS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    SERVER = args.server.rstrip("/")
    if args.serve:
        return serve(args.serve)
    if args.rounds < 5:
        parser.error("--rounds must be at least 5")

    children = {}
    try:
        for name in SYSTEMS:
            log(f"starting {name} (its own process and database) …")
            children[name] = Child(name)
        log("warm-up round …")
        for child in children.values():
            child.ask(cmd="round", cases=max(2, args.cases // 2))
        # Counted warm, as a running server is: the county data a decision reads
        # (departments, promised days, holidays) is then in the cache (common/cached.py).
        log("counting the statements of one route per system …")
        counts = {name: child.ask(cmd="count") for name, child in children.items()}
        rounds = []
        for number in range(args.rounds):
            order = SYSTEMS[number % 3 :] + SYSTEMS[: number % 3]  # rotate who goes first
            rate, phases = {}, {}
            for name in order:
                result = children[name].ask(cmd="round", cases=args.cases)
                rate[name] = len(result["claims"]) / (sum(result["claims"]) + sum(result["decides"]))
                rate[f"{name}_latency"] = statistics.median(
                    [c + d for c, d in zip(result["claims"], result["decides"], strict=True)]
                )
                phases[name] = result
            rate["phases"] = phases
            rounds.append(rate)
            log(f"  round {number + 1}: " + ", ".join(f"{n} {rate[n]:.1f}/s" for n in SYSTEMS))
        report(args, children, counts, rounds)
    finally:
        for child in children.values():
            child.close()
    return 0


def report(args, children, counts, rounds) -> None:
    print("Decisions in 医养通办, bare django-viewflow and SpiffWorkflow (bench/peers.py)")
    print("=" * 78)
    for name, child in children.items():
        print(f"{name:9} {child.description}")
    print(
        f"route     start (untimed), then 3 reviews × (claim + approve); {args.cases} cases = {3 * args.cases}"
        f" decisions per system and round; {args.rounds} rounds, order rotating"
    )
    print("server    PostgreSQL on 127.0.0.1, one throwaway database per system")
    print()
    header = f"{'round':>5} | {'yiyang/s':>9} {'viewflow/s':>10} {'spiff/s':>8} | {'yiyang÷vf':>9} {'spiff÷vf':>9}"
    print(header)
    print("-" * len(header))
    for number, rate in enumerate(rounds, 1):
        print(
            f"{number:5} | {rate['yiyang']:9.1f} {rate['viewflow']:10.1f} {rate['spiff']:8.1f} |"
            f" {rate['yiyang'] / rate['viewflow']:9.2f} {rate['spiff'] / rate['viewflow']:9.2f}"
        )
    med = {name: statistics.median([r[name] for r in rounds]) for name in SYSTEMS}
    ratio_y = statistics.median([r["yiyang"] / r["viewflow"] for r in rounds])
    ratio_s = statistics.median([r["spiff"] / r["viewflow"] for r in rounds])
    print("-" * len(header))
    print(
        f"{'median':>5} | {med['yiyang']:9.1f} {med['viewflow']:10.1f} {med['spiff']:8.1f} | {ratio_y:9.2f} {ratio_s:9.2f}"
    )
    print()
    latency = {name: statistics.median([r[f"{name}_latency"] for r in rounds]) * 1000 for name in SYSTEMS}
    print("median latency of one decision (claim + decide): " + ", ".join(f"{n} {latency[n]:.1f} ms" for n in SYSTEMS))
    print()
    print("median time of each part of the route, all rounds (ms): where the systems differ")
    print(f"{'system':9} {'claim':>7} {'decide 1':>9} {'decide 2':>9} {'decide 3 (closes the case)':>27}")
    for name in SYSTEMS:
        claims = [t for r in rounds for t in r["phases"][name]["claims"]]
        decides = [r["phases"][name]["decides"] for r in rounds]
        by_step = [[t for ds in decides for t in ds[step::3]] for step in range(3)]
        print(
            f"{name:9} {1000 * statistics.median(claims):7.2f}"
            + "".join(f" {1000 * statistics.median(step):9.2f}" for step in by_step[:2])
            + f" {1000 * statistics.median(by_step[2]):27.2f}"
        )
    print()
    print("SQL statements per decision, counted at the connection (libpq trace; BEGIN/COMMIT/SAVEPOINT included)")
    print(
        f"{'system':9} {'claim':>6} {'decide':>7} {'total':>6}   {'Django count':>12}   statements by kind (3 decisions)"
    )
    for name in SYSTEMS:
        c = counts[name]
        claim, decide = statistics.mean(c["claim"]), statistics.mean(c["decide"])
        django_total = (
            f"{statistics.mean(c['claim_django']) + statistics.mean(c['decide_django']):.1f}"
            if c["claim_django"]
            else "—"
        )
        kinds = ", ".join(f"{tag} {n}" for tag, n in Counter(c["tags"]).most_common())
        print(f"{name:9} {claim:6.1f} {decide:7.1f} {claim + decide:6.1f}   {django_total:>12}   {kinds}")
    print(
        "(per review step: claim "
        + "; ".join(f"{n} {counts[n]['claim']}" for n in SYSTEMS)
        + " — decide "
        + "; ".join(f"{n} {counts[n]['decide']}" for n in SYSTEMS)
        + ")"
    )


if __name__ == "__main__":
    sys.exit(main())
