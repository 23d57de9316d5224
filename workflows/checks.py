"""System checks of the workflows app: the holiday calendar of this year and the next is known.

Tagged ``database`` because it reads the administrator's entries: Django runs it with
``migrate`` (every deployment) and ``manage.py check --database default``, not with
checks that must work without a database.
"""

from collections.abc import Sequence
from typing import Any

from django.core.checks import CheckMessage, Tags, Warning, register
from django.db import DatabaseError
from django.utils import timezone

from .calendar import calendar_notices


@register(Tags.database)
def holiday_calendar_entered(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    if not kwargs.get("databases"):
        return []
    try:
        notices = calendar_notices(timezone.localdate())
    except DatabaseError:
        return []  # not migrated yet: migrate runs this again once the tables exist
    return [
        Warning(notice, hint="系统管理员 → 办件与流程 → 节假日与调休（docs/operations.md）", id="workflows.W001")
        for notice in notices
    ]
