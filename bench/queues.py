#!/usr/bin/env python
"""Queue pages at 10,000 and at 1,000,000 task rows, on PostgreSQL, through HTTP.

    .venv/bin/python bench/queues.py [--rows 1000000] [--small 10000] [--runs 5] [--repeats 30] [--plans FILE]

PostgreSQL only (the queues' indexes and plans are PostgreSQL's): DATABASE_URL defaults
to postgres://postgres@127.0.0.1:5432/yiyang_perf_queues, and like the other benches the
real database is never opened — Django's test-database machinery creates
``<name>_bench``, and drops it at the end.

It builds task rows with bulk SQL (INSERT … SELECT over generate_series, copying the
columns of real rows that one clinic filing left when it went through the services), in
three datasets measured one after the other:

* ``10k``   — about --small task rows: a history of finished filings and a normal open
  queue (60 waiting in the queue township's 待领取, 20 held by its reviewer, open steps
  at the bureaus and other townships);
* ``a``     — history grows: finished filings added until the table holds --rows rows;
  the open queues stay as they were;
* ``b``     — open work grows: 25,000 filings waiting in that township's 待领取 (the history of
  ``a`` trimmed so the table still holds --rows rows).

Deadline alerts exist as the deadline watch would have made them: on open steps due
today or tomorrow (due soon) and past their date (overdue), and on a share of the
finished ones (alerts are never deleted).

The three datasets live in three databases (the larger ones cloned with CREATE
DATABASE … TEMPLATE), so they are measured interleaved: in each of --runs runs, --repeats
rounds, each round requesting every page of each dataset in turn through Django's test
client — the pages 待领取, 待办, 已办 (its reviewer) and 本单位在办 (its head), and
``/api/v1/tasks/?view=…`` for the same four. It prints, per page and dataset, the median
over the runs of each run's p50 and p95 wall time, the ratio of the p95 at 1M to the p95
at 10k (per run, then the median), and the SQL count of one request
(CaptureQueriesContext). Targets (issue #13): p95 at 1,000,000 rows ≤ 1.2 × p95 at 10,000, and
≤ 10 SQL per page. --plans FILE writes EXPLAIN (ANALYZE, BUFFERS) of each page's row
query and alert query at the large sizes.
"""

import argparse
import os
import sys
import time

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/yiyang_perf_queues")

from harness import ThrowawayDatabase, median, percentile  # noqa: E402 - sets sys.path and the settings module

# The queue township is the one with the most elderly-care institutions (as in
# bench/decisions.py); its reviewer and its head are the users measured.
QUEUE_USER, HEAD_USER = "queue-reviewer", "queue-head"
PAGES = [
    ("待领取", QUEUE_USER, "/tasks/?view=queue"),
    ("待办", QUEUE_USER, "/tasks/?view=inbox"),
    ("已办", QUEUE_USER, "/tasks/?view=archive"),
    ("本单位在办", HEAD_USER, "/tasks/?view=unit"),
    ("API queue", QUEUE_USER, "/api/v1/tasks/?view=queue"),
    ("API inbox", QUEUE_USER, "/api/v1/tasks/?view=inbox"),
    ("API archive", QUEUE_USER, "/api/v1/tasks/?view=archive"),
    ("API unit", HEAD_USER, "/api/v1/tasks/?view=unit"),
]
BIG_QUEUE = 25_000


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--rows", type=int, default=1_000_000, help="task rows of the large datasets (default 1,000,000)"
    )
    parser.add_argument("--small", type=int, default=10_000, help="task rows of the small dataset (default 10,000)")
    parser.add_argument("--runs", type=int, default=5, help="runs; figures are medians over runs (default 5)")
    parser.add_argument("--repeats", type=int, default=30, help="timed requests per page, dataset and run (default 30)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests per page first (default 3)")
    parser.add_argument("--plans", metavar="FILE", help="write EXPLAIN ANALYZE of the row and alert queries to FILE")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway database (for EXPLAIN by hand)")
    return parser.parse_args(argv)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def main(argv=None) -> int:
    args = parse_args(argv)
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    if connection.vendor != "postgresql":
        raise SystemExit("bench/queues.py measures PostgreSQL's plans: set DATABASE_URL to a PostgreSQL database")
    setup_test_environment()
    database = ThrowawayDatabase(sqlite_memory=False)
    try:
        log("creating the throwaway PostgreSQL database …")
        database.create()
        return Bench(args).run(database)
    finally:
        if not args.keep:
            database.destroy()
        teardown_test_environment()


class Bench:
    def __init__(self, args):
        self.args = args
        self.batch = 0
        self.plans: list[str] = []

    # --- templates from the real services -------------------------------------------

    def template_rows(self):
        """One clinic filing taken to 备案 through the services: its case row and each task row, by node."""
        from django.db import connection

        import documents.services
        from tests.helpers import FilingDriver
        from workflows.models import CaseTask

        documents.services.enqueue_issue = lambda document_id: None  # PDFs are not what is measured

        class NoCapture:
            def __call__(self, execute=False):
                from contextlib import nullcontext

                return nullcontext()

        from permissions.models import User

        driver = FilingDriver(lambda name: User.objects.get(username=name), NoCapture())
        case = driver.file(driver.submit("inst-welfare-centre"))
        self.template_case = case.pk
        self.template_tasks = {
            task.flow_task.name: task.pk for task in CaseTask.objects.filter(process=case).order_by("id")
        }
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s", ["workflows_case"]
            )
            self.case_columns = [row[0] for row in cursor.fetchall() if row[0] != "id"]
            cursor.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s", ["workflows_casetask"]
            )
            self.task_columns = [row[0] for row in cursor.fetchall() if row[0] != "id"]
        log(f"  template filing {case.case_no}: tasks {list(self.template_tasks)}")

    def ids(self):
        from django.db.models import Count, Q

        from institutions.models import Department, Institution, Township
        from permissions.models import User

        elderly = Q(institutions__kind=Institution.Kind.ELDERLY_CARE, institutions__is_active=True)
        self.queue_township = (
            Township.objects.annotate(homes=Count("institutions", filter=elderly)).order_by("-homes", "id").first()
        )
        users = dict(User.objects.values_list("username", "pk"))
        users[QUEUE_USER] = users[f"twp-{self.queue_township.code}"]
        users[HEAD_USER] = users[f"twp-{self.queue_township.code}-head"]
        self.users = users
        self.departments = {d.code: d.pk for d in Department.objects.all()}
        institutions = list(
            Institution.objects.filter(kind=Institution.Kind.ELDERLY_CARE, is_active=True).select_related("township")
        )
        self.institutions = [(i.pk, i.township_id, users[f"twp-{i.township.code}"]) for i in institutions]
        self.queue_township_homes = [row for row in self.institutions if row[1] == self.queue_township.pk]
        self.townships = {t.pk: t for t in Township.objects.all()}

    # --- bulk SQL ---------------------------------------------------------------------

    def insert_cases(self, cursor, count: int, *, state: str, status: str, homes) -> tuple[int, int]:
        """`count` cases copied from the template, spread over `homes`; returns their id range."""
        self.batch += 1
        homes_sql = "ARRAY[" + ",".join(str(h[0]) for h in homes) + "]::bigint[]"
        twps_sql = "ARRAY[" + ",".join(str(h[1]) for h in homes) + "]::bigint[]"
        overrides = {
            "case_no": f"'BQ{self.batch:02d}-' || lpad(g::text, 8, '0')",
            "institution_id": f"({homes_sql})[1 + mod(g, {len(homes)})]",
            "township_id": f"({twps_sql})[1 + mod(g, {len(homes)})]",
            "state": f"'{state}'",
            "status": f"'{status}'",
            "submitted_at": "now() - mod(g, 700) * interval '1 day' - interval '30 days'",
            "created": "now() - mod(g, 700) * interval '1 day' - interval '30 days'",
            "finished": "now() - mod(g, 700) * interval '1 day'" if status == "DONE" else "NULL",
            "decided_at": "now() - mod(g, 700) * interval '1 day'" if status == "DONE" else "NULL",
        }
        columns = ", ".join(f'"{c}"' for c in self.case_columns)
        values = ", ".join(overrides.get(c, f't."{c}"') for c in self.case_columns)
        cursor.execute("SELECT coalesce(max(id), 0) FROM workflows_case")
        first = cursor.fetchone()[0] + 1
        cursor.execute(
            f"INSERT INTO workflows_case ({columns}) SELECT {values} FROM workflows_case t, "
            f"generate_series(1, %s) g WHERE t.id = %s",
            [count, self.template_case],
        )
        cursor.execute("SELECT max(id) FROM workflows_case")
        return first, cursor.fetchone()[0]

    def insert_tasks(self, cursor, cases: tuple[int, int], node: str, overrides: dict[str, str]) -> None:
        """One task of `node` per case in the id range, copied from the template's task of that node."""
        columns = ", ".join(f'"{c}"' for c in self.task_columns)
        base = {"process_id": "c.id"}
        values = ", ".join({**base, **overrides}.get(c, f't."{c}"') for c in self.task_columns)
        cursor.execute(
            f"INSERT INTO workflows_casetask ({columns}) SELECT {values} FROM workflows_casetask t, workflows_case c "
            f"JOIN bench_reviewer r ON r.township_id = c.township_id "
            f"WHERE t.id = %s AND c.id BETWEEN %s AND %s",
            [self.template_tasks[node], *cases],
        )

    def history(self, cursor, rows: int) -> int:
        """Finished filings with `rows` task rows in all (every node of the template, the reviews done)."""
        per_case = len(self.template_tasks)
        count = max(1, rows // per_case)
        cases = self.insert_cases(cursor, count, state="approved", status="DONE", homes=self.institutions)
        civil, health = self.users["civil-1"], self.users["health-1"]
        done = {"status": "'DONE'", "finished": "c.finished", "started": "c.finished", "assigned": "c.created"}
        for node in self.template_tasks:
            owner = {"township_review": "r.user_id", "civil_affairs_review": str(civil), "health_filing": str(health)}
            overrides = dict(done)
            if node == "township_review":
                overrides["owner_permission_obj_pk"] = "c.township_id::text"
            if node in owner:
                overrides["owner_id"] = owner[node]
                overrides["due"] = "(c.created + interval '20 days')::date"
            self.insert_tasks(cursor, cases, node, overrides)
        # Alerts are never deleted: a share of finished steps carries the alerts they once had.
        cursor.execute(
            "INSERT INTO workflows_taskalert (task_id, kind, due, created_at) "
            "SELECT t.id, k.kind, t.due, t.finished FROM workflows_casetask t "
            "CROSS JOIN (VALUES ('due_soon', 5, 1), ('overdue', 10, 0)) AS k(kind, modulo, remainder) "
            "WHERE t.process_id BETWEEN %s AND %s AND t.flow_task_type = 'HUMAN' AND t.due IS NOT NULL "
            "AND t.id %% k.modulo = k.remainder",
            list(cases),
        )
        return count * per_case

    def open_work(self, cursor, count: int, *, homes, node: str, status: str, owner: str | None) -> int:
        """`count` filings waiting at `node`: their start done, the step open, due dates over eight weeks."""
        cases = self.insert_cases(cursor, count, state="in_review", status="NEW", homes=homes)
        self.insert_tasks(cursor, cases, "submit", {"status": "'DONE'", "finished": "c.created"})
        overrides = {
            "status": f"'{status}'",
            "finished": "NULL",
            "started": "NULL",
            "assigned": "c.created" if owner else "NULL",
            "owner_id": owner or "NULL",
            "due": "current_date + (mod(c.id * 7919, 56)::int - 14)",  # two weeks overdue to six weeks ahead
            "decision": "''",
            "comment": "''",
        }
        if node == "township_review":
            overrides["owner_permission_obj_pk"] = "c.township_id::text"
        self.insert_tasks(cursor, cases, node, overrides)
        cursor.execute(
            "INSERT INTO workflows_taskalert (task_id, kind, due, created_at) "
            "SELECT id, CASE WHEN due < current_date THEN 'overdue' ELSE 'due_soon' END, due, now() "
            "FROM workflows_casetask WHERE process_id BETWEEN %s AND %s AND flow_task_type = 'HUMAN' "
            "AND due <= current_date + 1",
            list(cases),
        )
        return count * 2

    def normal_open_queue(self, cursor) -> int:
        """What a county has open on an ordinary day."""
        homes = self.queue_township_homes
        made = self.open_work(cursor, 60, homes=homes, node="township_review", status="NEW", owner=None)
        made += self.open_work(
            cursor, 20, homes=homes, node="township_review", status="ASSIGNED", owner=str(self.users[QUEUE_USER])
        )
        made += self.open_work(cursor, 100, homes=self.institutions, node="township_review", status="NEW", owner=None)
        made += self.open_work(
            cursor, 40, homes=self.institutions, node="civil_affairs_review", status="NEW", owner=None
        )
        made += self.open_work(cursor, 40, homes=self.institutions, node="health_filing", status="NEW", owner=None)
        return made

    def prepare_mapping(self, cursor) -> None:
        cursor.execute("CREATE TABLE bench_reviewer (township_id bigint PRIMARY KEY, user_id bigint)")
        cursor.executemany(
            "INSERT INTO bench_reviewer VALUES (%s, %s) ON CONFLICT DO NOTHING",
            [(township, user) for _, township, user in self.institutions],
        )

    def analyze(self, cursor) -> None:
        started = time.perf_counter()
        cursor.execute("VACUUM ANALYZE workflows_casetask")
        cursor.execute("VACUUM ANALYZE workflows_case")
        cursor.execute("VACUUM ANALYZE workflows_taskalert")
        log(f"  VACUUM ANALYZE in {time.perf_counter() - started:.1f} s")

    def census(self, cursor) -> str:
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE status IN ('NEW', 'ASSIGNED') AND flow_task_type = 'HUMAN'), "
            "count(*) FILTER (WHERE status = 'NEW' AND owner_permission_obj_pk = %s AND flow_task_type = 'HUMAN'), "
            "count(*) FILTER (WHERE status = 'DONE' AND owner_id = %s) FROM workflows_casetask",
            [str(self.queue_township.pk), self.users[QUEUE_USER]],
        )
        total, open_, queue, archive = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM workflows_taskalert")
        alerts = cursor.fetchone()[0]
        self.total_rows = total
        return (
            f"{total:,} task rows; {open_:,} open review steps; {queue:,} in twp-{self.queue_township.code}'s 待领取 (township);"
            f" {archive:,} finished by twp-{self.queue_township.code}; {alerts:,} alerts"
        )

    # --- measuring ----------------------------------------------------------------------

    def use(self, name: str) -> None:
        """Point Django's connection at one of the datasets' databases."""
        from django.db import connection

        connection.close()
        connection.settings_dict["NAME"] = name

    @staticmethod
    def _maintenance():
        """An autocommit connection to the server's `postgres` database (CREATE/DROP DATABASE cannot run in ours)."""
        import psycopg
        from django.db import connection

        connection.close()
        settings = connection.settings_dict
        return psycopg.connect(
            host=settings["HOST"],
            port=settings["PORT"] or 5432,
            user=settings["USER"],
            dbname="postgres",
            autocommit=True,
        )

    def clone(self, source: str, target: str) -> None:
        """CREATE DATABASE target TEMPLATE source: a copy of a built dataset in a second or two."""
        with self._maintenance() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{target}"')
            admin.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')
        self.clones.append(target)

    def drop_clones(self) -> None:
        with self._maintenance() as admin:
            for name in self.clones:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def measure(self, databases: dict[str, str]) -> list[dict[str, dict[str, tuple[float, float]]]]:
        """Every page of every dataset, interleaved: round after round, each dataset's pages in turn.

        The three datasets live in three databases; the connection is switched between them
        (one reconnect per dataset and round, outside the timed requests), so a busy
        moment of the shared machine falls on all three alike and the ratios stay honest.
        """
        from django.db import connection, reset_queries
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        from permissions.models import User

        clients: dict[str, dict[str, Client]] = {}
        counts: dict[str, dict[str, int]] = {}
        for key, name in databases.items():
            self.use(name)
            clients[key] = {}
            for user in (QUEUE_USER, HEAD_USER):
                clients[key][user] = Client()
                clients[key][user].force_login(User.objects.get(pk=self.users[user]))
            counts[key] = {}
            for title, user, url in PAGES:
                for _ in range(self.args.warmup):
                    response = clients[key][user].get(url)
                    assert response.status_code == 200, (url, response.status_code)
                reset_queries()
                with CaptureQueriesContext(connection) as captured:
                    clients[key][user].get(url)
                queries = list(captured.captured_queries)
                counts[key][title] = len(queries)
                if self.args.plans and key != "10k":
                    self.explain(key, title, queries)
        runs = []
        for run in range(1, self.args.runs + 1):
            samples: dict[str, dict[str, list[float]]] = {
                key: {title: [] for title, _, _ in PAGES} for key in databases
            }
            for _ in range(self.args.repeats):
                for key, name in databases.items():
                    self.use(name)
                    clients[key][QUEUE_USER].get(PAGES[0][2])  # reconnect outside the timed requests
                    for title, user, url in PAGES:
                        started = time.perf_counter()
                        clients[key][user].get(url)
                        samples[key][title].append(time.perf_counter() - started)
            runs.append(
                {
                    key: {title: (median(values), percentile(values, 0.95)) for title, values in pages.items()}
                    for key, pages in samples.items()
                }
            )
            log(f"  run {run}/{self.args.runs} done")
        self.counts = counts
        return runs

    def explain(self, label: str, title: str, queries: list[dict]) -> None:
        from django.db import connection

        for query in queries:
            sql = query["sql"]
            is_rows = 'FROM "workflows_casetask"' in sql and "LIMIT" in sql
            is_alerts = '"workflows_taskalert"' in sql and "UNION" in sql
            if not (is_rows or is_alerts) or "/api/" in title and is_alerts:
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + sql)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            what = "rows" if is_rows else "deadline alerts"
            label = {"a": "a (1M rows, history grows)", "b": "b (1M rows, 25k in one queue)"}.get(label, label)
            self.plans.append(f"### {label} · {title} · {what}\n\n```sql\n{sql}\n```\n\n```\n{plan}\n```\n")

    # --- the run ------------------------------------------------------------------------

    def run(self, database) -> int:
        from django.db import connection

        from demo.accounts import load_all

        self.clones: list[str] = []
        try:
            return self.build_and_measure(database, connection, load_all)
        finally:
            self.use(database.name)  # the throwaway machinery drops the database it made
            self.drop_clones()

    def build_and_measure(self, database, connection, load_all) -> int:
        log("loading the demo county and one real filing as the rows' template …")
        load_all()
        self.template_rows()
        self.ids()
        censuses = {}
        names = {"10k": database.name, "a": f"{database.name}_a", "b": f"{database.name}_b"}
        with connection.cursor() as cursor:
            self.prepare_mapping(cursor)
            started = time.perf_counter()
            made = self.normal_open_queue(cursor)
            cursor.execute("SELECT count(*) FROM workflows_casetask")
            existing = cursor.fetchone()[0]
            self.history(cursor, self.args.small - existing)
            log(f"  10k dataset built in {time.perf_counter() - started:.1f} s ({made} open-work rows)")
            self.analyze(cursor)
            censuses["10k"] = self.census(cursor)

        self.clone(names["10k"], names["a"])
        self.use(names["a"])
        with connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.execute("SELECT count(*) FROM workflows_casetask")
            missing = self.args.rows - cursor.fetchone()[0]
            while missing > 0:
                missing -= self.history(cursor, min(250_000, missing))
                log(f"  history: {self.args.rows - max(missing, 0):,} rows …")
            log(f"  dataset a built in {time.perf_counter() - started:.1f} s")
            self.analyze(cursor)
            censuses["a"] = self.census(cursor)

        self.clone(names["a"], names["b"])
        self.use(names["b"])
        with connection.cursor() as cursor:
            started = time.perf_counter()
            self.open_work(
                cursor, BIG_QUEUE, homes=self.queue_township_homes, node="township_review", status="NEW", owner=None
            )
            self.trim_history(cursor)
            log(f"  dataset b built in {time.perf_counter() - started:.1f} s")
            self.analyze(cursor)
            censuses["b"] = self.census(cursor)

        for key, text in censuses.items():
            log(f"dataset {key}: {text}")
        log(f"measuring {self.args.runs} runs of {self.args.repeats} rounds of every page of every dataset …")
        runs = self.measure(names)
        self.use(database.name)
        self.report(connection, censuses, runs)
        if self.args.plans:
            with open(self.args.plans, "w", encoding="utf-8") as out:
                out.write("# EXPLAIN (ANALYZE, BUFFERS) of the queue pages (bench/queues.py --plans)\n\n")
                out.write("\n".join(self.plans))
            log(f"plans written to {self.args.plans}")
        return 0

    def trim_history(self, cursor) -> None:
        """Keep the table at --rows rows: the oldest finished filings go, with their tasks and alerts."""
        cursor.execute("SELECT count(*) FROM workflows_casetask")
        excess = cursor.fetchone()[0] - self.args.rows
        if excess <= 0:
            return
        cursor.execute(
            "CREATE TEMP TABLE bench_trim AS SELECT t.id FROM workflows_casetask t WHERE t.process_id IN "
            "(SELECT id FROM workflows_case WHERE case_no LIKE 'BQ%%' AND status = 'DONE' ORDER BY id LIMIT %s)",
            [-(-excess // len(self.template_tasks))],
        )
        cursor.execute("DELETE FROM workflows_taskalert WHERE task_id IN (SELECT id FROM bench_trim)")
        cursor.execute(
            "DELETE FROM workflows_casetask_previous WHERE from_casetask_id IN (SELECT id FROM bench_trim) "
            "OR to_casetask_id IN (SELECT id FROM bench_trim)"
        )
        cursor.execute("DELETE FROM workflows_casetask WHERE id IN (SELECT id FROM bench_trim)")
        cursor.execute("DROP TABLE bench_trim")

    def report(self, connection, censuses, runs) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
        ms = lambda seconds: f"{seconds * 1000:7.1f}"  # noqa: E731
        print("医养通办 — queue pages at scale (bench/queues.py)")
        print("=" * 72)
        print(
            f"database     PostgreSQL {version}, throwaway; {self.args.runs} runs × {self.args.repeats} requests per page"
            " and dataset, the datasets interleaved round by round"
        )
        for key, text in censuses.items():
            print(f"dataset {key:4} {text}")
        print("figures      medians over the runs of each run's p50 and p95; ratio = median over the runs of")
        print("             (p95 at 1M / p95 at 10k in the same run); SQL = queries of one request")
        print()
        header = (
            f"{'page':14} {'SQL':>4} | {'10k p50':>7} {'p95':>7} | {'a p50':>7} {'p95':>7} {'ratio':>6} |"
            f" {'b p50':>7} {'p95':>7} {'ratio':>6}   (ms)"
        )
        print(header)
        print("-" * len(header))
        worst = {"a": 0.0, "b": 0.0}
        most_sql = 0
        for title, _, _ in PAGES:

            def figure(key: str, index: int) -> float:
                return median([run[key][title][index] for run in runs])

            def ratio(key: str) -> float:
                return median([run[key][title][1] / run["10k"][title][1] for run in runs])

            ratio_a, ratio_b = ratio("a"), ratio("b")
            worst["a"], worst["b"] = max(worst["a"], ratio_a), max(worst["b"], ratio_b)
            counts = [self.counts[key][title] for key in ("10k", "a", "b")]
            most_sql = max(most_sql, *counts)
            sql_text = f"{counts[0]}" if len(set(counts)) == 1 else "/".join(map(str, counts))
            print(
                f"{title:14} {sql_text:>4} | {ms(figure('10k', 0))} {ms(figure('10k', 1))} |"
                f" {ms(figure('a', 0))} {ms(figure('a', 1))} {ratio_a:6.2f} |"
                f" {ms(figure('b', 0))} {ms(figure('b', 1))} {ratio_b:6.2f}"
            )
        print()
        print(
            f"worst p95 ratio: a {worst['a']:.2f}, b {worst['b']:.2f} (target <= 1.20)"
            f" — {'met' if max(worst.values()) <= 1.2 else 'NOT met'}"
        )
        print(f"most SQL per page: {most_sql} (target <= 10) — {'met' if most_sql <= 10 else 'NOT met'}")


if __name__ == "__main__":
    sys.exit(main())
