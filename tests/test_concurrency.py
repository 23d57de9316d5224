"""Races on PostgreSQL: two reviewers on one task, two submissions for one case number, a busy lock.

Each contender runs in its own thread with its own database connection; a barrier
releases them together. Exactly one wins each race, the loser gets a 409-class
refusal (never a 500), and no case is left broken.
"""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections, transaction
from rest_framework.test import APIClient
from viewflow.workflow.status import STATUS

from common.errors import Conflict
from workflows import services
from workflows.models import Case, CaseState

from .conftest import require_services
from .helpers import valid_filing, valid_staff

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 5


@pytest.fixture(autouse=True)
def postgres_only():
    require_services(postgres=True)


def race(*calls):
    """Run the calls at the same instant in threads; return each one's result or exception."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        try:
            barrier.wait()
            return call()
        except Exception as error:  # noqa: BLE001 - the outcome is what we compare
            return error
        finally:
            connections.close_all()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def test_two_reviewers_claim_the_same_task(demo, driver, users):
    anwen, head = users("twp-anwen"), users("twp-anwen-head")
    for _ in range(ROUNDS):
        case = driver.submit()
        task = driver.open_task(case, "twp-anwen")
        outcomes = race(
            lambda: services.claim_task(user=anwen, task_id=task.pk),
            lambda: services.claim_task(user=head, task_id=task.pk),
        )
        winners = [o for o in outcomes if not isinstance(o, Exception)]
        losers = [o for o in outcomes if isinstance(o, Exception)]
        assert len(winners) == 1 and len(losers) == 1, outcomes
        assert isinstance(losers[0], Conflict) and losers[0].code in {"task_taken", "busy"}
        task.refresh_from_db()
        assert task.status == STATUS.ASSIGNED and task.owner_id == winners[0].owner_id
        # The case is not broken: the winner decides and it moves on.
        services.decide_task(user=users(task.owner.username), task_id=task.pk, decision="reject", comment="并发测试")
        case.refresh_from_db()
        assert case.state == CaseState.REJECTED


def test_a_double_submitted_decision_counts_once(demo, driver, users):
    reviewer = users("twp-anwen")
    for _ in range(ROUNDS):
        case = driver.submit()
        task = driver.open_task(case, "twp-anwen")
        services.claim_task(user=reviewer, task_id=task.pk)
        outcomes = race(
            lambda: services.decide_task(user=reviewer, task_id=task.pk, decision="approve"),
            lambda: services.decide_task(user=reviewer, task_id=task.pk, decision="approve"),
        )
        assert sum(not isinstance(o, Exception) for o in outcomes) == 1, outcomes
        assert all(isinstance(o, Conflict) for o in outcomes if isinstance(o, Exception))
        # Exactly one civil-affairs task was created: the route did not fork.
        assert case.task_set.filter(flow_task_type="HUMAN", status=STATUS.NEW).count() == 1
        services.withdraw_case(user=users("inst-welfare-centre"), case_no=case.case_no)


def test_two_submissions_race_for_the_next_case_number(demo, users, driver):
    applicants = ["inst-welfare-centre", "inst-xinwo-home"]
    seen: set[str] = set()
    for _ in range(ROUNDS):
        attachments = {name: driver.attachment(name) for name in applicants}
        outcomes = race(
            *[
                (
                    lambda name=name: services.submit_clinic_filing(
                        user=users(name), filing=valid_filing(), staff=valid_staff(), attachments=[attachments[name]]
                    )
                )
                for name in applicants
            ]
        )
        assert not any(isinstance(o, Exception) for o in outcomes), outcomes
        numbers = sorted(case.case_no for case in outcomes)
        sequence = [int(n.rsplit("-", 1)[1]) for n in numbers]
        assert sequence[1] == sequence[0] + 1, numbers  # each number won by exactly one submission
        assert not seen & set(numbers)
        seen |= set(numbers)
        for case in outcomes:
            services.withdraw_case(user=case.applicant, case_no=case.case_no)
    assert Case.objects.filter(case_no__in=seen).count() == len(seen)


def test_same_institution_submitting_twice_at_once_files_one_case(demo, users, driver):
    applicant = users("inst-welfare-centre")
    attachments = [driver.attachment(), driver.attachment()]
    outcomes = race(
        *[
            (
                lambda a=a: services.submit_clinic_filing(
                    user=applicant, filing=valid_filing(), staff=valid_staff(), attachments=[a]
                )
            )
            for a in attachments
        ]
    )
    assert sum(not isinstance(o, Exception) for o in outcomes) == 1, outcomes
    loser = next(o for o in outcomes if isinstance(o, Exception))
    assert isinstance(loser, Conflict) and loser.code == "duplicate_application"
    assert Case.objects.filter(institution=applicant.institution).count() == 1


def test_a_busy_lock_is_a_409_not_a_500(demo, users, driver):
    """lock_timeout is a connection setting (FLOW_LOCK_TIMEOUT_MS, config/settings.py); shortened here."""
    require_services(postgres=True)
    case = driver.submit()
    task = driver.open_task(case, "twp-anwen")
    holding, release = threading.Event(), threading.Event()

    def hold_the_case():
        try:
            with transaction.atomic():
                Case.objects.select_for_update().get(pk=case.pk)
                holding.set()
                release.wait(10)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_the_case)
    holder.start()
    try:
        assert holding.wait(5)
        client = APIClient()
        client.force_authenticate(users("twp-anwen"))
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '300ms'")
        started = time.monotonic()
        response = client.post(f"/api/v1/tasks/{task.pk}/claim/")
        waited = time.monotonic() - started
        assert response.status_code == 409, response.content
        assert response.json()["error"]["code"] == "busy"
        assert waited < 3
    finally:
        release.set()
        holder.join()
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")
    # Once the other transaction is gone, the same request succeeds.
    response = client.post(f"/api/v1/tasks/{task.pk}/claim/")
    assert response.status_code == 200
    assert connection.vendor == "postgresql"


def test_both_bureaus_approve_at_the_same_instant_and_the_join_continues_once(demo, users):
    """The parallel 卫健局/民政局 reviews of an agreement meet at a Join: one continuation, one agreement."""
    from datetime import timedelta

    from django.utils import timezone

    from workflows.services import cooperation

    home, centre = users("inst-welfare-centre"), users("inst-anwen-chc")
    health, civil = users("health-1"), users("civil-1")
    today = timezone.localdate()
    for round_ in range(ROUNDS):
        start = today + timedelta(days=400 * round_)
        case = cooperation.draft_cooperation(
            user=home,
            terms={
                "elderly_care_institution": home.institution,
                "medical_institution": centre.institution,
                "start_date": start,
                "end_date": start + timedelta(days=364),
                "residents": 100,
                "service_items": ["onsite_visits"],
                "visits_per_week": 1,
                "annual_fee": __import__("decimal").Decimal("30000.00"),
            },
        )
        cooperation.confirm_cooperation(user=centre, case_no=case.case_no)
        township = services.task_for(users("twp-anwen"), case.task_set.get(status="NEW").pk)
        services.claim_task(user=users("twp-anwen"), task_id=township.pk)
        services.decide_task(user=users("twp-anwen"), task_id=township.pk, decision="approve")
        tasks = {t.flow_task.name: t for t in case.task_set.filter(status="NEW")}
        services.claim_task(user=health, task_id=tasks["health_review"].pk)
        services.claim_task(user=civil, task_id=tasks["civil_affairs_review"].pk)
        outcomes = race(
            lambda: services.decide_task(user=health, task_id=tasks["health_review"].pk, decision="approve"),
            lambda: services.decide_task(user=civil, task_id=tasks["civil_affairs_review"].pk, decision="approve"),
        )
        assert not any(isinstance(o, Exception) for o in outcomes), outcomes
        case.refresh_from_db()
        assert case.state in (CaseState.ACTIVE, CaseState.APPROVED)
        names = [task.flow_task.name for task in case.task_set.all()]
        assert names.count("issued") == 1 and names.count("both_bureaus_agree") == 1, names
        assert case.documents.filter(kind="cooperation_agreement").count() == 1
        assert case.status == STATUS.DONE


def test_two_applications_for_the_same_person_race_and_one_wins(demo, users, driver):
    """Once per person: the claim's unique index lets exactly one in; the other is a 409."""
    from workflows.services.subsidy import submit_subsidy

    from .test_subsidy import hiring_body

    home = users("inst-welfare-centre")
    for round_no in range(ROUNDS):
        attachments = [driver.attachment(), driver.attachment()]
        body = hiring_body(
            id_number=[
                "330727200305060073",
                "330727197901010019",
                "33072719731120004X",
                "330727196803151235",
                "33072719550808002X",
            ][round_no]
        )
        outcomes = race(
            lambda: submit_subsidy(user=home, body=body, attachments=[attachments[0]]),
            lambda: submit_subsidy(user=home, body=body, attachments=[attachments[1]]),
        )
        winners = [o for o in outcomes if not isinstance(o, Exception)]
        losers = [o for o in outcomes if isinstance(o, Exception)]
        assert len(winners) == 1 and len(losers) == 1, outcomes
        assert isinstance(losers[0], Conflict) and losers[0].code in {"duplicate_application", "busy"}


def test_two_finance_approvals_race_for_the_last_of_a_budget(demo, users, driver):
    """The budget fits one of the two: exactly one approval wins, the other is refused as over budget."""
    from datetime import timedelta as days

    from django.utils import timezone

    from common.errors import RuleViolation
    from workflows.models import Budget, SubsidyApplication
    from workflows.services.subsidy import end_due_notices, submit_subsidy

    from .test_subsidy import hiring_body

    home, finance = users("inst-welfare-centre"), users("finance-1")
    cases = [
        submit_subsidy(user=home, body=hiring_body(id_number=number), attachments=[driver.attachment()])
        for number in ("330727200305060073", "330727197901010019")
    ]
    tasks = []
    for case in cases:
        for reviewer in ("twp-anwen", "civil-1"):
            task = driver.open_task(case, reviewer)
            services.claim_task(user=users(reviewer), task_id=task.pk)
            services.decide_task(user=users(reviewer), task_id=task.pk, decision="approve")
        ends_on = SubsidyApplication.objects.get(pk=case.pk).notice_ends_on
        end_due_notices(timezone.now() + (ends_on - timezone.localdate()) + days(days=1))
        task = driver.open_task(case, "finance-1")
        services.claim_task(user=finance, task_id=task.pk)
        tasks.append(task)
    Budget.objects.create(year=timezone.localdate().year, kind="hiring", total="80000.00")  # one 50,000.00 fits
    fields = {"paid_on": timezone.localdate().isoformat(), "voucher_no": "V"}
    outcomes = race(
        *[
            (lambda task=task: services.decide_task(user=finance, task_id=task.pk, decision="approve", fields=fields))
            for task in tasks
        ]
    )
    winners = [o for o in outcomes if not isinstance(o, Exception)]
    losers = [o for o in outcomes if isinstance(o, Exception)]
    assert len(winners) == 1 and len(losers) == 1, outcomes
    assert isinstance(losers[0], RuleViolation) and losers[0].code == "over_budget"
    assert SubsidyApplication.objects.filter(budget_year__isnull=False).count() == 1
