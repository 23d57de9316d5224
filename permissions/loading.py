"""A request's user in one query: the account, its unit, its roles and its jurisdiction grants.

Every page and API call asks who the user is (roles), what it may reach (grants) and
how the timeline names it (its unit). Read one at a time these were three or four
queries per request on top of the user's own; here they come as two aggregated
subqueries and a join of the same SELECT that loads the user. ``User.roles`` and
``permissions.grants.grants_for`` use what was loaded and query only for a user
obtained some other way (a test's factory, the admin's change page).

That SELECT took Django 1.6 ms to build and compile against 0.7 ms to run, on every
request; ``load_user`` compiles it once per process (common/compiled.py) and runs it
with the request's key.
"""

from django.contrib.auth.models import Group
from django.db.models import F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Concat
from guardian.models import UserObjectPermission

from common.aggregates import JoinedText
from common.compiled import compiled_get

from .models import ROLES_LOADED, User
from .roles import JURISDICTION_PERMISSIONS

GRANTS_LOADED = "loaded_grants"
_APP_LABEL = "institutions"
_NOT_LOADED = object()
_CODENAMES = tuple(permission.split(".", 1)[1] for permission in JURISDICTION_PERMISSIONS)


def with_jurisdiction(users: QuerySet[User] | None = None) -> QuerySet[User]:
    """``users`` (default: all) with unit rows, role names and grants read in the same query."""
    users = User._default_manager.all() if users is None else users
    role_names = (
        Group.objects.filter(user=OuterRef("pk")).values("user").annotate(names=JoinedText("name")).values("names")
    )
    grant_pairs = (
        UserObjectPermission.objects.filter(
            user=OuterRef("pk"), permission__codename__in=_CODENAMES, permission__content_type__app_label=_APP_LABEL
        )
        .values("user")
        .annotate(pairs=JoinedText(Concat(F("permission__codename"), Value(":"), F("object_pk"))))
        .values("pairs")
    )
    return users.select_related("institution", "township", "department").annotate(
        **{ROLES_LOADED: Subquery(role_names), GRANTS_LOADED: Subquery(grant_pairs)}
    )


def load_user(key, *, by: str = "pk", text: bool = False, using: str = "default") -> User | None:
    """``with_jurisdiction().get(<by>=key)``, or None, its SQL compiled once per process (common/compiled.py)."""
    reader = compiled_get(("load_user", using, by), lambda: with_jurisdiction().using(using), by=by, text=text)
    return reader.get(key)  # type: ignore[return-value]


def loaded_grants(user: User) -> dict[str, frozenset[str]] | None:
    """The grants ``with_jurisdiction`` read for this user, by permission; None when it did not."""
    # getattr, not __dict__: request.user is a SimpleLazyObject around the user.
    pairs = getattr(user, GRANTS_LOADED, _NOT_LOADED)
    if pairs is _NOT_LOADED:
        return None
    found: dict[str, set[str]] = {}
    for pair in filter(None, (pairs or "").split(",")):
        codename, object_pk = pair.split(":", 1)
        found.setdefault(f"{_APP_LABEL}.{codename}", set()).add(object_pk)
    return {permission: frozenset(pks) for permission, pks in found.items()}
