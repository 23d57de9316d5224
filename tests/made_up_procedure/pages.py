"""The made-up procedure's page: its application form."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path

from workflows.services.cases import applicant_institution

from .flows import submit


class InspectionForm(forms.Form):
    subject = forms.CharField(label="检查事项", max_length=100)


@login_required
def apply(request):
    institution = applicant_institution(request.user)
    if institution is None:
        raise Http404()
    form = InspectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        case = submit(user=request.user, institution=institution, subject=form.cleaned_data["subject"])
        return redirect("workflows:case_detail", case_no=case.case_no)
    return render(request, "made_up_procedure/apply.html", {"form": form})


urlpatterns = [path("cases/new/inspection/", apply, name="inspection_new")]
