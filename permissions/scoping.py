"""What each user may see and work: the querysets every list, queue, page, download and API uses.

One rule per question, applied in the database query itself; a detail page asks the
same queryset for the one row, so a list and a page can never disagree. Jurisdiction
comes from the user's guardian grants (read once per request) and the viewflow owner
permission each task carries (workflows/units.py).
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from guardian.models import UserObjectPermission
from viewflow.workflow.status import STATUS

from .roles import (
    ACT_FOR_INSTITUTION,
    COUNTY_WIDE_READERS,
    HEAD_DEPARTMENT,
    HEAD_TOWNSHIP,
    JURISDICTION_PERMISSIONS,
    REVIEW_DEPARTMENT,
    REVIEW_TOWNSHIP,
)

OPEN_TASK = (STATUS.NEW, STATUS.ASSIGNED)


@dataclass(frozen=True)
class Grants:
    """The objects a user's jurisdiction grants cover, as primary keys (strings, like guardian's)."""

    user: object
    by_permission: dict[str, frozenset[str]]

    def of(self, permission: str) -> frozenset[str]:
        return self.by_permission.get(permission, frozenset())

    @property
    def county_wide(self) -> bool:
        """Auditors and administrators read every case (asks for the roles only when needed)."""
        return self.user.is_authenticated and bool(self.user.roles & COUNTY_WIDE_READERS)


def grants_for(user) -> Grants:
    cached = getattr(user, "_yiyang_grants", None)
    if cached is not None:
        return cached
    found: dict[str, set[str]] = {}
    if user.is_authenticated:
        codenames = {perm.split(".", 1)[1]: perm for perm in JURISDICTION_PERMISSIONS}
        rows = UserObjectPermission.objects.filter(
            user=user, permission__codename__in=codenames, permission__content_type__app_label="institutions"
        ).values_list("permission__codename", "object_pk")
        for codename, object_pk in rows:
            found.setdefault(codenames[codename], set()).add(object_pk)
    grants = Grants(user=user, by_permission={perm: frozenset(pks) for perm, pks in found.items()})
    user._yiyang_grants = grants
    return grants


def _tasks_for(grants: Grants, permissions: tuple[str, ...]) -> Q:
    """Tasks whose owner permission is one of `permissions` on an object the user holds it for."""
    condition = Q(pk__in=[])
    for permission in permissions:
        objects = grants.of(permission)
        if objects:
            condition |= Q(owner_permission=permission, owner_permission_obj_pk__in=sorted(objects))
    return condition


def _task_model():
    from workflows.models import CaseTask

    return CaseTask


def _human_tasks() -> QuerySet:
    return _task_model().objects.filter(flow_task_type="HUMAN").select_related("process", "owner")


# --- tasks ---------------------------------------------------------------------------


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


def holds(user, task) -> bool:
    """Whether the user holds the jurisdiction a task is routed to (its owner permission on its object)."""
    return task.owner_permission_obj_pk in grants_for(user).of(task.owner_permission)


def can_head_any(user) -> bool:
    grants = grants_for(user)
    return bool(grants.of(HEAD_TOWNSHIP) or grants.of(HEAD_DEPARTMENT))


def deadline_alerts(user, *, today=None) -> QuerySet:
    """The deadline alerts a user should see (workflows/services/deadline_watch.py).

    Due-soon reminders of the open steps the user holds — assigned to the user, or in
    the user's 待领取 — while still not overdue; overdue escalations of the open steps of
    the units the user heads.
    """
    from django.utils import timezone

    from workflows.models import TaskAlert

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
    from .models import User

    app_label, codename = task.owner_permission.split(".", 1)
    holders = UserObjectPermission.objects.filter(
        permission__codename=codename,
        permission__content_type__app_label=app_label,
        object_pk=task.owner_permission_obj_pk,
    ).values("user_id")
    return User.objects.filter(is_active=True, pk__in=holders).order_by("username")


def can_head(user, task) -> bool:
    grants = grants_for(user)
    if task.owner_permission == REVIEW_TOWNSHIP:
        return task.owner_permission_obj_pk in grants.of(HEAD_TOWNSHIP)
    if task.owner_permission == REVIEW_DEPARTMENT:
        return task.owner_permission_obj_pk in grants.of(HEAD_DEPARTMENT)
    return False


# --- cases ---------------------------------------------------------------------------


def visible_cases(user) -> QuerySet:
    """Cases the user may read: its institution's, its township's, those routed to its department.

    Auditors and administrators read every case.
    """
    from workflows.models import Case

    cases = Case.objects.select_related("institution", "township")
    if not user.is_authenticated:
        return cases.none()
    grants = grants_for(user)
    if grants.county_wide:
        return cases
    condition = Q(pk__in=[])
    institutions = grants.of(ACT_FOR_INSTITUTION)
    if institutions:
        mine = sorted(institutions, key=int)
        # The drafting party is the case's institution; the other party of an agreement sees it too.
        condition |= (
            Q(institution_id__in=mine)
            | Q(cooperation__elderly_care_institution_id__in=mine)
            | Q(cooperation__medical_institution_id__in=mine)
        )
    townships = grants.of(REVIEW_TOWNSHIP)
    if townships:
        condition |= Q(township_id__in=sorted(townships, key=int))
    departments = grants.of(REVIEW_DEPARTMENT)
    if departments:
        routed = _task_model().objects.filter(
            process=OuterRef("pk"), owner_permission=REVIEW_DEPARTMENT, owner_permission_obj_pk__in=sorted(departments)
        )
        condition |= Exists(routed)
    return cases.filter(condition)


def visible_institutions(user) -> QuerySet:
    """Institutions the user may look up: its own and the possible partners (the registry's
    public facts of institutions of the other kind); its township's; all for bureaus and auditors."""
    from institutions.models import Institution

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


def acts_for(user, institution) -> bool:
    return str(institution.pk) in grants_for(user).of(ACT_FOR_INSTITUTION)


def may_see_id_numbers(user, case) -> bool:
    """Full ID numbers only for a reviewer who holds an open task of the case."""
    return (
        _task_model()
        .objects.filter(process=case, owner=user, status=STATUS.ASSIGNED)
        .exclude(owner_permission=ACT_FOR_INSTITUTION)
        .exists()
    )
