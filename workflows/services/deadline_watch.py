"""The deadline watch: remind holders of steps about to fall due, escalate overdue ones.

A timer (workflows/timers.py, ``deadline_watch``): run every minute by the Celery beat
or ``python manage.py run_due_timers``. Only the county's review steps are watched: a step
with an institution (a supplement, a counterparty's confirmation) stops the clock.

Product decisions (DOMAIN.md leaves the "before" open):
- a step is *due soon* from the working day before its due date up to and including the
  due date itself (Friday for a step due on Monday; a step due today that was missed
  earlier is reminded today);
- it is *overdue* from the day after its due date — the due date is the last day of the
  promised time, as 以内 includes the number itself.

Each alert is created once per task and kind (a unique constraint, in its own savepoint),
so a beat that runs twice, or two beats, alert once; each new alert is an audit event.
"""

from dataclasses import asdict, dataclass
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.services import record
from permissions.roles import REVIEW_DEPARTMENT, REVIEW_TOWNSHIP
from workflows.scoping import OPEN_TASK

from ..calendar import add_working_days
from ..models import CaseTask, TaskAlert
from ..timers import register_timer


@dataclass
class WatchReport:
    reminded: int = 0
    escalated: int = 0


def watched_tasks():
    """Open county review steps with a due date."""
    return CaseTask.objects.filter(
        flow_task_type="HUMAN",
        status__in=OPEN_TASK,
        due__isnull=False,
        owner_permission__in=(REVIEW_TOWNSHIP, REVIEW_DEPARTMENT),
    ).select_related("process")


def _alert(task: CaseTask, kind: str, action: str) -> bool:
    """Create one alert and its audit event; False when another run made it first."""
    try:
        with transaction.atomic():
            assert task.due is not None  # watched_tasks() holds only steps with a due date
            TaskAlert.objects.create(task=task, kind=kind, due=task.due)
            record(
                action=action,
                case_no=task.process.case_no,
                detail={"task": task.pk, "step": task.flow_task.name, "unit": task.unit_label, "due": task.due},
            )
    except IntegrityError:
        return False
    return True


def watch_deadlines(*, now: datetime | None = None, today: date | None = None) -> WatchReport:
    """Alert what is due soon or overdue on `today` (default: the local date of `now`, default now)."""
    today = today or timezone.localdate(now or timezone.now())
    report = WatchReport()
    soon_until = add_working_days(today, 1)
    due_soon = watched_tasks().filter(due__range=(today, soon_until)).exclude(alerts__kind=TaskAlert.Kind.DUE_SOON)
    for task in due_soon.order_by("due", "id"):
        report.reminded += _alert(task, TaskAlert.Kind.DUE_SOON, "deadline_reminded")
    overdue = watched_tasks().filter(due__lt=today).exclude(alerts__kind=TaskAlert.Kind.OVERDUE)
    for task in overdue.order_by("due", "id"):
        report.escalated += _alert(task, TaskAlert.Kind.OVERDUE, "deadline_escalated")
    return report


def _timer(now: datetime) -> dict[str, int]:
    return asdict(watch_deadlines(now=now))


register_timer("deadline_watch", _timer)
