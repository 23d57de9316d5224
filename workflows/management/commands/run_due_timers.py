"""python manage.py run_due_timers [--now ISO-8601] — fire everything due as of that instant, once each.

The same code the Celery beat runs every minute (workflows/timers.py). Without a beat,
run it from cron every minute: ``* * * * * python manage.py run_due_timers``.
"""

from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from workflows import timers


def parse_instant(value: str) -> datetime:
    """An ISO-8601 instant; without an offset it is local time (Asia/Shanghai, settings.TIME_ZONE)."""
    try:
        instant = datetime.fromisoformat(value.strip())
    except ValueError:
        raise CommandError(
            f"--now 应为 ISO-8601 时间，如 2027-01-04T09:00:00+08:00 或 2027-01-04T09:00（按北京时间）：{value!r}"
        ) from None
    if timezone.is_naive(instant):
        instant = timezone.make_aware(instant, timezone.get_default_timezone())
    return instant


class Command(BaseCommand):
    help = (
        "Fire every timer due as of now (or --now): deadline reminders and escalations, agreement start, "
        "expiry and reminders, and whatever a procedure registers. Safe to run twice or late."
    )
    # The timers this command runs; None: every registered one. The old single-purpose
    # commands are this command restricted to their timer.
    timers: list[str] | None = None

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now",
            help="the instant to act as of, ISO-8601 (naive = Asia/Shanghai); default: the current time",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = parse_instant(options["now"]) if options["now"] is not None else timezone.now()
        try:
            results = timers.run_due_timers(now, only=self.timers)
        except timers.TimersFailed as failed:
            self._report(failed.results)
            raise CommandError(f"定时任务失败：{failed}") from failed
        self._report(results)

    def _report(self, results: dict[str, dict[str, int]]) -> None:
        for name, counts in results.items():
            self.stdout.write(f"{name}: " + ", ".join(f"{key} {value}" for key, value in counts.items()))
