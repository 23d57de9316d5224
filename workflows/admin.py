"""Administrators maintain the working-day calendar and can read (not edit) cases."""

from django.contrib import admin

from .models import CalendarDay, Case, TaskAlert


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "is_workday", "name")
    list_filter = ("is_workday",)
    date_hierarchy = "date"


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    """Read-only: cases change only through the flows, so the history stays true."""

    list_display = ("case_no", "procedure", "state", "institution", "township", "submitted_at", "decided_at")
    list_filter = ("procedure", "state", "township")
    search_fields = ("case_no", "institution__name")
    list_select_related = ("institution", "township")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TaskAlert)
class TaskAlertAdmin(admin.ModelAdmin):
    """Read-only: alerts are facts the deadline watch records, never edited by hand."""

    list_display = ("task", "kind", "due", "created_at")
    list_filter = ("kind",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
