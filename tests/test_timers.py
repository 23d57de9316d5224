"""Timers: `run_due_timers [--now]` fires everything due as of an instant, once, however often it runs.

T is 40 days from today. On T an agreement starts, another (ended the day before) expires,
and a township step due the day before is overdue. The evening before T only the
reminders of that day fire; at midnight (Beijing) T's events fire; again, nothing more.
"""

from contextlib import nullcontext
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from audit.models import AuditEvent
from workflows import services, tasks, timers
from workflows.models import Case, CaseState, TaskAlert
from workflows.services import cooperation

from .conftest import require_services

SHANGHAI = ZoneInfo("Asia/Shanghai")


def make_agreement(users, start: date, end: date, capture=None) -> Case:
    """An agreement between 县社会福利中心 and 安文街道社区卫生服务中心, issued by both bureaus."""
    home, centre = users("inst-welfare-centre"), users("inst-anwen-chc")
    case = cooperation.draft_cooperation(
        user=home,
        terms={
            "elderly_care_institution": home.institution,
            "medical_institution": centre.institution,
            "start_date": start,
            "end_date": end,
            "residents": 100,
            "service_items": ["onsite_visits"],
            "visits_per_week": 1,
            "annual_fee": Decimal("30000.00"),
        },
    )
    cooperation.confirm_cooperation(user=centre, case_no=case.case_no)
    for username in ("twp-anwen", "health-1", "civil-1"):
        reviewer = users(username)
        task = next(t for t in case.task_set.filter(status="NEW") if services.task_for(reviewer, t.pk))
        services.claim_task(user=reviewer, task_id=task.pk)
        with capture(execute=True) if capture else nullcontext():
            services.decide_task(user=reviewer, task_id=task.pk, decision="approve")
    case.refresh_from_db()
    return case


def due_on(users, driver, capture=None) -> dict:
    """What falls due on T: one agreement starts, one expires, one township step is overdue."""
    today = timezone.localdate()
    t_day = today + timedelta(days=40)
    ending = make_agreement(users, today, t_day - timedelta(days=1), capture)
    starting = make_agreement(users, t_day, t_day + timedelta(days=364), capture)
    assert (ending.state, starting.state) == (CaseState.ACTIVE, CaseState.APPROVED)
    filing = driver.submit()
    task = driver.open_task(filing, "twp-anwen")
    task.due = t_day - timedelta(days=1)
    task.save(update_fields=["due"])
    return {"day": t_day, "ending": ending, "starting": starting, "filing": filing, "task": task}


def run(now: str, command: str = "run_due_timers") -> dict[str, dict[str, int]]:
    """The command's report, read back from its output: {timer: {count: n}}."""
    out = StringIO()
    call_command(command, now=now, stdout=out)
    report = {}
    for line in out.getvalue().splitlines():
        name, counts = line.split(": ", 1)
        report[name] = {key: int(value) for key, value in (part.split(" ") for part in counts.split(", "))}
    return report


NOTHING = {
    "deadline_watch": {"reminded": 0, "escalated": 0},
    "agreement_lifecycle": {"activated": 0, "reminded": 0, "expired": 0},
    "subsidy_notice_end": {"notices_ended": 0},
}


@pytest.mark.django_db
def test_everything_due_fires_once_at_its_instant(users, driver, django_capture_on_commit_callbacks):
    due = due_on(users, driver, django_capture_on_commit_callbacks)
    eve = due["day"] - timedelta(days=1)

    # The evening before T, Beijing time (a naive --now): the step is reminded (due today)
    # and the ending agreement's parties are reminded; nothing starts or ends yet.
    assert run(f"{eve.isoformat()}T23:59") == {
        "deadline_watch": {"reminded": 1, "escalated": 0},
        "agreement_lifecycle": {"activated": 0, "reminded": 1, "expired": 0},
        "subsidy_notice_end": {"notices_ended": 0},
    }
    # 16:00 UTC is midnight in Beijing: it is T.
    assert run(f"{eve.isoformat()}T16:00:00+00:00") == {
        "deadline_watch": {"reminded": 0, "escalated": 1},
        "agreement_lifecycle": {"activated": 1, "reminded": 0, "expired": 1},
        "subsidy_notice_end": {"notices_ended": 0},
    }
    # Again, and later: nothing more.
    assert run(f"{eve.isoformat()}T16:00:00Z") == NOTHING
    assert run(f"{due['day'].isoformat()}T09:30:00+08:00") == NOTHING

    due["starting"].refresh_from_db()
    due["ending"].refresh_from_db()
    assert (due["starting"].state, due["ending"].state) == (CaseState.ACTIVE, CaseState.EXPIRED)
    assert AuditEvent.objects.filter(action="agreement_activated", case_no=due["starting"].case_no).count() == 1
    assert AuditEvent.objects.filter(action="agreement_expired", case_no=due["ending"].case_no).count() == 1
    assert AuditEvent.objects.filter(action="deadline_escalated", case_no=due["filing"].case_no).count() == 1
    assert TaskAlert.objects.filter(task=due["task"]).count() == 2  # reminded once, escalated once
    # The reminder records the instant it was run as of, not the wall clock.
    due["ending"].cooperation.refresh_from_db()
    assert due["ending"].cooperation.reminded_at == datetime(eve.year, eve.month, eve.day, 23, 59, tzinfo=SHANGHAI)


@pytest.mark.django_db
def test_the_old_commands_run_their_own_timer_only(users, driver):
    filing = driver.submit()
    task = driver.open_task(filing, "twp-anwen")
    task.due = date(2020, 1, 6)
    task.save(update_fields=["due"])
    assert run("2026-06-01T09:00", "agreement_lifecycle") == {
        "agreement_lifecycle": {"activated": 0, "reminded": 0, "expired": 0}
    }
    assert run("2026-06-01T09:00", "deadline_watch") == {"deadline_watch": {"reminded": 0, "escalated": 1}}


@pytest.mark.parametrize("value", ["tomorrow", "2027-02-30T09:00", "2027/01/04 09:00", "", "2027-01-04T25:00"])
def test_a_bad_now_is_a_clear_error(value):
    with pytest.raises(CommandError, match="--now 应为 ISO-8601 时间"):
        call_command("run_due_timers", now=value, stdout=StringIO())


@pytest.fixture
def own_timer():
    """A timer of a made-up procedure, registered from the test as a procedure module would."""
    seen: list[datetime] = []

    def notice_end(now: datetime) -> dict[str, int]:
        seen.append(now)
        return {"ended": 0}

    timers.register_timer("test_notice_end", notice_end)
    yield seen
    timers.unregister_timer("test_notice_end")


@pytest.mark.django_db
def test_a_procedure_registers_its_own_timer(own_timer):
    out = StringIO()
    call_command("run_due_timers", now="2027-01-04T09:00", stdout=out)
    assert own_timer == [datetime(2027, 1, 4, 9, 0, tzinfo=SHANGHAI)]
    assert "test_notice_end: ended 0" in out.getvalue()
    # The instant reaches every timer as given: an aware one keeps its offset.
    timers.run_due_timers(datetime(2027, 1, 4, 1, 0, tzinfo=UTC))
    assert own_timer[-1] == datetime(2027, 1, 4, 9, 0, tzinfo=SHANGHAI)
    assert "test_notice_end" in tasks.run_due_timers.apply().get()  # the beat's task runs the same registry


def test_a_name_is_one_timer():
    def one(now: datetime) -> dict[str, int]:
        return {}

    def other(now: datetime) -> dict[str, int]:
        return {}

    timers.register_timer("test_once", one)
    try:
        timers.register_timer("test_once", one)  # importing a module twice is harmless
        with pytest.raises(ValueError, match="already registered"):
            timers.register_timer("test_once", other)
    finally:
        timers.unregister_timer("test_once")
    with pytest.raises(ValueError):
        timers.run_due_timers(datetime(2027, 1, 4, 9, 0))  # a naive instant is ambiguous


@pytest.mark.django_db
def test_a_failing_timer_does_not_stop_the_others(own_timer):
    def broken(now: datetime) -> dict[str, int]:
        raise RuntimeError("boom")

    timers.register_timer("test_broken", broken)
    try:
        with pytest.raises(CommandError, match="test_broken"):
            call_command("run_due_timers", now="2027-01-04T09:00", stdout=StringIO())
        assert len(own_timer) == 1  # registered after it, still ran
    finally:
        timers.unregister_timer("test_broken")


def test_the_beat_runs_the_timers_every_minute():
    entries = {entry["task"]: entry for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert entries["workflows.tasks.run_due_timers"]["schedule"] == 60.0
    assert not {"workflows.tasks.deadline_watch", "workflows.tasks.agreement_lifecycle"} & set(entries)


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_fire_each_thing_once(demo, users, driver):
    """Two beats (or a beat and a cron line) at the same instant on PostgreSQL: each event once."""
    require_services(postgres=True)
    from .test_concurrency import race

    due = due_on(users, driver)
    now = datetime.combine(due["day"], datetime.min.time(), tzinfo=SHANGHAI) + timedelta(hours=9)
    for _ in range(3):
        outcomes = race(lambda: timers.run_due_timers(now), lambda: timers.run_due_timers(now))
        assert not any(isinstance(o, Exception) for o in outcomes), outcomes
        totals = {(name, key): sum(o[name][key] for o in outcomes) for name in outcomes[0] for key in outcomes[0][name]}
        if _ == 0:
            assert totals[("agreement_lifecycle", "activated")] == 1
            assert totals[("agreement_lifecycle", "expired")] == 1
            assert totals[("deadline_watch", "escalated")] == 1
        else:
            assert not any(totals.values()), totals
    assert AuditEvent.objects.filter(action="agreement_activated", case_no=due["starting"].case_no).count() == 1
    assert AuditEvent.objects.filter(action="agreement_expired", case_no=due["ending"].case_no).count() == 1
    assert AuditEvent.objects.filter(action="deadline_escalated", case_no=due["filing"].case_no).count() == 1
    assert TaskAlert.objects.filter(task=due["task"], kind=TaskAlert.Kind.OVERDUE).count() == 1
