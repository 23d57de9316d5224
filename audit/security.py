"""Security events of accounts: log-ins, failures, lock-outs, log-outs, roles and permissions changed.

Receivers of Django's and django-axes' signals, so every door (the web log-in, the
API's token endpoint, the admin) is covered without calling anything. Each event goes
to the account's own chain (``account:<username>``); the actor of a role change is
the person making it (the request's user), the chain that of the account changed.
"""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from permissions.models import User

from .context import current_user
from .services import account_chain, record

MAX_NAME = 150


def _door(request) -> str:
    path = getattr(request, "path_info", "") or ""
    return "api" if path.startswith("/api/") else "web"


@receiver(user_logged_in, dispatch_uid="audit_login_succeeded")
def login_succeeded(sender, request, user, **kwargs) -> None:
    with transaction.atomic():
        record(action="login_succeeded", actor=user, detail={"via": _door(request)})


def record_api_login(*, request, user) -> None:
    """The API's token endpoint authenticates without django.contrib.auth.login (no session, no signal)."""
    login_succeeded(sender=None, request=request, user=user)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str((credentials or {}).get("username") or "")[:MAX_NAME]
    locked = bool(getattr(request, "axes_locked_out", False))
    with transaction.atomic():
        record(
            action="login_failed",
            actor_name=username or "?",
            chain=account_chain(username),
            detail={"username": username, "via": _door(request), "locked": locked},
        )


@receiver(user_locked_out, dispatch_uid="audit_account_locked_out")
def account_locked_out(sender, request, username, ip_address, **kwargs) -> None:
    username = str(username or "")[:MAX_NAME]
    with transaction.atomic():
        record(
            action="account_locked_out",
            actor_name=username or "?",
            chain=account_chain(username),
            detail={"username": username, "via": _door(request)},
        )


@receiver(user_logged_out, dispatch_uid="audit_logged_out")
def logged_out(sender, request, user, **kwargs) -> None:
    if user is None:  # the session had already ended
        return
    with transaction.atomic():
        record(action="logout", actor=user, detail={"via": _door(request)})


def _membership_change(sender, instance, action: str, reverse: bool, model, pk_set, label_of) -> dict | None:
    """{"added": [...]} or {"removed": [...]} for a change to one user's groups or permissions, else None."""
    if reverse or not isinstance(instance, User) or action not in {"post_add", "post_remove", "pre_clear"}:
        return None
    if action == "pre_clear":
        field = "groups" if sender is User.groups.through else "user_permissions"
        names = sorted(label_of(obj) for obj in getattr(instance, field).all())
        key = "removed"
    else:
        names = sorted(label_of(obj) for obj in model.objects.filter(pk__in=pk_set or ()))
        key = "added" if action == "post_add" else "removed"
    return {key: names} if names else None


def _record_membership(action_code: str, instance: User, change: dict) -> None:
    with transaction.atomic():
        record(
            action=action_code,
            actor=current_user(),
            chain=account_chain(instance.username),
            detail={"user": instance.username, **change},
        )


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="audit_roles_changed")
def roles_changed(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    change = _membership_change(sender, instance, action, reverse, model, pk_set, lambda group: group.name)
    if change:
        _record_membership("roles_changed", instance, change)


@receiver(m2m_changed, sender=User.user_permissions.through, dispatch_uid="audit_permissions_changed")
def permissions_changed(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    change = _membership_change(
        sender, instance, action, reverse, model, pk_set, lambda perm: f"{perm.content_type.app_label}.{perm.codename}"
    )
    if change:
        _record_membership("permissions_changed", instance, change)
