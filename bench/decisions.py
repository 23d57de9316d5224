#!/usr/bin/env python
"""Decision throughput and queue cost of 医养通办, measured through the service layer.

    .venv/bin/python bench/decisions.py [--cases 2000] [--runs 5] [--batch 50]

Runs against the database DATABASE_URL points at (default SQLite) but never touches
that database: it creates a throwaway one with Django's test-database machinery
(PostgreSQL: ``<name>_bench``; SQLite: a temporary file, or memory with
--sqlite-memory), migrates it, loads the demo county's data, builds a history of clinic
filings with the real services, measures, and drops the database again.

What it measures (see bench/README.md):

* decisions per second: ``claim_task`` + ``decide_task(approve)`` on 属地初审
  (township_review) tasks, timed per decision and summed over a run of --batch
  decisions; median, min and max over --runs runs;
* the SQL queries of one decision (claim, decide, both);
* the SQL queries and wall time of one 待领取 page for a township reviewer (filled by
  --queue-cases extra filings from made-up nursing homes of its township), both
  through ``workflows.scoping.task_queue`` (as web/tasks.py builds it)
  and through the real view with Django's test client.

PDF rendering is not measured: ``documents.services.enqueue_issue`` (run on commit
after a case closes) is replaced by a no-op for the whole run.
"""

import argparse
import os
import random
import statistics
import sys
import time
from collections import Counter

from harness import ThrowawayDatabase, request_user  # noqa: E402 - sets sys.path and the settings module

PAGE_SIZE = 25  # web/tasks.py: Paginator(tasks, 25)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=2000, help="background clinic filings to build (default 2000)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of decisions (default 5, at least 5)")
    parser.add_argument("--batch", type=int, default=50, help="decisions per timed run (default 50)")
    parser.add_argument("--page-repeats", type=int, default=10, help="timed queue page loads (default 10)")
    parser.add_argument(
        "--queue-cases",
        type=int,
        default=60,
        help="extra filings waiting at the queue township's 属地初审, so the 待领取 page is full (default 60)",
    )
    parser.add_argument("--seed", type=int, default=20260101, help="random seed of the background mix")
    parser.add_argument(
        "--sqlite-memory", action="store_true", help="SQLite: in-memory database instead of a temp file"
    )
    parser.add_argument("--show-sql", action="store_true", help="print the SQL of one decision and one queue page")
    args = parser.parse_args(argv)
    if args.runs < 5:
        parser.error("--runs must be at least 5")
    if args.cases < 0 or args.queue_cases < 0 or args.batch < 1 or args.page_repeats < 1:
        parser.error("--cases and --queue-cases must be >= 0, --batch and --page-repeats >= 1")
    return args


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- measuring -------------------------------------------------------------------------


class Captured:
    """The queries of a CaptureQueriesContext, copied at once.

    CaptureQueriesContext.captured_queries slices connection.queries lazily by
    position; a later reset_queries() (or the 9000-entry log wrapping) would make it
    show other queries.
    """

    def __init__(self, context):
        self.queries = list(context.captured_queries)

    def __len__(self) -> int:
        return len(self.queries)


def main(argv=None) -> int:
    args = parse_args(argv)

    import django

    django.setup()

    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()  # test client host, locmem e-mail
    database = ThrowawayDatabase(sqlite_memory=args.sqlite_memory)
    try:
        log(f"creating throwaway {connection.vendor} database …")
        started = time.perf_counter()
        database.create()
        log(f"  {database.name} migrated in {time.perf_counter() - started:.1f} s")
        return Bench(args, database).run()
    finally:
        database.destroy()
        teardown_test_environment()  # config.settings_test removes its scratch directory at exit


class Bench:
    def __init__(self, args, database):
        self.args = args
        self.database = database
        self.rng = random.Random(args.seed)
        self.documents_skipped = 0
        self.report: list[str] = []

    def choose_queue_township(self) -> None:
        """The township with the most elderly-care institutions: its reviewer's 待领取 is measured."""
        from django.db.models import Count, Q

        from institutions.county import current_county
        from institutions.models import Institution, Township

        elderly = Q(institutions__kind=Institution.Kind.ELDERLY_CARE, institutions__is_active=True)
        self.county = current_county()
        self.queue_township = (
            Township.objects.annotate(homes=Count("institutions", filter=elderly)).order_by("-homes", "id").first()
        )
        self.queue_user = f"twp-{self.queue_township.code}"

    # --- helpers over the real services ---------------------------------------------

    def user(self, username: str):
        """A fresh user object, as each request loads one (grants and roles are cached per object)."""
        return request_user(username)

    def submit(self, institution, *, insurance: bool = False):
        from common.validators import check_upload
        from tests.helpers import uploaded_pdf, valid_filing, valid_staff
        from workflows import services

        applicant = self.user(f"inst-{institution.code}")
        attachments = services.store_attachments(user=applicant, files=[("场所证明.pdf", check_upload(uploaded_pdf()))])
        return services.submit_clinic_filing(
            user=applicant,
            filing=valid_filing(medical_insurance=insurance),
            staff=valid_staff(),
            attachments=attachments,
        )

    def open_task(self, case):
        from viewflow.workflow.status import STATUS

        from workflows.models import CaseTask

        return CaseTask.objects.get(process=case, flow_task_type="HUMAN", status__in=(STATUS.NEW, STATUS.ASSIGNED))

    def decide(self, case, username: str, decision: str = "approve"):
        from workflows import services

        task = self.open_task(case)
        services.claim_task(user=self.user(username), task_id=task.pk)
        extra = {
            "return": {"comment": "材料不全", "missing_items": ["房屋产权证明"]},
            "reject": {"comment": "不符合备案条件"},
        }.get(decision, {})
        services.decide_task(user=self.user(username), task_id=task.pk, decision=decision, **extra)

    def resubmit(self, institution, case, *, insurance: bool = False):
        from common.validators import check_upload
        from tests.helpers import uploaded_pdf, valid_filing, valid_staff
        from workflows import services

        applicant = self.user(f"inst-{institution.code}")
        attachments = services.store_attachments(user=applicant, files=[("补正.pdf", check_upload(uploaded_pdf()))])
        services.resubmit_clinic_filing(
            user=applicant,
            case_no=case.case_no,
            filing=valid_filing(clinic_name="社会福利中心医务室（补正）", medical_insurance=insurance),
            staff=valid_staff(),
            attachments=attachments,
        )

    def withdraw(self, institution, case):
        from workflows import services

        services.withdraw_case(user=self.user(f"inst-{institution.code}"), case_no=case.case_no)

    # --- the background history -------------------------------------------------------

    def steps(self, institution):
        township = f"twp-{institution.township.code}"
        return [(township, "township"), ("civil-1", "civil"), ("health-1", "health")]

    def closed_case(self, institution) -> str:
        """One finished filing with a realistic outcome; returns the outcome."""
        roll = self.rng.random()
        insurance = self.rng.random() < 0.3
        case = self.submit(institution, insurance=insurance)
        steps = self.steps(institution)
        if roll < 0.60:  # filed, 医保 decided when asked
            for username, _ in steps:
                self.decide(case, username)
            if insurance:
                self.decide(case, "insurance-1", "approve" if self.rng.random() < 0.8 else "reject")
            return "filed"
        if roll < 0.70:  # returned by the township, supplemented, then filed
            self.decide(case, steps[0][0], "return")
            self.resubmit(institution, case, insurance=insurance)
            for username, _ in steps:
                self.decide(case, username)
            if insurance:
                self.decide(case, "insurance-1")
            return "filed after return"
        if roll < 0.85:  # rejected at some step
            at = self.rng.randrange(3)
            for username, _ in steps[:at]:
                self.decide(case, username)
            self.decide(case, steps[at][0], "reject")
            return f"rejected at {steps[at][1]}"
        at = self.rng.randrange(2)  # withdrawn before or after the township's approval
        for username, _ in steps[:at]:
            self.decide(case, username)
        self.withdraw(institution, case)
        return "withdrawn"

    def open_case(self, institution, where: str) -> str:
        case = self.submit(institution)
        steps = self.steps(institution)
        if where == "returned":
            self.decide(case, steps[0][0], "return")
            return "open: returned to applicant"
        stop = {"township": 0, "civil": 1, "health": 2}[where]
        for username, _ in steps[:stop]:
            self.decide(case, username)
        return f"open: at {where} review"

    def build(self):
        from institutions.models import Institution

        institutions = list(
            Institution.objects.filter(kind=Institution.Kind.ELDERLY_CARE, is_active=True)
            .select_related("township")
            .order_by("code")
        )
        self.institutions = institutions
        # Where each institution's last (still open) filing waits. The queue user's
        # township keeps its cases at 属地初审 so its 待领取 queue is not empty; a few
        # institutions stay at 民政局/卫健局 or with the applicant for the whole run.
        cycle = ["township", "civil", "township", "health", "township", "returned", "township"]
        queue_township = self.queue_township.code
        final = {}
        for index, institution in enumerate(institutions):
            final[institution.pk] = (
                "township" if institution.township.code == queue_township else cycle[index % len(cycle)]
            )
        share = [self.args.cases // len(institutions)] * len(institutions)
        for index in range(self.args.cases % len(institutions)):
            share[index] += 1

        outcomes = Counter()
        started = time.perf_counter()
        built = 0
        for round_no in range(max(share, default=0)):
            for index, institution in enumerate(institutions):
                if round_no >= share[index]:
                    continue
                last = round_no == share[index] - 1
                outcomes[
                    self.open_case(institution, final[institution.pk]) if last else self.closed_case(institution)
                ] += 1
                built += 1
                if built % 100 == 0:
                    rate = built / (time.perf_counter() - started)
                    log(f"  built {built}/{self.args.cases} cases ({rate:.1f} cases/s)")
        self.build_seconds = time.perf_counter() - started
        self.outcomes = outcomes
        # Institutions whose township step the timed runs may use: free, or waiting at 属地初审.
        self.runnable = [
            institution
            for institution in institutions
            if share[institutions.index(institution)] == 0 or final[institution.pk] == "township"
        ]

    def fill_queue(self, count: int) -> None:
        """`count` made-up nursing homes in the queue user's township, each with a filing at 属地初审.

        Even the county's busiest township has only a few elderly-care institutions; a real
        queue page holds a full page of rows, and its cost per row is what matters.
        """
        from demo.accounts import _account, demo_uscc
        from institutions.models import Institution
        from permissions.roles import Role

        township = self.queue_township
        for number in range(1, count + 1):
            code = f"bench-q{number:03d}"
            institution = Institution.objects.create(
                code=code,
                name=f"基准测试养老院{number:03d}",
                uscc=demo_uscc(code, public=False, division=self.county.division_code),
                kind=Institution.Kind.ELDERLY_CARE,
                ownership=Institution.Ownership.PRIVATE,
                township=township,
                beds=120,
                address=f"{self.county.name}{township.name}",
            )
            _account(
                f"inst-{code}",
                password_hash="!",
                roles={Role.APPLICANT},
                display_name=f"{institution.name}经办人",
                institution=institution,
            )
            self.submit(institution)

    # --- timed decisions ----------------------------------------------------------------

    def township_task(self, institution):
        """The open 属地初审 task of the institution's filing, submitting a new filing when it has none."""
        from viewflow.workflow.status import STATUS

        from workflows.clinic_filing import ClinicFilingFlow
        from workflows.models import Case, CaseTask
        from workflows.models.case import OPEN_STATES

        case = Case.objects.filter(institution=institution, state__in=OPEN_STATES).first()
        if case is None:
            case = self.submit(institution)
        task = CaseTask.objects.get(process=case, flow_task=ClinicFilingFlow.township_review, status=STATUS.NEW)
        return case, task

    def timed_round(self, limit: int):
        """Claim + approve up to `limit` township tasks; only those two calls are timed.

        Afterwards the cases are taken on to 备案 (untimed), which frees their
        institutions for the next round (one open filing per institution).
        """
        from workflows import services

        samples = []
        prepared = [(institution, *self.township_task(institution)) for institution in self.runnable[:limit]]
        for institution, _case, task in prepared:
            username = f"twp-{institution.township.code}"
            claimer, decider = self.user(username), self.user(username)  # two requests, two user loads
            t0 = time.perf_counter()
            services.claim_task(user=claimer, task_id=task.pk)
            t1 = time.perf_counter()
            services.decide_task(user=decider, task_id=task.pk, decision="approve")
            t2 = time.perf_counter()
            samples.append((t1 - t0, t2 - t1))
        for _institution, case, _task in prepared:
            self.decide(case, "civil-1")
            self.decide(case, "health-1")
        return samples

    def timed_run(self, batch: int):
        samples = []
        while len(samples) < batch:
            samples.extend(self.timed_round(batch - len(samples)))
        return samples

    # --- query counts -----------------------------------------------------------------

    def count_one_decision(self):
        """Queries of one claim and one decide (fresh user objects, as two requests would have)."""
        from django.db import connection, reset_queries
        from django.test.utils import CaptureQueriesContext

        from workflows import services

        institution = next(i for i in self.runnable if i.township_id == self.queue_township.pk)
        case, task = self.township_task(institution)
        claimer, decider = self.user(self.queue_user), self.user(self.queue_user)
        reset_queries()
        with CaptureQueriesContext(connection) as both:
            with CaptureQueriesContext(connection) as claim:
                services.claim_task(user=claimer, task_id=task.pk)
            claim = Captured(claim)
            with CaptureQueriesContext(connection) as decide:
                services.decide_task(user=decider, task_id=task.pk, decision="approve")
            decide = Captured(decide)
        both = Captured(both)
        self.decide(case, "civil-1")
        self.decide(case, "health-1")
        return claim, decide, both

    def queue_page(self, user):
        """The 待领取 page as web/tasks.py task_list builds it, iterated like the template."""
        from workflows import scoping

        tasks = scoping.task_queue(user).select_related("process__institution").order_by("due", "id")[:PAGE_SIZE]
        rows = 0
        for task in tasks:
            (
                task.pk,
                task.process.case_no,
                task.process.get_procedure_display(),
                task.process.institution.name,
                task.flow_task.task_title,
                task.unit_label,
                task.created,
                task.due,
                task.is_overdue,
            )
            rows += 1
        return rows

    def measure_queue(self):
        from django.db import connection, reset_queries
        from django.test.utils import CaptureQueriesContext

        self.queue_page(self.user(self.queue_user))  # warm-up
        reset_queries()
        user = self.user(self.queue_user)
        with CaptureQueriesContext(connection) as captured:
            rows = self.queue_page(user)
        captured = Captured(captured)
        times = []
        for _ in range(self.args.page_repeats):
            user = self.user(self.queue_user)
            t0 = time.perf_counter()
            self.queue_page(user)
            times.append(time.perf_counter() - t0)
        return rows, captured, times

    def measure_view(self):
        from django.db import connection, reset_queries
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        client = Client()
        client.force_login(self.user(self.queue_user))
        url = "/tasks/?view=queue"
        response = client.get(url)  # warm-up (template compilation, URL resolver)
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}")
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        captured = Captured(captured)
        rows = response.content.decode().count("/claim/")
        times = []
        for _ in range(self.args.page_repeats):
            t0 = time.perf_counter()
            client.get(url)
            times.append(time.perf_counter() - t0)
        return rows, captured, times

    # --- the report --------------------------------------------------------------------

    def out(self, line: str = "") -> None:
        print(line, flush=True)

    def run(self) -> int:
        from django.db import connection

        import documents.services
        from demo.accounts import load_all

        def skip_document(document_id: int) -> None:
            self.documents_skipped += 1

        documents.services.enqueue_issue = skip_document  # decisions are measured, not PDFs

        log("loading the demo county's data …")
        load_all()
        self.choose_queue_township()
        log(f"building {self.args.cases} background clinic filings through the services …")
        self.build()
        log(f"filling {self.queue_user}'s 待领取 with {self.args.queue_cases} more filings …")
        self.fill_queue(self.args.queue_cases)

        background_states, background_open = self.census()

        log("measuring one 待领取 page …")
        queue_rows, queue_sql, queue_times = self.measure_queue()
        view_rows, view_sql, view_times = self.measure_view()
        log("counting the queries of one decision …")
        claim_sql, decide_sql, both_sql = self.count_one_decision()

        log(f"timing {self.args.runs} runs of {self.args.batch} decisions …")
        self.timed_run(min(self.args.batch, len(self.runnable)))  # warm-up round
        runs = []
        all_samples = []
        for number in range(1, self.args.runs + 1):
            samples = self.timed_run(self.args.batch)
            seconds = sum(claim + decide for claim, decide in samples)
            runs.append(len(samples) / seconds)
            all_samples.extend(samples)
            log(f"  run {number}: {runs[-1]:.1f} decisions/s")

        # --- print ---
        version = self.database_version(connection)
        final_states, _ = self.census()
        ms = lambda seconds: f"{seconds * 1000:.2f} ms"  # noqa: E731

        self.out("医养通办 — decision benchmark (bench/decisions.py)")
        self.out("=" * 60)
        self.out(f"database           {connection.vendor} {version}")
        self.out(f"throwaway database {self.database.name}  (real database untouched, dropped afterwards)")
        self.out(f"settings           {os.environ['DJANGO_SETTINGS_MODULE']}")
        self.out(
            f"N (background)     {self.args.cases} clinic filings over {len(self.institutions)} elderly-care institutions,"
            f" built in {self.build_seconds:.1f} s"
        )
        for outcome, count in sorted(self.outcomes.items()):
            self.out(f"                     {count:6d}  {outcome}")
        self.out(f"before measuring   {background_states}")
        self.out(f"  open human tasks {background_open}")
        self.out(f"after the run      {final_states}  (the timed runs add filings)")
        self.out(
            f"PDF rendering      OFF: documents.services.enqueue_issue patched to a no-op "
            f"({self.documents_skipped} document issues skipped)"
        )
        self.out()
        self.out("Decisions (claim + approve on 属地初审 / township_review, service layer)")
        self.out(
            f"  runs             {self.args.runs} × {self.args.batch} decisions"
            f" (rounds over {len(self.runnable)} institutions; only claim_task + decide_task timed)"
        )
        self.out(f"  decisions/second median {statistics.median(runs):.1f}   min {min(runs):.1f}   max {max(runs):.1f}")
        self.out(f"  per run          {'  '.join(f'{r:.1f}' for r in runs)}")
        claims = [c for c, _ in all_samples]
        decides = [d for _, d in all_samples]
        self.out(
            f"  latency median   claim {ms(statistics.median(claims))}, decide {ms(statistics.median(decides))},"
            f" together {ms(statistics.median([c + d for c, d in all_samples]))}"
        )
        self.out()
        self.out("SQL queries of ONE decision (fresh user objects, as in two requests)")
        self.out(f"  claim_task       {len(claim_sql):3d}   {self.kinds(claim_sql)}")
        self.out(f"  decide_task      {len(decide_sql):3d}   {self.kinds(decide_sql)}")
        self.out(f"  together         {len(both_sql):3d}")
        self.out()
        self.out(
            f"待领取 queue page for {self.queue_user} (scoping.task_queue, select_related process__institution,"
            f" order_by due,id, [:{PAGE_SIZE}])"
        )
        self.out(f"  rows on page     {queue_rows}")
        self.out(f"  SQL queries      {len(queue_sql)}   (including the user's grants; user object loaded outside)")
        self.out(
            f"  wall time        median {ms(statistics.median(queue_times))}   min {ms(min(queue_times))}"
            f"   max {ms(max(queue_times))}   (n={len(queue_times)})"
        )
        self.out()
        self.out(
            f"待领取 queue page through the web view (test Client, force_login {self.queue_user}, GET /tasks/?view=queue)"
        )
        self.out(f"  rows on page     {view_rows}")
        self.out(f"  SQL queries      {len(view_sql)}   {self.kinds(view_sql)}")
        self.out(
            f"  wall time        median {ms(statistics.median(view_times))}   min {ms(min(view_times))}"
            f"   max {ms(max(view_times))}   (n={len(view_times)})"
        )
        if self.args.show_sql:
            for title, captured in (
                ("claim_task", claim_sql),
                ("decide_task", decide_sql),
                ("queue page (service)", queue_sql),
                ("queue page (view)", view_sql),
            ):
                self.out()
                self.out(f"--- SQL: {title} ---")
                for number, query in enumerate(captured.queries, 1):
                    self.out(f"{number:3d}. {query['sql']}")
        return 0

    @staticmethod
    def census() -> tuple[str, str]:
        from viewflow.workflow.status import STATUS

        from workflows.models import Case, CaseTask

        states = Counter(Case.objects.values_list("state", flat=True))
        steps = Counter(
            CaseTask.objects.filter(status__in=(STATUS.NEW, STATUS.ASSIGNED), flow_task_type="HUMAN").values_list(
                "flow_task", flat=True
            )
        )
        cases = f"{Case.objects.count()} cases, {CaseTask.objects.count()} tasks; " + ", ".join(
            f"{state} {count}" for state, count in sorted(states.items())
        )
        tasks = ", ".join(f"{getattr(node, 'name', node)} {count}" for node, count in sorted(steps.items(), key=str))
        return cases, tasks or "none"

    @staticmethod
    def kinds(captured) -> str:
        counts = Counter()
        for query in captured.queries:
            word = query["sql"].lstrip().split(None, 1)[0].upper() if query["sql"].strip() else "?"
            if word in ("RELEASE", "ROLLBACK") or word.startswith("SAVEPOINT"):
                word = "SAVEPOINT"
            counts[word] += 1
        return "(" + ", ".join(f"{word} {count}" for word, count in counts.most_common()) + ")"

    @staticmethod
    def database_version(connection) -> str:
        if connection.vendor == "sqlite":
            return f"(SQLite {connection.Database.sqlite_version})"
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version" if connection.vendor == "postgresql" else "SELECT version()")
            return f"{cursor.fetchone()[0]}"


if __name__ == "__main__":
    sys.exit(main())
