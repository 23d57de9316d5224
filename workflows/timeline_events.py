"""Which audit events a case's timeline shows, and how: one declaration per action code.

The timeline that applicants and reviewers read tells the whole story from the audit
log — reassignments, objections, 公示 and what the timers did — so what the log says
and what people see cannot differ. A new kind of event is shown by adding a line here,
not a branch in the timeline. Who is named follows what the timeline already shows:
staff by name (as on every decided step), the system as 系统, and an objector never —
anyone may object during 公示, and an objector's identity is not the applicant's to see.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from audit.actions import SYSTEM_LABEL

PUBLIC_OBJECTOR = "公众异议"


@dataclass
class TimelineEntry:
    title: str
    unit: str
    who: str
    when: datetime | None
    decision: str
    decision_label: str
    comment: str
    missing_items: list[str]
    state: str  # "done" | "open" | "cancelled" | "event"
    due: date | None
    overdue: bool
    assignee: str
    action: str = ""  # the audit action an event entry shows ("" for the submission and the steps)


def _actor(event) -> str:
    if event.actor is not None:
        return event.actor.display_name or event.actor.username
    return SYSTEM_LABEL if event.actor_name in ("", "system") else event.actor_name


@dataclass(frozen=True)
class EventView:
    """How one action reads on a timeline."""

    title: str
    label: str | Callable[[dict], str]  # the badge
    comment: Callable[[dict], str] = lambda detail: ""
    # Who is named: the acting person ("actor"), the system, or a fixed text (the public).
    who: str = "actor"
    # The unit shown: the actor's unit at the time; a system event names the step's unit, if any.
    unit: Callable[[dict], str] | None = None
    # Recorded in the same transaction just after the event it causes (an objection ends
    # the notice): shown before that event, so the timeline reads cause, then effect.
    explains: str = ""
    shown: Callable[[dict], bool] = field(default=lambda detail: True)

    def entry(self, event) -> TimelineEntry | None:
        detail = event.detail if isinstance(event.detail, dict) else {}
        if not self.shown(detail):
            return None
        who = {"actor": _actor(event), "system": SYSTEM_LABEL}.get(self.who, self.who)
        return TimelineEntry(
            title=self.title,
            unit=self.unit(detail) if self.unit else ("" if self.who != "actor" else event.unit),
            who=who,
            when=event.at,
            decision="",
            decision_label=self.label(detail) if callable(self.label) else self.label,
            comment=self.comment(detail),
            missing_items=[],
            state="event",
            due=None,
            overdue=False,
            assignee="",
            action=event.action,
        )


def _reassignment(detail: dict) -> str:
    previous = detail.get("from_name") or detail.get("from") or "待领取队列"
    reason = detail.get("reason") or ""
    return f"由{previous}改派给{detail.get('to_name') or detail.get('to')}" + (f"，原因：{reason}" if reason else "")


def _v(detail: dict, key: str) -> str:
    """A detail's value for a sentence; a missing one reads as a dash, never as "None"."""
    value = detail.get(key)
    return "—" if value in (None, "") else str(value)


def _with_reason(text: str, detail: dict) -> str:
    return text + (f"，原因：{detail['reason']}" if detail.get("reason") else "")


TIMELINE_EVENTS: dict[str, EventView] = {
    # a step changes hands (workflows/services/tasks.py)
    "task_reassigned": EventView("任务改派", "改派", _reassignment),
    # the deadline watch (workflows/services/deadline_watch.py), about one step
    "deadline_reminded": EventView(
        "临近时限提醒",
        "提醒",
        lambda d: f"本环节承诺于{_v(d, 'due')}办结，已提醒办理人员",
        who="system",
        unit=lambda d: str(d.get("unit") or ""),
    ),
    "deadline_escalated": EventView(
        "超期上报",
        "已超期",
        lambda d: f"本环节已超过承诺办结日期{_v(d, 'due')}，已上报单位负责人",
        who="system",
        unit=lambda d: str(d.get("unit") or ""),
    ),
    # 公示 and objections (workflows/subsidy.py, workflows/services/subsidy.py)
    "public_notice_started": EventView(
        "公示", "公示开始", lambda d: f"公示期{_v(d, 'starts_on')}至{_v(d, 'ends_on')}，期间可提出异议", who="system"
    ),
    "public_notice_ended": EventView(
        "公示结束",
        lambda d: "因异议中止" if d.get("objected") else "期满无异议",
        lambda d: "收到异议，公示中止，退回主管部门复核" if d.get("objected") else "公示期满，无异议",
        who="system",
    ),
    "objection_lodged": EventView(
        "公示异议",
        "异议",
        lambda d: f"异议内容：{_v(d, 'text')}",
        who=PUBLIC_OBJECTOR,
        explains="public_notice_ended",
    ),
    # an agreement's life after it is signed (workflows/services/agreements.py, cooperation.py)
    "agreement_activated": EventView("协议生效", "生效", who="system"),
    "agreement_expiry_reminded": EventView(
        "协议到期前提醒", "提醒", lambda d: f"协议将于{_v(d, 'end_date')}到期，已提醒双方", who="system"
    ),
    "agreement_expired": EventView("协议到期", "到期", who="system"),
    "agreement_terminated": EventView(
        "提前终止协议", "终止", lambda d: _with_reason(f"{_v(d, 'by')}提出终止", d), unit=lambda d: ""
    ),
    # the applicant withdraws; a document is corrected (workflows/services/cases.py, documents/services.py)
    "case_withdrawn": EventView("撤回申请", "已撤回"),
    "document_corrected": EventView(
        "更正文书", "更正", lambda d: _with_reason(f"{_v(d, 'old')}更正为{_v(d, 'new')}", d)
    ),
}
