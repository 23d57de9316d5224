"""Working days (工作日): the one calendar every due date, notice period and reminder counts with.

Weekends and public holidays do not count and the State Council's make-up working days
(调休) do. Two sources say which day is which:

- ``chinese-calendar`` for the years it was released with (``LIBRARY_YEARS``; 2004–2026
  for 1.11);
- the administrator's ``CalendarDay`` overrides, which win over the library on any day
  and are the only source for the years after it.

A year is *known* when the library has its data, or when the administrator has marked
it entered in full (a ``CalendarYear`` row). Overrides alone do not make a year known:
one holiday entered early says nothing about the others. In a year that is not known,
Monday to Friday count, corrected by whatever overrides exist, and every answer that
counted a day of it carries a warning (Chinese, for people) — it never fails.

Periods follow 民法典 第201条/第203条: the day of the event is not counted, so N working
days from an event on day D end at the end of the Nth working day after D; a period
whose last day would be a holiday therefore ends on the next working day by itself.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar
from django.db.models import Count

from common.cached import cached, forget_on_change

from .models import CalendarDay, CalendarYear
from .models.calendar import FIRST_YEAR, LAST_YEAR

logger = logging.getLogger(__name__)

# Every due date reads the year's overrides: they come from the shared cache (common/cached.py).
ENTERED_YEARS_KEY = "calendar:entered-years"


def overrides_key(year: int) -> str:
    return f"calendar:overrides:{year}"


forget_on_change(CalendarDay, lambda day: [overrides_key(day.date.year)])
forget_on_change(CalendarYear, lambda year: [ENTERED_YEARS_KEY])

HOLIDAY, WORKDAY = "holiday", "workday"
KIND_LABELS = {HOLIDAY: "节假日", WORKDAY: "调休上班日"}

# The longest period the API counts (a year and a day): nothing the product promises is longer.
MAX_PERIOD_DAYS = 366

# The years chinese-calendar has data for; asking it about another year raises.
LIBRARY_YEARS = range(min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1)

# chinese-calendar names its holidays in English; people read Chinese.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


@dataclass(frozen=True)
class SpecialDay:
    """A day that is not what Monday-to-Friday says: a weekday off, or a weekend day worked."""

    date: date
    kind: str  # HOLIDAY or WORKDAY
    name: str


@dataclass(frozen=True)
class Period:
    """A period of working days: it ends at the end of ``end``; ``warnings`` say what was assumed."""

    start: date
    days: int
    end: date
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class YearCalendar:
    year: int
    known: bool
    days: tuple[SpecialDay, ...]


def library_knows(year: int) -> bool:
    return year in LIBRARY_YEARS


def unknown_year_warning(year: int) -> str:
    return f"{year}年的法定节假日尚未录入，按周一至周五计算（已录入的调整照常适用）。"


class WorkingCalendar:
    """Answers "is this a working day?", reading each year's overrides once (one query a year).

    Keep one instance for one computation: it does not see overrides saved after it
    read their year.
    """

    def __init__(self) -> None:
        self._overrides: dict[int, dict[date, bool]] = {}
        self._entered: set[int] | None = None

    def overrides(self, year: int) -> dict[date, bool]:
        if year not in self._overrides:
            self._overrides[year] = cached(
                overrides_key(year),
                lambda: dict(CalendarDay.objects.filter(date__year=year).values_list("date", "is_workday")),
            )
        return self._overrides[year]

    def is_known(self, year: int) -> bool:
        if library_knows(year):
            return True
        if self._entered is None:
            self._entered = cached(ENTERED_YEARS_KEY, lambda: set(CalendarYear.objects.values_list("year", flat=True)))
        return year in self._entered

    def is_workday(self, day: date) -> bool:
        override = self.overrides(day.year).get(day)
        if override is not None:
            return override
        if library_knows(day.year):
            return bool(chinese_calendar.is_workday(day))
        # A year nobody has entered: weekdays count (the caller reports the warning).
        return day.weekday() < 5

    def warnings(self, years: Iterable[int]) -> tuple[str, ...]:
        return tuple(unknown_year_warning(year) for year in sorted(set(years)) if not self.is_known(year))


def working_period(start: date, days: int) -> Period:
    """The period of `days` working days after the event on `start` (the start day not counted).

    Zero days ends on `start` itself: a step whose time is used up is due at once.
    """
    if days < 0:
        raise ValueError("a period cannot have a negative number of working days")
    calendar = WorkingCalendar()
    day, counted = start, 0
    while counted < days:
        day += timedelta(days=1)
        if calendar.is_workday(day):
            counted += 1
    # The years of the days looked at: (start, end].
    warnings = calendar.warnings(range((start + timedelta(days=1)).year, day.year + 1) if days else ())
    if warnings:
        logger.warning("working days after %s counted without a holiday calendar: %s", start, " ".join(warnings))
    return Period(start=start, days=days, end=day, warnings=warnings)


def add_working_days(start: date, days: int) -> date:
    """The day at whose end `days` working days after `start` have run (start not counted)."""
    return working_period(start, days).end


def working_days_between(start: date, end: date) -> int:
    """Working days in (start, end]: how much of a deadline a step has used."""
    if end <= start:
        return 0
    calendar = WorkingCalendar()
    return sum(calendar.is_workday(start + timedelta(days=n)) for n in range(1, (end - start).days + 1))


def _library_days(year: int) -> dict[date, SpecialDay]:
    """chinese-calendar's holidays on weekdays and its make-up working days on weekends, of one year."""
    days: dict[date, SpecialDay] = {}
    if not library_knows(year):
        return days
    for day, name in chinese_calendar.holidays.items():
        if day.year == year and day.weekday() < 5:
            days[day] = SpecialDay(day, HOLIDAY, HOLIDAY_NAMES.get(name, name))
    for day, name in chinese_calendar.workdays.items():
        if day.year == year and day.weekday() >= 5:
            days[day] = SpecialDay(day, WORKDAY, f"{HOLIDAY_NAMES.get(name, name)}调休上班")
    return days


def year_calendar(year: int) -> YearCalendar:
    """The holidays and make-up working days in force in `year` (weekends are not listed).

    The library's days merged with the overrides; an override that makes a day what
    Monday-to-Friday says anyway (a weekday worked, a weekend off) leaves it unlisted.
    """
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"year {year} is outside {FIRST_YEAR}–{LAST_YEAR}")
    days = _library_days(year)
    for override in CalendarDay.objects.filter(date__year=year):
        weekday = override.date.weekday() < 5
        days.pop(override.date, None)
        if weekday and not override.is_workday:
            days[override.date] = SpecialDay(override.date, HOLIDAY, override.name or KIND_LABELS[HOLIDAY])
        elif not weekday and override.is_workday:
            days[override.date] = SpecialDay(override.date, WORKDAY, override.name or KIND_LABELS[WORKDAY])
    return YearCalendar(year=year, known=WorkingCalendar().is_known(year), days=tuple(sorted(days.values(), key=_on)))


def _on(day: SpecialDay) -> date:
    return day.date


def calendar_notices(today: date) -> list[str]:
    """What the administrator must be told: this year or the coming one is not known.

    Shown by the system check (workflows/checks.py) and on the admin's 节假日与调休 list.
    """
    calendar = WorkingCalendar()
    entered = dict(
        CalendarDay.objects.filter(date__year__in=(today.year, today.year + 1))
        .values("date__year")
        .annotate(n=Count("id"))
        .values_list("date__year", "n")
    )
    notices = []
    for year in (today.year, today.year + 1):
        if calendar.is_known(year):
            continue
        so_far = f"已录入{entered[year]}天调整，" if entered.get(year) else ""
        notices.append(
            f"{year}年的法定节假日尚未录入完毕（{so_far}尚未标记为已录入）：在此之前，{year}年的办理时限按周一至周五计算。"
            f"请在国务院办公厅公布放假安排后，录入{year}年的节假日和调休上班日，再在“已录入节假日的年度”中添加{year}年。"
        )
    return notices
