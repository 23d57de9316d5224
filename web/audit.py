"""The auditor's workspace: case search, a case's whole history, one person's activity, the document register.

Read-only by construction: every view answers GET and HEAD only (require_safe) and no
template here has a form that posts; the read-only guard (permissions/read_only.py)
refuses an auditor's POST anywhere else. Anyone who is not an auditor or administrator
gets a 404, as for a page that does not exist. Each list exports its rows as CSV or
XLSX (``?format=csv|xlsx``) with the same filters and Chinese columns as the page.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from audit.history import case_events, events_by
from common import exports, procedures
from documents.register import register
from institutions.models import Department, Institution, Township
from permissions.models import User
from permissions.roles import COUNTY_WIDE_READERS, Role
from workflows import auditing, scoping
from workflows.listing import ActivityFilters, AuditCaseFilters, RegisterFilters
from workflows.models import CaseState

PAGE_SIZE = 20


def auditors_only(view):
    """Signed in, and an auditor or administrator; anyone else is told the page does not exist."""

    @wraps(view)
    @login_required
    @require_safe
    def checked(request, *args, **kwargs):
        if not request.user.roles & COUNTY_WIDE_READERS:
            raise Http404()
        return view(request, *args, **kwargs)

    return checked


def export_format(request) -> str:
    fmt = request.GET.get("format", "")
    return fmt if fmt in exports.FORMATS else ""


def export_response(table: exports.Table, fmt: str, stem: str) -> HttpResponse:
    response = HttpResponse(exports.render(table, fmt), content_type=exports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(stem, fmt)}"'
    return response


def units() -> list[tuple[str, str]]:
    """(code, name) of every unit a step can be routed to, for the unit filters."""
    return [(d.code, d.short_name) for d in Department.objects.all()] + [
        (t.code, t.name) for t in Township.objects.all()
    ]


def staff_accounts() -> list[tuple[str, str]]:
    """Accounts that review or administer, for the approver and activity pickers (applicants are many)."""
    staff = User.objects.exclude(groups__name=Role.APPLICANT).filter(is_active=True).order_by("username")
    return [(u.username, u.display_name or u.username) for u in staff]


@auditors_only
def case_search(request):
    filters = AuditCaseFilters.from_query(request.GET, strict=False)
    cases = auditing.audit_cases(filters)
    fmt = export_format(request)
    if fmt:
        return export_response(auditing.cases_table(cases), fmt, "audit-cases")
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/cases.html",
        {
            "section": "audit",
            "tab": "cases",
            "page": page,
            "filters": filters,
            "procedures": procedures.choices(),
            "states": CaseState.choices,
            "townships": Township.objects.all(),
            "institutions": Institution.objects.order_by("township_id", "name").only("pk", "name"),
            "units": units(),
            "staff": staff_accounts(),
        },
    )


@auditors_only
def case_history(request, case_no):
    case = scoping.visible_cases(request.user).filter(case_no=case_no).first()
    if case is None:
        raise Http404()
    history = auditing.case_history(case)
    fmt = export_format(request)
    if fmt:
        return export_response(auditing.events_table("审计事件", case_events(case.case_no)), fmt, f"audit-{case_no}")
    return render(request, "audit/case.html", {"section": "audit", "tab": "cases", "history": history, "case": case})


@auditors_only
def approval_record(request, case_no):
    case = scoping.visible_cases(request.user).filter(case_no=case_no).first()
    if case is None:
        raise Http404()
    user = request.user
    pdf = auditing.approval_record_pdf(case, generated_by=f"{user.display_name or user.username}（{user.username}）")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="approval-record-{case_no}.pdf"'
    return response


@auditors_only
def activity(request):
    filters = ActivityFilters.from_query(request.GET, strict=False)
    events = events_by(filters.actor, on_or_after=filters.after, on_or_before=filters.before) if filters.actor else None
    fmt = export_format(request)
    if fmt and events is not None:
        return export_response(auditing.events_table("操作记录", events), fmt, f"audit-activity-{filters.actor}")
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page")) if events is not None else None
    person = User.objects.filter(username=filters.actor).first() if filters.actor else None
    staff = staff_accounts()
    if person is not None and person.username not in dict(staff):  # an applicant, reached from a case's events
        staff.insert(0, (person.username, person.display_name or person.username))
    return render(
        request,
        "audit/activity.html",
        {
            "section": "audit",
            "tab": "activity",
            "filters": filters,
            "person": person,
            "page": page,
            "lines": auditing.event_lines(page) if page is not None else [],
            "staff": staff,
        },
    )


@auditors_only
def document_register(request):
    filters = RegisterFilters.from_query(request.GET, strict=False)
    documents = register(year=filters.year, unit=filters.unit)
    fmt = export_format(request)
    if fmt:
        return export_response(auditing.register_table(documents), fmt, "document-register")
    page = Paginator(documents, PAGE_SIZE).get_page(request.GET.get("page"))
    this_year = timezone.localdate().year
    return render(
        request,
        "audit/register.html",
        {
            "section": "audit",
            "tab": "register",
            "page": page,
            "lines": auditing.register_lines(page),
            "filters": filters,
            "years": list(range(this_year, this_year - 6, -1)),
            "units": units(),
        },
    )
