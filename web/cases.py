"""Case pages every procedure shares: the list, one case with its timeline and documents, withdrawal, attachments."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from common import procedures
from documents.services import can_correct
from institutions.models import Township
from permissions.roles import ACT_FOR_INSTITUTION, COUNTY_WIDE_READERS, Role
from workflows import scoping, selectors, services
from workflows.facts import case_facts
from workflows.listing import CaseFilters, filter_cases
from workflows.models import Attachment, CaseState
from workflows.models.case import OPEN_STATES

from .common import REVIEWER_ROLES, case_action, refusals_as_pages


@login_required
def home(request):
    roles = request.user.roles
    if roles & REVIEWER_ROLES:
        return redirect("workflows:task_list")
    if Role.AUDITOR in roles:
        return redirect("workflows:audit_cases")  # the auditor's workspace
    return redirect("workflows:case_list")


@login_required
def case_list(request):
    filters = CaseFilters.from_query(request.GET, strict=False)
    cases = filter_cases(scoping.visible_cases(request.user), filters).order_by("-submitted_at", "-id")
    page = Paginator(cases, 20).get_page(request.GET.get("page"))
    roles = request.user.roles
    return render(
        request,
        "workflows/case_list.html",
        {
            "section": "cases",
            "page": page,
            "filters": filters,
            "procedures": procedures.choices(),
            "states": CaseState.choices,
            # Reviewers, auditors and administrators look across townships; an applicant has one.
            "townships": Township.objects.all() if roles & (REVIEWER_ROLES | COUNTY_WIDE_READERS) else [],
            "to_do": selectors.institution_to_do(request.user),
            "notifications": selectors.institution_notifications(request.user),
        },
    )


@login_required
@require_safe
def case_detail(request, case_no):
    with refusals_as_pages(request):
        case = services.case_for(request.user, case_no)
    user = request.user
    steps = selectors.human_steps(case)
    acts_for = scoping.acts_for(user, case.institution)
    documents = list(case.documents.select_related("superseded_by").order_by("id"))
    # What only this procedure's page shows (a panel, its resubmit page, its own actions).
    own = procedure_page_context(request, case, steps)
    return render(
        request,
        "workflows/case_detail.html",
        {
            "section": "cases",
            "case": case,
            "facts": case_facts(case, reveal_ids=scoping.may_see_id_numbers(user, case)),
            "timeline": selectors.case_timeline(case, steps),
            "documents": documents,
            "correctable": {d.pk for d in documents if d.status == "issued" and can_correct(user, d)},
            "documents_pending": any(d.status == "pending" for d in documents),
            "returned_by": selectors.latest_return(case)
            if case.state == CaseState.RETURNED or own.get("awaiting_revision")
            else None,
            "can_withdraw": acts_for and case.state in OPEN_STATES,
            "my_tasks": [
                t for t in steps if t.is_open and scoping.holds(user, t) and t.owner_permission != ACT_FOR_INSTITUTION
            ],
            **own,
        },
    )


def procedure_page_context(request, case, steps) -> dict:
    """Its procedure's own part of a case page: ``case_page(request, case, steps)`` in its pages module."""
    pages = case.procedure_spec.pages_module()
    hook = getattr(pages, "case_page", None)
    return hook(request, case, steps) if hook else {}


@login_required
@require_POST
def case_withdraw(request, case_no):
    return case_action(
        request, case_no, lambda: services.withdraw_case(user=request.user, case_no=case_no), "办件已撤回。"
    )


@login_required
@require_safe
def attachment_download(request, pk):
    """An attachment of a case the user may see, or an unused upload of its own institution."""
    attachment = get_object_or_404(Attachment, pk=pk)
    user = request.user
    if attachment.case_id is not None:
        allowed = scoping.visible_cases(user).filter(pk=attachment.case_id).exists()
    else:
        allowed = scoping.acts_for(user, attachment.institution)
    if not allowed:
        raise Http404()
    return FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.mime_type,
        as_attachment=True,
        filename=attachment.original_name,
    )
