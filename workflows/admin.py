"""Administrators maintain the working-day calendar and can read (not edit) cases."""

from django.contrib import admin, messages
from django.utils import timezone
from viewflow.workflow.models import Process, Task

from common import procedures

from .calendar import HOLIDAY, WORKDAY, calendar_notices
from .models import CalendarDay, CalendarYear, Case, StepDeadline, TaskAlert
from .services import calendar as calendar_services


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """The holiday overrides; each save and delete goes through the audited calendar service."""

    list_display = ("date", "is_workday", "name")
    list_filter = ("is_workday",)
    date_hierarchy = "date"

    def get_readonly_fields(self, request, obj=None):
        # Moving an override to another date is a delete and an add: two audit events that say so.
        return ("date",) if obj is not None else ()

    def changelist_view(self, request, extra_context=None):
        # The administrator is told here, where the fix is made, when this year or the next
        # has not been entered (the same notices as the system check).
        # Only on GET: a bulk action POSTs here and redirects, which would say it twice.
        if request.method == "GET":
            for notice in calendar_notices(timezone.localdate()):
                messages.warning(request, notice)
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        saved = calendar_services.set_calendar_day(
            user=request.user, day=obj.date, kind=WORKDAY if obj.is_workday else HOLIDAY, name=obj.name
        )
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        calendar_services.remove_calendar_day(user=request.user, day=obj.date)

    def delete_queryset(self, request, queryset):
        for day in queryset.values_list("date", flat=True):
            calendar_services.remove_calendar_day(user=request.user, day=day)


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    """Years whose holidays are entered in full: adding one stops the weekday-only warnings."""

    list_display = ("year", "entered_at")
    fields = ("year",)

    def has_change_permission(self, request, obj=None):
        return False  # a year is marked or not; there is nothing to edit

    def save_model(self, request, obj, form, change):
        obj.pk = calendar_services.mark_year_entered(user=request.user, year=obj.year).pk

    def delete_model(self, request, obj):
        calendar_services.unmark_year_entered(user=request.user, year=obj.year)

    def delete_queryset(self, request, queryset):
        for year in queryset.values_list("year", flat=True):
            calendar_services.unmark_year_entered(user=request.user, year=year)


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    """Read-only: cases change only through the flows, so the history stays true."""

    list_display = ("case_no", "procedure", "state", "institution", "township", "submitted_at", "decided_at")
    list_filter = ("procedure", "state", "township")
    # The product's fields only: viewflow's own (flow class, process status, data) are
    # internals with English labels, and the state above is what people go by.
    fields = (
        "case_no",
        "procedure",
        "state",
        "institution",
        "township",
        "applicant",
        "submitted_at",
        "decided_at",
        "amount",
    )
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

    list_display = ("case_no", "step", "unit", "kind", "due", "created_at")
    list_filter = ("kind",)
    list_select_related = ("task__process",)
    fields = ("case_no", "step", "unit", "kind", "due", "created_at")
    readonly_fields = fields

    @admin.display(description="办件编号", ordering="task__process__case_no")
    def case_no(self, alert: TaskAlert) -> str:
        return alert.task.process.case_no

    @admin.display(description="审核步骤")
    def step(self, alert: TaskAlert) -> str:
        return str(alert.task.flow_task.task_title)

    @admin.display(description="办理单位", ordering="task__unit_label")
    def unit(self, alert: TaskAlert) -> str:
        return alert.task.unit_label

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# viewflow registers admin pages (in English) for its generic Process and Task tables.
# The flows here run on Case and CaseTask above, so those tables stay empty and the
# pages would only mislead.
for model in (Process, Task):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(StepDeadline)
class StepDeadlineAdmin(admin.ModelAdmin):
    """The promised working days per step: the administrator changes the figure, not the steps."""

    list_display = ("procedure_label", "title", "days")
    list_editable = ("days",)
    list_filter = ("procedure",)
    fields = ("title", "days")
    readonly_fields = ("title",)

    @admin.display(description="事项", ordering="procedure")
    def procedure_label(self, row: StepDeadline) -> str:
        known = procedures.find(row.procedure)
        return str(known.label) if known else row.procedure

    def has_add_permission(self, request):
        return False  # one row per step of a registered flow, created after each migration

    def has_delete_permission(self, request, obj=None):
        return False


# Each procedure with models of its own registers them from its own admin module.
from . import subsidy_admin  # noqa: E402, F401
