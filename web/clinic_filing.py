"""Clinic-filing pages (内设医疗机构备案): the application and supplement forms, and its part of the case page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse

from forms.attachments import UploadForm
from forms.clinic_filing import ClinicFilingForm, StaffFormSet
from workflows import scoping, selectors, services
from workflows.clinic_filing import CODE
from workflows.models import CaseState
from workflows.services.cases import applicant_institution

from .common import NavItem, error_summary, refusals_as_pages, refusals_on_form


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
    if not scoping.acts_for(request.user, case.institution) or case.procedure != CODE:
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


def case_page(request, case, steps) -> dict:
    """The filing's attachments, and the way back to the form after a return."""
    may_resubmit = case.state == CaseState.RETURNED and scoping.acts_for(request.user, case.institution)
    return {
        "panel_template": "workflows/clinic_filing_panel.html",
        "attachments": case.attachments.all(),
        "resubmit_url": reverse("workflows:case_resubmit", args=[case.case_no]) if may_resubmit else "",
    }


def nav_items(user) -> list[NavItem]:
    institution = applicant_institution(user)
    if institution is None or institution.kind != "elderly_care":
        return []
    return [NavItem("申请备案", reverse("workflows:clinic_filing_new"), "apply")]


urlpatterns = [
    path("cases/new/clinic-filing/", clinic_filing_new, name="clinic_filing_new"),
    path("cases/<str:case_no>/resubmit/", case_resubmit, name="case_resubmit"),
]
