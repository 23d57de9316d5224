"""What each user may see and work: the querysets every list, queue, page, download and API uses.

One rule per question, applied in the database query itself; a detail page asks the
same queryset for the one row, so a list and a page can never disagree. Jurisdiction
comes from the user's grants (permissions/grants.py, read once per request) and the
viewflow owner permission each task carries (workflows/units.py).
"""

from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import BooleanField, Exists, F, Func, OuterRef, Q, QuerySet
from django.utils import timezone
from guardian.models import UserObjectPermission
from viewflow.workflow.status import STATUS

from documents.models import Document, DocumentStatus
from institutions.models import Institution
from permissions.grants import Grants, acts_for, can_head, can_head_any, grants_for, holds
from permissions.models import User
from permissions.roles import ACT_FOR_INSTITUTION, HEAD_DEPARTMENT, HEAD_TOWNSHIP, REVIEW_DEPARTMENT, REVIEW_TOWNSHIP

from .models import Case, CaseParty, CaseTask, TaskAlert

OPEN_TASK = (STATUS.NEW, STATUS.ASSIGNED)

__all__ = [
    "OPEN_TASK",
    "acts_for",
    "can_head",
    "can_head_any",
    "deadline_alerts",
    "grants_for",
    "holds",
    "issued_document_for",
    "may_see_id_numbers",
    "task_archive",
    "task_inbox",
    "task_queue",
    "unit_open_tasks",
    "users_holding",
    "visible_cases",
    "visible_documents",
    "visible_institutions",
    "workable_tasks",
]


def _tasks_for(grants: Grants, permissions: tuple[str, ...]) -> Q:
    """Tasks whose owner permission is one of `permissions` on an object the user holds it for."""
    condition = Q(pk__in=[])
    for permission in permissions:
        objects = grants.of(permission)
        if objects:
            condition |= Q(owner_permission=permission, owner_permission_obj_pk__in=sorted(objects))
    return condition


def _human_tasks() -> QuerySet:
    return CaseTask.objects.filter(flow_task_type="HUMAN").select_related("process", "owner")


# Each queue's condition on CaseTask, written once: the queue's tasks filter on it, and its
# deadline alerts filter on the same condition through the alert's task. Each matches the
# partial index of its queue (workflows/models/case.py).


def _queue_condition(grants: Grants) -> Q:
    return Q(flow_task_type="HUMAN", status=STATUS.NEW) & _tasks_for(grants, (REVIEW_TOWNSHIP, REVIEW_DEPARTMENT))


def _inbox_condition(user, grants: Grants) -> Q:
    return Q(flow_task_type="HUMAN", owner=user, status=STATUS.ASSIGNED) & _tasks_for(
        grants, (REVIEW_TOWNSHIP, REVIEW_DEPARTMENT, ACT_FOR_INSTITUTION)
    )


def _unit_condition(grants: Grants) -> Q:
    headed = Q(pk__in=[])
    if grants.of(HEAD_TOWNSHIP):
        headed |= Q(owner_permission=REVIEW_TOWNSHIP, owner_permission_obj_pk__in=sorted(grants.of(HEAD_TOWNSHIP)))
    if grants.of(HEAD_DEPARTMENT):
        headed |= Q(owner_permission=REVIEW_DEPARTMENT, owner_permission_obj_pk__in=sorted(grants.of(HEAD_DEPARTMENT)))
    return Q(flow_task_type="HUMAN", status__in=OPEN_TASK) & headed


def task_queue(user) -> QuerySet:
    """待领取: open, unassigned review tasks of the user's units."""
    return _human_tasks().filter(_queue_condition(grants_for(user)))


def task_inbox(user) -> QuerySet:
    """待办: open tasks assigned to the user — while the user still holds the jurisdiction."""
    return _human_tasks().filter(_inbox_condition(user, grants_for(user)))


def task_archive(user) -> QuerySet:
    """已办: tasks the user finished."""
    return _human_tasks().filter(owner=user, status=STATUS.DONE)


def unit_open_tasks(user) -> QuerySet:
    """A unit head's view: every open task of the units the user heads, whoever holds it."""
    return _human_tasks().filter(_unit_condition(grants_for(user)))


def workable_tasks(user) -> QuerySet:
    """Every task a user may act on in some way (claim, decide, unclaim, reassign).

    Tasks outside this set are "not found" for the user, whatever their state.
    """
    grants = grants_for(user)
    reach = _tasks_for(grants, (REVIEW_TOWNSHIP, REVIEW_DEPARTMENT, ACT_FOR_INSTITUTION)) | Q(owner=user)
    return _human_tasks().filter(reach)


def deadline_alerts(user, *, today=None, limit: int | None = None) -> list[TaskAlert]:
    """The deadline alerts a user should see (workflows/services/deadline_watch.py), earliest due first.

    Due-soon reminders of the open steps the user holds — assigned to the user, or in
    the user's 待领取 — while still not overdue; overdue escalations of the open steps of
    the units the user heads.

    Each of the three is bounded whatever the number of open steps or of alerts in the
    county: the overdue escalations walk the index that orders the unit's open steps by
    due date and look up each step's alert by task, stopping after `limit`; the due-soon
    reminders start from the live reminders (due today or later: a working day's worth
    of steps, task_alert_due_soon) and keep those of the user's own 待办 and 待领取. The
    three are disjoint (a step is unclaimed or assigned; an alert is due soon or overdue),
    so their first `limit` rows merged by due date are the answer. Two statements at
    most: the keys of all three (one UNION ALL), then the alerts shown; a user with no
    alerts costs one.
    """
    today = today or timezone.localdate()
    grants = grants_for(user)
    # A reminder keeps its step's due date (set once): those not yet past it are few, and
    # task_alert_due_soon finds them without reading any queue.
    due_soon = Q(kind=TaskAlert.Kind.DUE_SOON, due__gte=today)
    if connection.vendor == "postgresql":
        # Fetch the user's steps by primary key among the live reminders' steps, not the
        # reminders among the user's steps: PostgreSQL cannot tell that a queue's steps due
        # from today on are mostly open work, and with 25,000 in one queue and a million
        # rows it walked the queue's index for each reminder (31 ms). As an InitPlan array
        # (``id = ANY(ARRAY(SELECT …))``) the reminders come first: 451 probes, 2 ms.
        live = TaskAlert.objects.filter(kind=TaskAlert.Kind.DUE_SOON, due__gte=today).order_by().values("task_id")
        among_live = Func(
            F("task__id"),
            ArraySubquery(live),
            template="%(expressions)s)",
            arg_joiner=" = ANY(",
            output_field=BooleanField(),
        )
        due_soon &= Q(among_live)
    # Each source: the alerts, the condition on their steps, and the due date the part is
    # ordered by — the reminder's own (its index's order), or the step's (the unit's index).
    sources = [
        (due_soon, _inbox_condition(user, grants), "due"),
        (due_soon, _queue_condition(grants), "due"),
        (Q(kind=TaskAlert.Kind.OVERDUE), _unit_condition(grants), "task__due"),
    ]
    # PostgreSQL orders each part by due date and stops it at `limit`; SQLite allows neither
    # inside a UNION and reads the user's alert keys whole (an embedded installation is small).
    stops = limit is not None and connection.features.supports_slicing_ordering_in_compound
    parts = []
    for kind, tasks, due in sources:
        part = TaskAlert.objects.filter(kind, _through_task(tasks)).values_list("pk", "task__due", "task_id", "kind")
        parts.append(part.order_by(due, "task_id")[:limit] if stops else part.order_by())
    # First the keys, in one statement: (… LIMIT n) UNION ALL (… LIMIT n) UNION ALL (… LIMIT n),
    # an empty source left out; then, only if there are any, the alerts shown, with their rows.
    keys = sorted(
        # A reminder whose step is past due is no longer "due soon" (only if a due date was moved).
        (
            key
            for key in parts[0].union(*parts[1:], all=True)
            if key[3] == TaskAlert.Kind.OVERDUE or (key[1] and key[1] >= today)
        ),
        key=lambda key: (key[1] is None, key[1], key[2]),
    )
    keys = keys[:limit] if limit is not None else keys
    if not keys:
        return []
    rows = TaskAlert.objects.select_related("task__process__institution", "task__owner").in_bulk([k[0] for k in keys])
    return [rows[key[0]] for key in keys if key[0] in rows]


def _through_task(condition: Q) -> Q:
    """A condition on CaseTask, as the same condition on a row's ``task`` (a join, not a subquery)."""
    moved = Q()
    moved.connector, moved.negated = condition.connector, condition.negated
    children: list[Any] = list(condition.children)
    moved.children = [
        _through_task(child) if isinstance(child, Q) else (f"task__{child[0]}", child[1]) for child in children
    ]
    return moved


def users_holding(task) -> QuerySet:
    """Active users who hold the jurisdiction a task is routed to (candidates for reassignment)."""
    app_label, codename = task.owner_permission.split(".", 1)
    holders = UserObjectPermission.objects.filter(
        permission__codename=codename,
        permission__content_type__app_label=app_label,
        object_pk=task.owner_permission_obj_pk,
    ).values("user_id")
    return User.objects.filter(is_active=True, pk__in=holders).order_by("username")


def visible_cases(user) -> QuerySet:
    """Cases the user may read: its institution's, its township's, those routed to its department.

    Auditors and administrators read every case.
    """
    cases = Case.objects.select_related("institution", "township")
    if not user.is_authenticated:
        return cases.none()
    grants = grants_for(user)
    if grants.county_wide:
        return cases
    condition: Any = Q(pk__in=[])  # Q | Exists, or-ed together
    institutions = grants.of(ACT_FOR_INSTITUTION)
    if institutions:
        # The applicant, or either party of an agreement: every procedure records its parties.
        parties = CaseParty.objects.filter(case=OuterRef("pk"), institution_id__in=sorted(institutions, key=int))
        condition |= Exists(parties)
    townships = grants.of(REVIEW_TOWNSHIP)
    if townships:
        condition |= Q(township_id__in=sorted(townships, key=int))
    departments = grants.of(REVIEW_DEPARTMENT)
    if departments:
        routed = CaseTask.objects.filter(
            process=OuterRef("pk"), owner_permission=REVIEW_DEPARTMENT, owner_permission_obj_pk__in=sorted(departments)
        )
        condition |= Exists(routed)
    return cases.filter(condition)


def visible_institutions(user) -> QuerySet:
    """Institutions the user may look up: its own and the possible partners (the registry's
    public facts of institutions of the other kind); its township's; all for bureaus and auditors."""
    institutions = Institution.objects.select_related("township")
    if not user.is_authenticated:
        return institutions.none()
    grants = grants_for(user)
    if grants.county_wide or grants.of(REVIEW_DEPARTMENT):
        return institutions
    condition = Q(pk__in=[])
    if grants.of(ACT_FOR_INSTITUTION):
        own = Institution.objects.filter(pk__in=sorted(grants.of(ACT_FOR_INSTITUTION), key=int))
        condition |= Q(pk__in=own.values("pk")) | (Q(is_active=True) & ~Q(kind__in=own.values("kind")))
    if grants.of(REVIEW_TOWNSHIP):
        condition |= Q(township_id__in=sorted(grants.of(REVIEW_TOWNSHIP), key=int))
    return institutions.filter(condition)


def may_see_id_numbers(user, case) -> bool:
    """Full ID numbers only for a reviewer who holds an open task of the case."""
    return (
        CaseTask.objects.filter(process=case, owner=user, status=STATUS.ASSIGNED)
        .exclude(owner_permission=ACT_FOR_INSTITUTION)
        .exists()
    )


def visible_documents(user) -> QuerySet:
    """Documents of the cases the user may see."""
    return Document.objects.filter(case__in=visible_cases(user).values("pk")).select_related("case")


def issued_document_for(user, document_id) -> Document | None:
    """An issued document the user may download, or None — the same answer for foreign and missing ones."""
    try:
        return visible_documents(user).get(pk=int(document_id), status=DocumentStatus.ISSUED)
    except (Document.DoesNotExist, ValueError, TypeError):
        return None
