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
# A value longer than this is cut in the log (a policy's long note, a list of many groups).
MAX_VALUE_CHARS = 500


def _plain(field: Any, value: Any) -> Any:
    """A form value as the log stores it: text, a list of texts, or null; ids of related rows named."""
    from django import forms

    if value is None or value == "":
        return None
    queryset = field.queryset if isinstance(field, forms.ModelChoiceField) else None
    if queryset is not None and isinstance(field, forms.ModelMultipleChoiceField):
        items = value if isinstance(value, list | tuple | models.QuerySet) else [value]
        keys = [getattr(item, "pk", item) for item in items]
        return sorted(str(row) for row in queryset.filter(pk__in=keys))[:MAX_OBJECTS_NAMED]
    if queryset is not None and not isinstance(value, models.Model):
        value = queryset.filter(pk=value).first() or value
    if isinstance(value, list | tuple):
        return [str(item)[:MAX_VALUE_CHARS] for item in value][:MAX_OBJECTS_NAMED]
    return str(value)[:MAX_VALUE_CHARS]


def before_and_after(form: Any) -> dict[str, dict[str, Any]]:
    """{field: {"before", "after"}} for each field the admin's form changed; never a password."""
    values = {}
    for name in getattr(form, "changed_data", []):
        if "password" in name:
            continue
        field = form.fields.get(name)
        values[name] = {
            "before": _plain(field, form.initial.get(name)),
            "after": _plain(field, form.cleaned_data.get(name)),
        }
    return values


def _record_admin(
    request: HttpRequest, action: str, model: type[models.Model], objects: Iterable[Any], change: Any, values=None
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
    if values:
        detail["values"] = values
    with transaction.atomic():  # inside the admin's own transaction where it has one
        record(action=action, actor=request.user, detail=detail)


class AuditedAdminMixin:
    """Writes an audit event next to each of Django's own admin log entries, and for each bulk action."""

    model: type[models.Model]

    def construct_change_message(self, request: HttpRequest, form: Any, formsets: Any, add: bool = False) -> Any:
        """Django builds its log message from the form here; the values before and after are kept for ours."""
        request._audit_values = before_and_after(form)  # type: ignore[attr-defined]
        return super().construct_change_message(request, form, formsets, add)  # type: ignore[misc]

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        entry = super().log_addition(request, obj, message)  # type: ignore[misc]
        values = getattr(request, "_audit_values", None)
        _record_admin(request, "admin_object_added", self.model, [obj], message, values)
        return entry

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        entry = super().log_change(request, obj, message)  # type: ignore[misc]
        values = getattr(request, "_audit_values", None)
        _record_admin(request, "admin_object_changed", self.model, [obj], message, values)
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
