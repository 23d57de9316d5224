"""The audit log is readable in the admin, in Chinese, and cannot be changed there."""

from django.contrib import admin

from .actions import ACTION_LABELS, action_label, role_labels
from .models import AuditEvent


class ActionFilter(admin.SimpleListFilter):
    """Filter by action, offered by its Chinese name (the column holds codes)."""

    title = "动作"
    parameter_name = "action"

    def lookups(self, request, model_admin):
        codes = model_admin.get_queryset(request).order_by().values_list("action", flat=True).distinct()
        return sorted(
            ((code, action_label(code)) for code in codes), key=lambda item: (item[0] not in ACTION_LABELS, item[0])
        )

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "actor_name", "role_names", "unit", "ip", "action_name", "case_no")
    list_filter = (ActionFilter,)
    search_fields = ("case_no", "actor_name")
    fields = (
        "at",
        "actor",
        "actor_name",
        "role_names",
        "unit",
        "ip",
        "action_name",
        "action_code",
        "case_no",
        "detail",
        "chain",
        "seq",
        "prev_hash_value",
        "hash_value",
    )
    readonly_fields = fields

    @admin.display(description="动作", ordering="action")
    def action_name(self, event: AuditEvent) -> str:
        return action_label(event.action)

    @admin.display(description="动作代码")
    def action_code(self, event: AuditEvent) -> str:
        return event.action  # what the API's `action` filter and the exports use

    @admin.display(description="角色", ordering="role")
    def role_names(self, event: AuditEvent) -> str:
        return role_labels(event.role)

    @admin.display(description="前一事件的哈希值")
    def prev_hash_value(self, event: AuditEvent) -> str:
        return event.prev_hash

    @admin.display(description="本事件的哈希值")
    def hash_value(self, event: AuditEvent) -> str:
        return event.hash

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
