"""A user's jurisdiction grants: which institutions, townships and departments it acts for, reviews or heads.

The grants are django-guardian object permissions derived from the user's roles and
binding (permissions.services.sync_jurisdiction); they are read once per request and
cached on the user. Whether a user holds the unit a task is routed to is a question
about these grants and the task's owner permission alone.
"""

from dataclasses import dataclass
from typing import Any

from guardian.models import UserObjectPermission

from .loading import loaded_grants
from .roles import (
    ACT_FOR_INSTITUTION,
    COUNTY_WIDE_READERS,
    HEAD_DEPARTMENT,
    HEAD_TOWNSHIP,
    JURISDICTION_PERMISSIONS,
    REVIEW_DEPARTMENT,
    REVIEW_TOWNSHIP,
)


@dataclass(frozen=True)
class Grants:
    """The objects a user's jurisdiction grants cover, as primary keys (strings, like guardian's)."""

    user: Any
    by_permission: dict[str, frozenset[str]]

    def of(self, permission: str) -> frozenset[str]:
        return self.by_permission.get(permission, frozenset())

    @property
    def signature(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """The grants as a hashable value: two users' scopes are the same query when these are equal."""
        return tuple(sorted((permission, tuple(sorted(pks))) for permission, pks in self.by_permission.items()))

    @property
    def county_wide(self) -> bool:
        """Auditors and administrators read every case (asks for the roles only when needed)."""
        return self.user.is_authenticated and bool(self.user.roles & COUNTY_WIDE_READERS)


def grants_for(user: Any) -> Grants:
    """The user's grants: cached on the user object, so read at most once per request.

    A user loaded by permissions.loading.with_jurisdiction brought them along; any
    other is asked for them here.
    """
    cached = getattr(user, "_yiyang_grants", None)
    if cached is not None:
        return cached
    by_permission = loaded_grants(user) if user.is_authenticated else {}
    if by_permission is None:
        by_permission = _query_grants(user)
    grants = Grants(user=user, by_permission=by_permission)
    user._yiyang_grants = grants
    return grants


def _query_grants(user: Any) -> dict[str, frozenset[str]]:
    codenames = {perm.split(".", 1)[1]: perm for perm in JURISDICTION_PERMISSIONS}
    rows = UserObjectPermission.objects.filter(
        user=user, permission__codename__in=codenames, permission__content_type__app_label="institutions"
    ).values_list("permission__codename", "object_pk")
    found: dict[str, set[str]] = {}
    for codename, object_pk in rows:
        found.setdefault(codenames[codename], set()).add(object_pk)
    return {perm: frozenset(pks) for perm, pks in found.items()}


def holds(user: Any, task: Any) -> bool:
    """Whether the user holds the jurisdiction a task is routed to (its owner permission on its object)."""
    return task.owner_permission_obj_pk in grants_for(user).of(task.owner_permission)


def can_head_any(user: Any) -> bool:
    grants = grants_for(user)
    return bool(grants.of(HEAD_TOWNSHIP) or grants.of(HEAD_DEPARTMENT))


def can_head(user: Any, task: Any) -> bool:
    grants = grants_for(user)
    if task.owner_permission == REVIEW_TOWNSHIP:
        return task.owner_permission_obj_pk in grants.of(HEAD_TOWNSHIP)
    if task.owner_permission == REVIEW_DEPARTMENT:
        return task.owner_permission_obj_pk in grants.of(HEAD_DEPARTMENT)
    return False


def acts_for(user: Any, institution: Any) -> bool:
    return str(institution.pk) in grants_for(user).of(ACT_FOR_INSTITUTION)
