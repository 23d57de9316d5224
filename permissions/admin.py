"""Administrators manage users: their roles (groups) and the one unit each is bound to.

Also the admin pages of the third-party apps that hold people's data, in Chinese:
roles (Django's groups), login lock-outs and log-ins (django-axes). Pages an
administrator must not use are removed, each with its reason below.
"""

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, SetUnusablePasswordMixin, UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import format_lazy
from guardian.models import GroupObjectPermission, UserObjectPermission
from rest_framework.authtoken.models import TokenProxy

from .models import User, validate_roles_against_binding
from .roles import Role


def role_label(code: str) -> str:
    return str(Role(code).label) if code in Role.values else code


def name_in_chinese(model, name: str) -> None:
    """Give a third-party model a Chinese name on every admin page (index, titles, breadcrumbs).

    Those apps ship no zh-hans names. Only the runtime options change: migrations are
    computed from the Meta attributes as declared (Options.original_attrs), so this
    makes no migration in the third-party app.
    """
    model._meta.verbose_name = name
    model._meta.verbose_name_plural = name


def unregister(*models) -> None:
    for model in models:
        if admin.site.is_registered(model):
            admin.site.unregister(model)


class ListOnlyAdmin(admin.ModelAdmin):
    """A list and its actions, no add, edit, delete or detail page.

    For third-party records whose detail pages would show English labels and English
    object names (their __str__), and that nobody edits by hand.
    """

    list_display_links = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _to_list(self):
        opts = self.model._meta
        return redirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return self._to_list()

    def history_view(self, request, object_id, extra_context=None):
        return self._to_list()


# --- users -----------------------------------------------------------------------------


class RoleFilter(admin.SimpleListFilter):
    title = "角色"
    parameter_name = "role"

    def lookups(self, request, model_admin):
        return Role.choices

    def queryset(self, request, queryset):
        return queryset.filter(groups__name=self.value()) if self.value() else queryset


class BoundUserChangeForm(UserChangeForm):
    """Refuses roles the binding cannot serve (e.g. a 卫健局 reviewer bound to 民政局)."""

    def clean(self):
        cleaned = super().clean()
        roles = {group.name for group in cleaned.get("groups") or []} & set(Role.values)
        probe = User(
            institution=cleaned.get("institution"),
            township=cleaned.get("township"),
            department=cleaned.get("department"),
        )
        bound = [name for name in ("institution", "township", "department") if cleaned.get(name)]
        if len(bound) > 1:
            raise ValidationError("一个用户只能绑定一个单位：机构、乡镇（街道）或部门之一。")
        for field, messages_ in validate_roles_against_binding(probe, roles).items():
            for message in messages_:
                self.add_error(field, message)
        return cleaned


class PasswordChangeForm(AdminPasswordChangeForm):
    """Django 5.2 writes this form's warning in English, outside its translations."""

    usable_password_help_text = format_lazy(
        "{}{}",
        SetUnusablePasswordMixin.usable_password_help_text,
        '<ul id="id_unusable_warning" class="messagelist"><li class="warning">停用后，该用户现在的密码将失效。</li></ul>',
    )


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = BoundUserChangeForm
    change_password_form = PasswordChangeForm
    list_display = ("username", "display_name", "role_names", "institution", "township", "department", "is_active")
    list_filter = (RoleFilter, "is_active", "department", "township")
    search_fields = ("username", "display_name")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("身份", {"fields": ("display_name", "email")}),
        ("角色与绑定", {"fields": ("groups", "institution", "township", "department")}),
        ("状态", {"fields": ("is_active", "is_staff", "is_superuser", "last_login", "date_joined")}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="角色")
    def role_names(self, user: User) -> str:
        return "、".join(role_label(group.name) for group in user.groups.all())

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        """Roles are the groups: offered as check boxes with their Chinese names, not group codes."""
        if db_field.name != "groups":
            return super().formfield_for_manytomany(db_field, request, **kwargs)
        kwargs["queryset"] = Group.objects.filter(name__in=Role.values).order_by("id")
        kwargs["widget"] = forms.CheckboxSelectMultiple
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        field.label = "角色"
        field.help_text = "一个用户可以担任多个角色；角色需要与下方绑定的机构、乡镇（街道）或部门相符。"
        field.label_from_instance = lambda group: role_label(group.name)
        return field


# --- roles (Django's groups) ---------------------------------------------------------

name_in_chinese(Group, "角色")
unregister(Group)


@admin.register(Group)
class RoleAdmin(ListOnlyAdmin):
    """The roles of permissions.roles.Role, read-only.

    A role is a group named by its code; the code decides what its holders may do, so
    adding, renaming or deleting a group here would change nothing or break logins.
    Roles are given to users on the user's page.
    """

    list_display = ("role_name", "code", "members")
    ordering = ("id",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_count=Count("user"))

    @admin.display(description="角色名称")
    def role_name(self, group: Group) -> str:
        return role_label(group.name)

    @admin.display(description="角色代码", ordering="name")
    def code(self, group: Group) -> str:
        return group.name

    @admin.display(description="用户数", ordering="member_count")
    def members(self, group: Group) -> str:
        url = reverse("admin:permissions_user_changelist") + f"?{RoleFilter.parameter_name}={group.name}"
        return format_html('<a href="{}">{} 人</a>', url, group.member_count)


# --- object permissions (django-guardian) ----------------------------------------------
# Hidden: the jurisdiction grants are derived from roles and bindings on every save
# (permissions.services.sync_jurisdiction); one edited by hand would be overwritten,
# or worse, open a township's cases to someone until the next save. guardian registers
# no admin of its own today; this keeps it so if a release starts to.
unregister(UserObjectPermission, GroupObjectPermission)

# --- API tokens (DRF authtoken) --------------------------------------------------------
# Hidden: DRF's page lists every user's token key in clear, so whoever opens the admin
# could call the API as anyone. A token is issued by POST /api/v1/auth/token/ with the
# user's own password; revoke one by deactivating the user or with
# `python manage.py drf_create_token -r <username>` (docs/operations.md).
unregister(TokenProxy)

# --- log-ins and lock-outs (django-axes) ---------------------------------------------
apps.get_app_config("axes").verbose_name = "登录安全"
name_in_chinese(AccessAttempt, "登录失败与锁定")
name_in_chinese(AccessLog, "登录记录")
# Hidden: axes writes this log only with AXES_ENABLE_ACCESS_FAILURE_LOG, which is off;
# failed log-ins are counted in 登录失败与锁定 above, so the page would always be empty.
unregister(AccessAttempt, AccessLog, AccessFailureLog)


class LockedOutFilter(admin.SimpleListFilter):
    title = "状态"
    parameter_name = "locked_out"

    def lookups(self, request, model_admin):
        return (("yes", "已锁定"), ("no", "未锁定"))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
        if self.value() == "no":
            return queryset.filter(failures_since_start__lt=settings.AXES_FAILURE_LIMIT)
        return queryset


class LoginRecordAdmin(ListOnlyAdmin):
    search_fields = ("username", "ip_address")
    date_hierarchy = "attempt_time"

    @admin.display(description="用户名", ordering="username")
    def account(self, record) -> str:
        return record.username or ""

    @admin.display(description="IP 地址", ordering="ip_address")
    def ip(self, record) -> str:
        return record.ip_address or ""

    @admin.display(description="浏览器")
    def browser(self, record) -> str:
        return record.user_agent


@admin.register(AccessAttempt)
class LockoutAdmin(LoginRecordAdmin):
    """Failed log-ins per account and address; at AXES_FAILURE_LIMIT the pair is locked out."""

    list_display = ("last_attempt", "account", "ip", "failures", "status", "browser")
    list_filter = (LockedOutFilter,)
    actions = ["unlock"]

    @admin.display(description="最近一次失败", ordering="attempt_time")
    def last_attempt(self, record: AccessAttempt):
        return record.attempt_time

    @admin.display(description="失败次数", ordering="failures_since_start")
    def failures(self, record: AccessAttempt) -> int:
        return record.failures_since_start

    @admin.display(description="状态")
    def status(self, record: AccessAttempt) -> str:
        left = settings.AXES_FAILURE_LIMIT - record.failures_since_start
        return "已锁定" if left <= 0 else f"还可尝试 {left} 次"

    @admin.action(description="解除所选记录的锁定（清零失败次数）")
    def unlock(self, request, queryset):
        # What `manage.py axes_reset` does: the failure count lives only in these rows.
        count, _ = queryset.delete()
        messages.success(request, f"已清除 {count} 条记录，相关账号可以重新登录。")


@admin.register(AccessLog)
class LoginLogAdmin(LoginRecordAdmin):
    """Successful log-ins and their log-outs, kept by axes."""

    list_display = ("logged_in", "logged_out", "account", "ip", "browser")

    @admin.display(description="登录时间", ordering="attempt_time")
    def logged_in(self, record: AccessLog):
        return record.attempt_time

    @admin.display(description="退出时间", ordering="logout_time")
    def logged_out(self, record: AccessLog):
        return record.logout_time
