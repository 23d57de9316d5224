"""Reads about cases and tasks that pages and the API share: timelines, step lists, warnings."""

from dataclasses import dataclass
from datetime import date, datetime

from viewflow.workflow.status import STATUS

from audit.models import AuditEvent
from permissions.roles import ACT_FOR_INSTITUTION

from . import scoping
from .models import Case, CaseTask, Notification


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
    state: str  # "done" | "open" | "cancelled"
    due: date | None
    overdue: bool
    assignee: str


def human_steps(case: Case) -> list[CaseTask]:
    return list(case.task_set.filter(flow_task_type="HUMAN").select_related("owner").order_by("id"))


def case_timeline(case: Case, steps: list[CaseTask] | None = None) -> list[TimelineEntry]:
    """The submission and every human step in order: unit, who, when, decision, comment."""
    entries = [
        TimelineEntry(
            title="提交申请",
            unit=case.institution.name,
            who=case.applicant.display_name or case.applicant.username,
            when=case.submitted_at,
            decision="",
            decision_label="已提交",
            comment="",
            missing_items=[],
            state="done",
            due=None,
            overdue=False,
            assignee="",
        )
    ]
    moves = _reassignments_by_task(case)
    for task in steps if steps is not None else human_steps(case):
        if task.status == STATUS.DONE:
            entries += moves.get(task.pk, [])  # the moves happened before the step was decided
        owner = task.owner.display_name or task.owner.username if task.owner_id else ""
        if task.status == STATUS.DONE:
            state, label = "done", task.get_decision_display() if task.decision else "已补正"
        elif task.status == STATUS.CANCELED:
            state, label = "cancelled", "已撤销"
        elif task.owner_permission == "institutions.act_for_institution":
            state, label = "open", "待机构办理"  # an institution's own step is never claimed
        else:
            state, label = "open", "办理中" if task.owner_id else "待领取"
        entries.append(
            TimelineEntry(
                title=str(task.flow_task.task_title),
                unit=task.unit_label,
                who=owner if task.status == STATUS.DONE else "",
                when=task.finished if task.status == STATUS.DONE else task.created,
                decision=task.decision,
                decision_label=label,
                comment=task.comment,
                missing_items=task.missing_items,
                state=state,
                due=task.due,
                overdue=task.is_overdue,
                assignee=owner if task.is_open else "",
            )
        )
        if task.status != STATUS.DONE:
            entries += moves.get(task.pk, [])  # after the arrival the entry shows
    return entries


def _reassignments_by_task(case: Case) -> dict[int, list[TimelineEntry]]:
    """Who moved which step from whom to whom, and why — read from the audit log, where it is recorded."""
    moves: dict[int, list[TimelineEntry]] = {}
    events = (
        AuditEvent.objects.filter(case_no=case.case_no, action="task_reassigned").select_related("actor").order_by("id")
    )
    for event in events:
        detail = event.detail
        head = (event.actor.display_name or event.actor.username) if event.actor else event.actor_name
        previous = detail.get("from_name") or detail.get("from") or "待领取队列"
        reason = detail.get("reason") or ""
        moves.setdefault(detail.get("task"), []).append(
            TimelineEntry(
                title="任务改派",
                unit=event.unit,
                who=head,
                when=event.at,
                decision="",
                decision_label="改派",
                comment=f"由{previous}改派给{detail.get('to_name') or detail.get('to')}"
                + (f"，原因：{reason}" if reason else ""),
                missing_items=[],
                state="event",
                due=None,
                overdue=False,
                assignee="",
            )
        )
    return moves


def latest_return(case: Case) -> CaseTask | None:
    """The review task that last returned the case (what the applicant must supplement)."""
    return case.task_set.filter(decision="return").order_by("-id").first()


def institution_to_do(user) -> list[CaseTask]:
    """Steps waiting for the user's institution: confirmations of drafts, supplements after a return."""
    mine = sorted(scoping.grants_for(user).of(ACT_FOR_INSTITUTION))
    if not mine:
        return []
    return list(
        CaseTask.objects.filter(
            owner_permission=ACT_FOR_INSTITUTION, owner_permission_obj_pk__in=mine, status__in=("NEW", "ASSIGNED")
        )
        .select_related("process")
        .order_by("created")[:50]
    )


def institution_notifications(user, limit: int = 10):
    mine = sorted(scoping.grants_for(user).of(ACT_FOR_INSTITUTION), key=int)
    return Notification.objects.filter(institution_id__in=mine).select_related("case")[:limit]
