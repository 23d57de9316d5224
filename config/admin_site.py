"""The admin site: open only to the 系统管理员 role, and every change it makes is an audit event.

Django's admin asks only for ``is_staff``; a flag ticked by hand on a user's page would
then open it. Here the role decides (``is_staff`` follows the role, permissions.services).
Every model admin registered on the site — ours and the third-party apps' — gets the
audit mixin at registration, so an admin page added tomorrow is logged without anyone
remembering to (ASVS 7.1.3, 7.2.2). It lives in config, the top layer, because it
joins permissions (the role) and audit (the log).
"""

import json
from collections.abc import Iterable
from typing import Any

from django.contrib import admin
from django.contrib.admin import helpers
from django.db import models, transaction
from django.http import HttpRequest, HttpResponseBase

from audit.services import record
from permissions.roles import Role

# At most this many objects are named in one event (a bulk action may select thousands).
MAX_OBJECTS_NAMED = 100


def _record_admin(
    request: HttpRequest, action: str, model: type[models.Model], objects: Iterable[Any], change: Any
) -> None:
    """One audit event for one admin change: who, which model, which rows, what changed."""
    rows = list(objects)
    if isinstance(change, str) and change.startswith("["):
        change = json.loads(change)  # Django's change message is JSON; keep its structure
    detail = {
        "model": model._meta.label_lower,
        "objects": [{"id": str(obj.pk), "name": str(obj)[:200]} for obj in rows[:MAX_OBJECTS_NAMED]],
        "count": len(rows),
        "change": change,
    }
    with transaction.atomic():  # inside the admin's own transaction where it has one
        record(action=action, actor=request.user, detail=detail)


class AuditedAdminMixin:
    """Writes an audit event next to each of Django's own admin log entries, and for each bulk action."""

    model: type[models.Model]

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        entry = super().log_addition(request, obj, message)  # type: ignore[misc]
        _record_admin(request, "admin_object_added", self.model, [obj], message)
        return entry

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        entry = super().log_change(request, obj, message)  # type: ignore[misc]
        _record_admin(request, "admin_object_changed", self.model, [obj], message)
        return entry

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        rows = list(queryset)  # named now: the rows are deleted right after
        entries = super().log_deletions(request, rows)  # type: ignore[misc]
        _record_admin(request, "admin_objects_deleted", self.model, rows, "")
        return entries

    def response_action(self, request: HttpRequest, queryset: Any) -> HttpResponseBase | None:
        """A bulk action other than deletion (logged above), e.g. unlocking accounts."""
        action = request.POST.get("action", "")
        if not action or action == "delete_selected":
            return super().response_action(request, queryset)  # type: ignore[misc]
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        rows = list(self.model._default_manager.filter(pk__in=selected)[:MAX_OBJECTS_NAMED])
        with transaction.atomic():
            response = super().response_action(request, queryset)  # type: ignore[misc]
            if response is not None:  # None: nothing was selected, nothing ran
                _record_admin(request, "admin_action_run", self.model, rows, {"action": action})
        return response


class YiyangAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        roles: frozenset[str] = getattr(user, "roles", frozenset())
        return bool(user.is_active and user.is_staff and Role.ADMIN in roles)

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        base = admin_class or admin.ModelAdmin
        if not issubclass(base, AuditedAdminMixin):
            base = type(base.__name__, (AuditedAdminMixin, base), {"__module__": base.__module__})
        super().register(model_or_iterable, base, **options)
