"""The administrator's changes to the working-day calendar, each one an audit event.

Who may change it is the door's check (the API's IsAdmin, the admin site's model
permissions); every change goes through here so that the log holds what each override
was before and after, whichever door made it. A request that changes nothing (the same
kind and name again) records nothing.
"""

from datetime import date
from typing import Any

from django.db import transaction

from audit.services import record
from common.errors import InvalidInput, NotFound
from permissions.models import User

from ..calendar import HOLIDAY, KIND_LABELS, WORKDAY
from ..models import CalendarDay, CalendarYear
from ..models.calendar import FIRST_YEAR, LAST_YEAR

NAME_MAX_LENGTH = CalendarDay._meta.get_field("name").max_length or 40


def _state(day: CalendarDay | None) -> dict[str, Any] | None:
    if day is None:
        return None
    return {"kind": WORKDAY if day.is_workday else HOLIDAY, "name": day.name}


def _check_date(day: date) -> None:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise InvalidInput(fields={"date": [f"日期应在{FIRST_YEAR}年至{LAST_YEAR}年之间。"]})


def set_calendar_day(*, user: User, day: date, kind: str, name: str = "") -> CalendarDay:
    """Make `day` a holiday or a working day (调休) whatever chinese-calendar says."""
    _check_date(day)
    errors: dict[str, list[str]] = {}
    if kind not in KIND_LABELS:
        errors["kind"] = ["应为 holiday（节假日）或 workday（调休上班日）。"]
    name = (name or "").strip()
    if len(name) > NAME_MAX_LENGTH:
        errors["name"] = [f"说明不能超过{NAME_MAX_LENGTH}个字。"]
    if errors:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        # get_or_create: two administrators adding the same day at once meet at the
        # unique date, and the second then edits the row the first made.
        override, created = CalendarDay.objects.select_for_update().get_or_create(
            date=day, defaults={"is_workday": kind == WORKDAY, "name": name}
        )
        before = None if created else _state(override)
        override.is_workday, override.name = kind == WORKDAY, name
        after = _state(override)
        if before == after:
            return override
        if not created:
            override.save(update_fields=["is_workday", "name"])
        record(action="calendar_day_set", actor=user, detail={"date": day, "before": before, "after": after})
    return override


def remove_calendar_day(*, user: User, day: date) -> None:
    """Drop the override of `day`: chinese-calendar (or Monday-to-Friday) applies again."""
    _check_date(day)
    with transaction.atomic():
        existing = CalendarDay.objects.select_for_update().filter(date=day).first()
        if existing is None:
            raise NotFound("该日没有调整记录。")
        before = _state(existing)
        existing.delete()
        record(action="calendar_day_removed", actor=user, detail={"date": day, "before": before, "after": None})


def mark_year_entered(*, user: User, year: int) -> CalendarYear:
    """The administrator has entered every holiday and make-up working day of `year`."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidInput(fields={"year": [f"年度应在{FIRST_YEAR}至{LAST_YEAR}之间。"]})
    with transaction.atomic():
        entry, created = CalendarYear.objects.get_or_create(year=year)
        if created:
            record(
                action="calendar_year_entered",
                actor=user,
                detail={"year": year, "before": {"entered": False}, "after": {"entered": True}},
            )
    return entry


def unmark_year_entered(*, user: User, year: int) -> None:
    """`year` is not complete after all: counting in it warns again."""
    with transaction.atomic():
        if CalendarYear.objects.filter(year=year).delete()[0]:
            record(
                action="calendar_year_reopened",
                actor=user,
                detail={"year": year, "before": {"entered": True}, "after": {"entered": False}},
            )
