"""Case pages: the list, one case with its timeline, the application and supplement forms, withdrawal."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from documents.services import can_correct
from forms.attachments import UploadForm
from forms.clinic_filing import ClinicFilingForm, StaffFormSet
from institutions.models import Township
from permissions.roles import COUNTY_WIDE_READERS
from workflows import scoping, selectors, services
from workflows.facts import case_facts
from workflows.listing import CaseFilters, filter_cases
from workflows.models import Attachment, CaseState, Procedure
from workflows.services.cases import applicant_institution

from .common import REVIEWER_ROLES, case_action, error_summary, refusals_as_pages, refusals_on_form


@login_required
def home(request):
    if request.user.roles & REVIEWER_ROLES:
        return redirect("workflows:task_list")
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
            "procedures": Procedure.choices,
            "states": CaseState.choices,
            # Reviewers, auditors and administrators look across townships; an applicant has one.
            "townships": Township.objects.all() if roles & (REVIEWER_ROLES | COUNTY_WIDE_READERS) else [],
            "to_do": selectors.institution_to_do(request.user),
            "notifications": selectors.institution_notifications(request.user),
        },
    )


@login_required
def case_detail(request, case_no):
    with refusals_as_pages(request):
        case = services.case_for(request.user, case_no)
    user = request.user
    steps = selectors.human_steps(case)
    acts_for = scoping.acts_for(user, case.institution)
    party_actions = selectors.party_actions(user, case, steps)
    documents = list(case.documents.select_related("superseded_by").order_by("id"))
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
            "attachments": case.attachments.all(),
            "returned_by": selectors.latest_return(case)
            if case.state == CaseState.RETURNED or party_actions["can_revise"]
            else None,
            "can_withdraw": acts_for and case.state in (CaseState.DRAFT, CaseState.IN_REVIEW, CaseState.RETURNED),
            "can_resubmit": acts_for and case.state == CaseState.RETURNED,
            **party_actions,
            "my_tasks": [
                t
                for t in steps
                if t.is_open and scoping.holds(user, t) and t.owner_permission != "institutions.act_for_institution"
            ],
        },
    )


def _filing_forms(request, *, case=None, initial=None, staff_initial=None):
    choices = services.attachable(request.user, case)
    if request.method == "POST":
        # No initial on a bound formset: unchanged prefilled rows would count as empty.
        return (
            ClinicFilingForm(request.POST, attachment_choices=choices),
            StaffFormSet(request.POST, prefix="staff"),
            UploadForm(request.POST, request.FILES),
        )
    return (
        ClinicFilingForm(initial=initial, attachment_choices=choices),
        StaffFormSet(initial=staff_initial, prefix="staff"),
        UploadForm(),
    )


def _keep_uploads(request, form: ClinicFilingForm, upload: UploadForm) -> ClinicFilingForm:
    """Store what was uploaded at once, whatever else is wrong, and tick it on the re-shown form.

    A browser cannot refill a file input: without this, a submission refused for a
    typo in an ID number made the applicant find and upload every file again. The
    stored files are the institution's unused uploads until a case takes them.
    """
    if not (upload.is_valid() and upload.cleaned_data["files"]):
        return form
    kept = services.store_attachments(user=request.user, files=upload.cleaned_data["files"])
    messages.info(request, f"已保存您上传的{len(kept)}个文件（已勾选），重新提交时无需再次上传。")
    data = request.POST.copy()
    data.setlist("attachments", data.getlist("attachments") + [str(a.pk) for a in kept])
    return ClinicFilingForm(data, attachment_choices=form.fields["attachments"].queryset.all())


def _save_filing(request, form, staff, upload, submit):
    """Keep the uploads, validate the three forms, and call `submit`; returns the form shown and the case."""
    form = _keep_uploads(request, form, upload)
    if not (form.is_valid() and staff.is_valid() and upload.is_valid()):
        return form, None
    with refusals_on_form(form):
        return form, submit(
            filing={name: form.cleaned_data[name] for name in ClinicFilingForm.FIELDS},
            staff=[row for row in staff.cleaned_data if row],
            attachments=list(form.cleaned_data["attachments"]),
        )
    return form, None


@login_required
def clinic_filing_new(request):
    institution = applicant_institution(request.user)
    if institution is None:
        raise Http404()
    form, staff, upload = _filing_forms(request)
    if request.method == "POST":
        form, case = _save_filing(
            request,
            form,
            staff,
            upload,
            lambda **kwargs: services.submit_clinic_filing(user=request.user, **kwargs),
        )
        if case is not None:
            messages.success(request, f"申请已提交，办件编号 {case.case_no}。")
            return redirect("workflows:case_detail", case_no=case.case_no)
    return render(
        request,
        "workflows/clinic_filing_form.html",
        {
            "section": "apply",
            "form": form,
            "staff": staff,
            "upload": upload,
            "institution": institution,
            "problems": error_summary(form, staff, upload),
        },
    )


@login_required
def case_resubmit(request, case_no):
    with refusals_as_pages(request):
        case = services.case_for(request.user, case_no)
    if not scoping.acts_for(request.user, case.institution) or case.procedure != Procedure.CLINIC_FILING:
        raise Http404()
    if case.state != CaseState.RETURNED:
        messages.error(request, "该办件当前不需要补正。")
        return redirect("workflows:case_detail", case_no=case.case_no)
    filing = case.clinic_filing
    form, staff, upload = _filing_forms(
        request,
        case=case,
        initial={
            **{name: getattr(filing, name) for name in ClinicFilingForm.FIELDS},
            "attachments": list(case.attachments.all()),
        },
        staff_initial=list(filing.staff.values("name", "id_number", "role", "licence_no")),
    )
    if request.method == "POST":
        form, done = _save_filing(
            request,
            form,
            staff,
            upload,
            lambda **kwargs: services.resubmit_clinic_filing(user=request.user, case_no=case.case_no, **kwargs),
        )
        if done is not None:
            messages.success(request, "补正材料已提交，办件已退回原审核环节。")
            return redirect("workflows:case_detail", case_no=case.case_no)
    return render(
        request,
        "workflows/clinic_filing_form.html",
        {
            "section": "cases",
            "form": form,
            "staff": staff,
            "upload": upload,
            "institution": case.institution,
            "case": case,
            "returned_by": selectors.latest_return(case),
            "problems": error_summary(form, staff, upload),
        },
    )


@login_required
@require_POST
def case_withdraw(request, case_no):
    return case_action(
        request, case_no, lambda: services.withdraw_case(user=request.user, case_no=case_no), "办件已撤回。"
    )


@login_required
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
