"""Working days (工作日) and promised deadlines (承诺时限).

Weekends and public holidays do not count and the State Council's make-up working
days (调休) do: chinese-calendar knows them for the years it was released for; the
administrator's CalendarDay rows correct it and cover later years.
"""

import logging
from datetime import date, timedelta

import chinese_calendar

from .models import CalendarDay

logger = logging.getLogger(__name__)


class WorkingCalendar:
    """Answers "is this a working day?" for a span of dates with one query."""

    def __init__(self, start: date, end: date):
        self._overrides = dict(CalendarDay.objects.filter(date__range=(start, end)).values_list("date", "is_workday"))

    def is_workday(self, day: date) -> bool:
        if day in self._overrides:
            return self._overrides[day]
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            # A year nobody has entered yet: weekdays count until the administrator
            # enters that year's holidays (docs/operations.md).
            logger.warning("no holiday calendar for %s; counting Monday to Friday", day.year)
            return day.weekday() < 5


def add_working_days(start: date, days: int) -> date:
    """The day on which `days` working days after `start` have run (start not counted).

    Zero days gives `start` itself: a step whose time is used up is due at once.
    """
    if days <= 0:
        return start
    calendar = WorkingCalendar(start, start + timedelta(days=days * 3 + 30))
    day, counted = start, 0
    while counted < days:
        day += timedelta(days=1)
        if calendar.is_workday(day):
            counted += 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days in (start, end]: how much of a deadline a step has used."""
    if end <= start:
        return 0
    calendar = WorkingCalendar(start, end)
    return sum(calendar.is_workday(start + timedelta(days=n)) for n in range(1, (end - start).days + 1))
