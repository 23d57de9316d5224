"""Reads about cases and tasks that pages and the API share: timelines, step lists, warnings."""

from viewflow.workflow.status import STATUS

from audit.models import AuditEvent
from permissions.roles import ACT_FOR_INSTITUTION

from . import scoping
from .models import Case, CaseTask, Notification
from .timeline_events import TIMELINE_EVENTS, TimelineEntry


def human_steps(case: Case) -> list[CaseTask]:
    return list(case.task_set.filter(flow_task_type="HUMAN").select_related("owner").order_by("id"))


def case_timeline(case: Case, steps: list[CaseTask] | None = None) -> list[TimelineEntry]:
    """The submission, every human step in order, and what else happened to the case (timeline_events).

    An event about one step (a reassignment, a deadline reminder) sits next to that step:
    before it once the step is decided (it happened while the step was open), after its
    arrival while it is open. An event about the whole case (公示, an objection, a
    timer) goes after the last entry that happened before it.
    """
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
    by_task, of_case = timeline_events(case)
    for task in steps if steps is not None else human_steps(case):
        if task.status == STATUS.DONE:
            entries += by_task.get(task.pk, [])  # the moves happened before the step was decided
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
            entries += by_task.get(task.pk, [])  # after the arrival the entry shows
    return _merged(entries, of_case)


def timeline_events(case: Case) -> tuple[dict[int, list[TimelineEntry]], list[tuple[TimelineEntry, str]]]:
    """The case's events that timelines show (workflows/timeline_events.py says which and how).

    Returns the entries of events about one step, by task id, and those about the whole
    case in order, each with what it explains (see EventView.explains).
    """
    by_task: dict[int, list[TimelineEntry]] = {}
    of_case: list[tuple[TimelineEntry, str]] = []
    events = (
        AuditEvent.objects.filter(case_no=case.case_no, action__in=list(TIMELINE_EVENTS))
        .select_related("actor")
        .order_by("id")
    )
    for event in events:
        view = TIMELINE_EVENTS[event.action]
        entry = view.entry(event)
        if entry is None:
            continue
        task = event.detail.get("task") if isinstance(event.detail, dict) else None
        if task is not None:
            by_task.setdefault(task, []).append(entry)
        else:
            of_case.append((entry, view.explains))
    return by_task, of_case


def _merged(entries: list[TimelineEntry], events: list[tuple[TimelineEntry, str]]) -> list[TimelineEntry]:
    """Each case-wide event after the last entry that happened no later than it; then an event that
    explains another (an objection, which ends the notice) moves before the entry it explains."""
    merged = list(entries)
    explained: list[tuple[TimelineEntry, str]] = []
    for event, explains in events:
        at = max(
            (i for i, entry in enumerate(merged) if entry.when is not None and event.when and entry.when <= event.when),
            default=len(merged) - 1,
        )
        merged.insert(at + 1, event)
        if explains:
            explained.append((event, explains))
    for event, explains in explained:
        here = merged.index(event)
        target = next((i for i in range(here - 1, -1, -1) if merged[i].action == explains), None)
        if target is not None:
            merged.insert(target, merged.pop(here))
    return merged


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
