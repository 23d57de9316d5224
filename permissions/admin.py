"""Administrators manage users: their roles (groups) and the one unit each is bound to."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import ValidationError

from .models import User, validate_roles_against_binding
from .roles import Role


class BoundUserChangeForm(UserChangeForm):
    """Refuses roles the binding cannot serve (e.g. a 卫健局 reviewer bound to 民政局)."""

    def clean(self):
        cleaned = super().clean()
        roles = {group.name for group in cleaned.get("groups") or []} & set(Role.values)
        probe = User(
            institution=cleaned.get("institution"), township=cleaned.get("township"), department=cleaned.get("department")
        )
        bound = [name for name in ("institution", "township", "department") if cleaned.get(name)]
        if len(bound) > 1:
            raise ValidationError("一个用户只能绑定一个单位：机构、乡镇（街道）或部门之一。")
        for field, messages in validate_roles_against_binding(probe, roles).items():
            for message in messages:
                self.add_error(field, message)
        return cleaned


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = BoundUserChangeForm
    list_display = ("username", "display_name", "institution", "township", "department", "is_active")
    list_filter = ("groups", "is_active", "department", "township")
    search_fields = ("username", "display_name")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("身份", {"fields": ("display_name", "email")}),
        ("角色与绑定", {"fields": ("groups", "institution", "township", "department")}),
        ("状态", {"fields": ("is_active", "is_staff", "is_superuser", "last_login", "date_joined")}),
    )
    filter_horizontal = ("groups",)
