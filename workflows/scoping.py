"""What each user may see and work: the querysets every list, queue, page, download and API uses.

One rule per question, applied in the database query itself; a detail page asks the
same queryset for the one row, so a list and a page can never disagree. Jurisdiction
comes from the user's grants (permissions/grants.py, read once per request) and the
viewflow owner permission each task carries (workflows/units.py).
"""

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
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


def task_queue(user) -> QuerySet:
    """待领取: open, unassigned review tasks of the user's units."""
    grants = grants_for(user)
    return _human_tasks().filter(status=STATUS.NEW).filter(_tasks_for(grants, (REVIEW_TOWNSHIP, REVIEW_DEPARTMENT)))


def task_inbox(user) -> QuerySet:
    """待办: open tasks assigned to the user — while the user still holds the jurisdiction."""
    grants = grants_for(user)
    return (
        _human_tasks()
        .filter(owner=user, status=STATUS.ASSIGNED)
        .filter(_tasks_for(grants, (REVIEW_TOWNSHIP, REVIEW_DEPARTMENT, ACT_FOR_INSTITUTION)))
    )


def task_archive(user) -> QuerySet:
    """已办: tasks the user finished."""
    return _human_tasks().filter(owner=user, status=STATUS.DONE)


def unit_open_tasks(user) -> QuerySet:
    """A unit head's view: every open task of the units the user heads, whoever holds it."""
    grants = grants_for(user)
    headed = Q(pk__in=[])
    if grants.of(HEAD_TOWNSHIP):
        headed |= Q(owner_permission=REVIEW_TOWNSHIP, owner_permission_obj_pk__in=sorted(grants.of(HEAD_TOWNSHIP)))
    if grants.of(HEAD_DEPARTMENT):
        headed |= Q(owner_permission=REVIEW_DEPARTMENT, owner_permission_obj_pk__in=sorted(grants.of(HEAD_DEPARTMENT)))
    return _human_tasks().filter(status__in=OPEN_TASK).filter(headed)


def workable_tasks(user) -> QuerySet:
    """Every task a user may act on in some way (claim, decide, unclaim, reassign).

    Tasks outside this set are "not found" for the user, whatever their state.
    """
    grants = grants_for(user)
    reach = _tasks_for(grants, (REVIEW_TOWNSHIP, REVIEW_DEPARTMENT, ACT_FOR_INSTITUTION)) | Q(owner=user)
    return _human_tasks().filter(reach)


def deadline_alerts(user, *, today=None) -> QuerySet:
    """The deadline alerts a user should see (workflows/services/deadline_watch.py).

    Due-soon reminders of the open steps the user holds — assigned to the user, or in
    the user's 待领取 — while still not overdue; overdue escalations of the open steps of
    the units the user heads.
    """
    today = today or timezone.localdate()
    held = Q(task__in=task_inbox(user).values("pk")) | Q(task__in=task_queue(user).values("pk"))
    return (
        TaskAlert.objects.filter(task__status__in=OPEN_TASK)
        .filter(
            (Q(kind=TaskAlert.Kind.DUE_SOON, task__due__gte=today) & held)
            | Q(kind=TaskAlert.Kind.OVERDUE, task__in=unit_open_tasks(user).values("pk"))
        )
        .select_related("task__process__institution", "task__owner")
        .order_by("task__due", "id")
    )


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
