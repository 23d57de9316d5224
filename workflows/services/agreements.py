"""The daily life of agreements in force: they start, are reminded of their end, and expire.

A timer (workflows/timers.py, ``agreement_lifecycle``): run every minute by the Celery
beat or ``python manage.py run_due_timers``. Every step is idempotent and safe to run
twice (or from two beat schedulers): each change is a conditional UPDATE that only one
run can win, and reminders are unique per agreement, party and kind.

The reminder horizon is in calendar days (自然日), not working days: "30 days before the
end" of a term that is itself a span of dates, and a reminder early by a holiday harms
nobody. Nothing here is a promised deadline, so nothing counts working days.
"""

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from audit.services import record
from common.formatting import chinese_date

from ..cooperation import CODE
from ..models import Case, CaseState, CooperationAgreement, Notification
from ..models.cooperation import REMIND_DAYS_BEFORE_END
from ..timers import register_timer


@dataclass
class LifecycleReport:
    activated: int = 0
    reminded: int = 0
    expired: int = 0


def _agreements(state: str):
    return Case.objects.filter(procedure=CODE, state=state).select_related(
        "cooperation__elderly_care_institution", "cooperation__medical_institution"
    )


def run_agreement_lifecycle(*, now: datetime | None = None, today: date | None = None) -> LifecycleReport:
    """Start, remind and expire as of `today` (default: the local date of `now`, default now)."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    report = LifecycleReport()
    # An approved agreement takes effect on its start date.
    for case in _agreements(CaseState.APPROVED).filter(cooperation__start_date__lte=today):
        with transaction.atomic():
            if Case.objects.filter(pk=case.pk, state=CaseState.APPROVED).update(state=CaseState.ACTIVE):
                record(action="agreement_activated", case_no=case.case_no)
                report.activated += 1
    # "Active until its end date": the day after, it has expired.
    for case in _agreements(CaseState.ACTIVE).filter(cooperation__end_date__lt=today):
        with transaction.atomic():
            if Case.objects.filter(pk=case.pk, state=CaseState.ACTIVE).update(state=CaseState.EXPIRED):
                record(action="agreement_expired", case_no=case.case_no)
                report.expired += 1
    # Thirty days before the end date, both parties are reminded — once.
    horizon = today + timedelta(days=REMIND_DAYS_BEFORE_END)
    for case in _agreements(CaseState.ACTIVE).filter(
        cooperation__end_date__lte=horizon, cooperation__reminded_at__isnull=True
    ):
        with transaction.atomic():
            if not CooperationAgreement.objects.filter(pk=case.pk, reminded_at__isnull=True).update(reminded_at=now):
                continue  # another run reminded them first
            agreement = case.cooperation
            for party, other in (
                (agreement.elderly_care_institution, agreement.medical_institution),
                (agreement.medical_institution, agreement.elderly_care_institution),
            ):
                Notification.objects.get_or_create(
                    institution=party,
                    case=case,
                    kind="agreement_expiring",
                    defaults={
                        "message": f"与{other.name}的医养合作协议（{case.case_no}）将于{chinese_date(agreement.end_date)}到期，"
                        "如需继续合作请及时办理续签。"
                    },
                )
            record(action="agreement_expiry_reminded", case_no=case.case_no, detail={"end_date": agreement.end_date})
            report.reminded += 1
    return report


def _timer(now: datetime) -> dict[str, int]:
    return asdict(run_agreement_lifecycle(now=now))


register_timer("agreement_lifecycle", _timer)
