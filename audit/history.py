"""Reading the log as people do: a case's events, one person's events, and each event's details in Chinese.

The auditor's pages and exports read events through these functions, using only the
fields every event has (time, actor, role, unit, action, case, detail), so that they
do not depend on how the log is chained.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from .actions import SYSTEM_ROLE, action_label, role_labels
from .models import AuditEvent

# What the keys of an event's detail mean, in the order they are shown. A key not listed
# is shown under its own name rather than hidden: the auditor sees everything recorded.
DETAIL_LABELS: dict[str, str] = {
    "step": "环节",
    "decision": "意见",
    "comment": "说明",
    "missing_items": "需补正材料",
    "from_name": "原办理人",
    "to_name": "改派给",
    "reason": "原因",
    "text": "异议内容",
    "objected": "有无异议",
    "starts_on": "公示开始",
    "ends_on": "公示截止",
    "notice_ends_on": "原公示截止",
    "unit": "办理单位",
    "due": "承诺办结日期",
    "number": "文号",
    "old": "原文号",
    "new": "新文号",
    "kind": "类型",
    "version": "版本",
    "filing_no": "备案号",
    "end_date": "协议截止",
    "by": "提出方",
    "changed": "修改的内容",
    "procedure": "事项",
    "clinic_name": "医疗机构名称",
    "staff": "人员数",
    "amount": "金额",
    "year": "年度",
    "date": "日期",
    "before": "修改前",
    "after": "修改后",
    "cases": "办件",
    "sha256": "SHA-256",
}
# Keys that only link rows together (ids, usernames already shown by name).
HIDDEN_KEYS = frozenset({"task", "document", "objection", "from", "to", "ids", "attachments"})


@dataclass(frozen=True)
class EventLine:
    """One event as a row of the auditor's pages and exports."""

    id: int
    at: datetime
    actor: str  # the account name the log recorded
    actor_display: str
    roles: str  # Chinese role names
    unit: str
    action: str
    action_label: str
    case_no: str
    details: list[tuple[str, str]]

    @property
    def details_text(self) -> str:
        return "；".join(f"{label}：{value}" for label, value in self.details)


def _value(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(_value(item) for item in value) or "—"
    if isinstance(value, dict):
        return "，".join(f"{DETAIL_LABELS.get(k, k)} {_value(v)}" for k, v in value.items()) or "—"
    return str(value)


def _recorded(value) -> bool:
    """Whether a detail says something (an approval's empty list of missing items does not)."""
    return isinstance(value, bool) or value not in (None, "", [], {})


# (detail key, code) -> its Chinese name, or None to show the code as it is.
Namer = Callable[[str, str], str | None]


def describe(detail: dict, *, name_of: Namer | None = None) -> list[tuple[str, str]]:
    """An event's details as (Chinese label, readable value), known keys first in a fixed order.

    ``name_of`` names the codes a detail records — a step (``township_review`` → 属地初审),
    a procedure, a document kind — as the layers that define them call them; the log
    records codes, and the audit app does not know the flows.
    """
    if not isinstance(detail, dict):
        return [("详情", _value(detail))]
    shown = {key: value for key, value in detail.items() if _recorded(value) and key not in HIDDEN_KEYS}
    if name_of:
        for key, value in shown.items():
            if isinstance(value, str):
                shown[key] = name_of(key, value) or value
    known = [(DETAIL_LABELS[key], _value(shown[key])) for key in DETAIL_LABELS if key in shown]
    rest = [(key, _value(value)) for key, value in shown.items() if key not in DETAIL_LABELS]
    return known + rest


def line(event: AuditEvent, *, name_of: Namer | None = None) -> EventLine:
    actor = event.actor
    display = (actor.display_name or actor.username) if actor is not None else ""
    return EventLine(
        id=event.pk,
        at=event.at,
        actor=event.actor_name,
        actor_display=display or role_labels(event.role) or event.actor_name,
        roles=role_labels(event.role),
        unit=event.unit,
        action=event.action,
        action_label=action_label(event.action),
        case_no=event.case_no,
        details=describe(event.detail, name_of=name_of),
    )


def case_events(case_no: str) -> QuerySet:
    """Every event of one case, in the order they were recorded."""
    return AuditEvent.objects.filter(case_no=case_no).select_related("actor").order_by("id")


def day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def events_by(actor: str, *, on_or_after: date | None = None, on_or_before: date | None = None) -> QuerySet:
    """Everything one account did, newest first; both dates included (local days).

    Followed through the actor's row (an indexed key), so a renamed account keeps its
    history; ``system`` is what no person did (timers, workers).
    """
    who = Q(actor__isnull=True, actor_name=SYSTEM_ROLE) if actor == SYSTEM_ROLE else Q(actor__username=actor)
    events = AuditEvent.objects.filter(who).select_related("actor")
    if on_or_after:
        events = events.filter(at__gte=day_start(on_or_after))
    if on_or_before:
        events = events.filter(at__lt=day_start(on_or_before + timedelta(days=1)))
    return events.order_by("-id")
