"""Cooperation agreement pages (医养合作协议): drafting and revising, confirming, renewing, terminating, the registry, and its part of the case page."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from forms.cooperation import CooperationForm
from institutions.models import Institution, Township
from workflows import scoping, selectors, services
from workflows.cooperation import CODE
from workflows.models import CaseState
from workflows.models.cooperation import IN_FORCE_STATES, REMIND_DAYS_BEFORE_END
from workflows.nodes import ConfirmStep, Supplement
from workflows.services import cooperation as agreements

from .common import NavItem, case_action, error_summary, refusals_as_pages, refusals_on_form

REGISTRY_STATES = (CaseState.ACTIVE, CaseState.APPROVED, CaseState.EXPIRED, CaseState.TERMINATED)
# The registry's state filter; by default it lists what is in force and what is about to be.
REGISTRY_FILTERS = {
    "in_force": ("生效中及待生效", IN_FORCE_STATES),
    CaseState.ACTIVE.value: ("生效中", (CaseState.ACTIVE,)),
    CaseState.APPROVED.value: ("待生效", (CaseState.APPROVED,)),
    CaseState.EXPIRED.value: ("已到期", (CaseState.EXPIRED,)),
    CaseState.TERMINATED.value: ("已终止", (CaseState.TERMINATED,)),
    "all": ("全部", REGISTRY_STATES),
}


def _form(request, *, initial=None, lock_parties=False):
    """The terms form, its party choices narrowed to the user's own institution and possible partners."""
    form = CooperationForm(request.POST if request.method == "POST" else None, initial=initial)
    own = request.user.institution
    for name, kind in (
        ("elderly_care_institution", Institution.Kind.ELDERLY_CARE),
        ("medical_institution", Institution.Kind.MEDICAL),
    ):
        field = form.fields[name]
        if lock_parties:
            field.queryset = field.queryset.filter(pk=(initial or {}).get(name).pk)
        elif own is not None and own.kind == kind:
            field.queryset = field.queryset.filter(pk=own.pk)
        else:
            field.queryset = field.queryset.filter(kind=kind)
    return form


def _submit(request, form, call):
    """Validate the form and call the service; a service refusal shows on the form."""
    if not form.is_valid():
        return None
    with refusals_on_form(form):
        return call({name: form.cleaned_data[name] for name in CooperationForm.FIELDS})
    return None


@login_required
def cooperation_new(request):
    own = request.user.institution
    if own is None or not scoping.acts_for(request.user, own):
        raise Http404()
    today = timezone.localdate()
    initial = {"start_date": today, "end_date": today + timedelta(days=364), "visits_per_week": 1}
    initial["elderly_care_institution" if own.kind == Institution.Kind.ELDERLY_CARE else "medical_institution"] = own
    form = _form(request, initial=initial)
    if request.method == "POST":
        case = _submit(request, form, lambda terms: agreements.draft_cooperation(user=request.user, terms=terms))
        if case is not None:
            messages.success(request, f"协议草案已提交，等待对方机构确认。办件编号 {case.case_no}。")
            return redirect("workflows:case_detail", case_no=case.case_no)
    return render(
        request,
        "workflows/cooperation_form.html",
        {"section": "agreements", "form": form, "heading": "起草医养合作协议", "problems": error_summary(form)},
    )


def _terms(agreement) -> dict:
    return {name: getattr(agreement, name) for name in agreements.TERM_FIELDS}


@login_required
def cooperation_revise(request, case_no):
    """The drafter changes the terms (after a request for changes or a bureau's return)."""
    with refusals_as_pages(request):
        case = services.case_for(request.user, case_no)
    if case.procedure != CODE or not scoping.acts_for(request.user, case.institution):
        raise Http404()
    form = _form(request, initial=_terms(case.cooperation), lock_parties=True)
    if request.method == "POST":
        done = _submit(
            request,
            form,
            lambda terms: agreements.resubmit_cooperation(user=request.user, case_no=case.case_no, terms=terms),
        )
        if done is not None:
            messages.success(request, "修改已提交。")
            return redirect("workflows:case_detail", case_no=case.case_no)
    return render(
        request,
        "workflows/cooperation_form.html",
        {
            "section": "agreements",
            "form": form,
            "case": case,
            "returned_by": selectors.latest_return(case),
            "heading": f"修改协议 · {case.case_no}",
            "problems": error_summary(form),
        },
    )


@login_required
def cooperation_renew(request, case_no):
    with refusals_as_pages(request):
        old = services.case_for(request.user, case_no)
    if old.procedure != CODE:
        raise Http404()
    if not (
        scoping.acts_for(request.user, old.cooperation.elderly_care_institution)
        or scoping.acts_for(request.user, old.cooperation.medical_institution)
    ):
        raise PermissionDenied("只有协议双方可以续签。")
    form = _form(request, initial=agreements.renewal_terms(old), lock_parties=True)
    if request.method == "POST":
        case = _submit(
            request,
            form,
            lambda terms: agreements.renew_cooperation(user=request.user, case_no=old.case_no, terms=terms),
        )
        if case is not None:
            messages.success(request, f"续签协议已提交，等待对方机构确认。办件编号 {case.case_no}。")
            return redirect("workflows:case_detail", case_no=case.case_no)
    return render(
        request,
        "workflows/cooperation_form.html",
        {
            "section": "agreements",
            "form": form,
            "case": old,
            "heading": f"续签协议 · {old.case_no}",
            "problems": error_summary(form),
        },
    )


@login_required
@require_POST
def cooperation_confirm(request, case_no):
    return case_action(
        request,
        case_no,
        lambda: agreements.confirm_cooperation(user=request.user, case_no=case_no),
        "已确认协议，办件已提交属地审核。",
    )


def _with_text(request, case_no, service, field: str, success: str):
    """A POSTed action whose only input is one text field (a comment, a reason)."""
    text = request.POST.get(field, "")
    return case_action(request, case_no, lambda: service(user=request.user, case_no=case_no, **{field: text}), success)


@login_required
@require_POST
def cooperation_request_changes(request, case_no):
    return _with_text(request, case_no, agreements.request_cooperation_changes, "comment", "修改意见已发送给起草方。")


@login_required
@require_POST
def cooperation_terminate(request, case_no):
    return _with_text(request, case_no, agreements.terminate_cooperation, "reason", "协议已终止，终止通知书正在签发。")


@login_required
def registry(request):
    """合作协议登记: the agreements in force (and ended ones) the user may see, with filters."""
    cases = (
        scoping.visible_cases(request.user)
        .filter(procedure=CODE, state__in=REGISTRY_STATES)
        .select_related("cooperation__elderly_care_institution", "cooperation__medical_institution")
        .order_by("cooperation__end_date", "id")
    )
    filters = {
        "state": request.GET.get("state", "in_force"),
        "township": request.GET.get("township", ""),
        "q": request.GET.get("q", "").strip()[:40],
        "expiring": request.GET.get("expiring", ""),
    }
    if filters["state"] not in REGISTRY_FILTERS:
        filters["state"] = "in_force"
    cases = cases.filter(state__in=REGISTRY_FILTERS[filters["state"]][1])
    if filters["township"]:
        cases = cases.filter(township__code=filters["township"])
    if filters["q"]:
        cases = cases.filter(
            Q(cooperation__elderly_care_institution__name__icontains=filters["q"])
            | Q(cooperation__medical_institution__name__icontains=filters["q"])
        )
    if filters["expiring"]:
        horizon = timezone.localdate() + timedelta(days=REMIND_DAYS_BEFORE_END)
        cases = cases.filter(cooperation__end_date__lte=horizon)
    page = Paginator(cases, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "workflows/registry.html",
        {
            "section": "agreements",
            "page": page,
            "filters": filters,
            "expiring_days": REMIND_DAYS_BEFORE_END,
            "states": [(value, label) for value, (label, _states) in REGISTRY_FILTERS.items()],
            "townships": Township.objects.all(),
            "can_draft": request.user.institution is not None
            and scoping.acts_for(request.user, request.user.institution),
        },
    )


def case_page(request, case, steps) -> dict:
    """What a party may do on an agreement's page (the services re-check every one)."""
    user = request.user
    agreement = case.cooperation
    party = scoping.acts_for(user, agreement.elderly_care_institution) or scoping.acts_for(
        user, agreement.medical_institution
    )
    my_steps = [t for t in steps if t.is_open and scoping.holds(user, t)]
    revising = any(isinstance(t.flow_task, Supplement) for t in my_steps)
    return {
        "panel_template": "workflows/cooperation_panel.html",
        "awaiting_my_confirmation": any(isinstance(t.flow_task, ConfirmStep) for t in my_steps),
        "awaiting_revision": revising,
        "resubmit_url": reverse("workflows:cooperation_revise", args=[case.case_no]) if revising else "",
        "resubmit_label": "修改协议" if case.state == CaseState.DRAFT else "补正材料并重新提交",
        "can_terminate": party and case.state in IN_FORCE_STATES,
        "can_renew": party and case.state in (*IN_FORCE_STATES, CaseState.EXPIRED),
    }


def nav_items(user) -> list[NavItem]:
    return [NavItem("合作协议", reverse("workflows:registry"), "agreements")]


urlpatterns = [
    path("cases/new/cooperation/", cooperation_new, name="cooperation_new"),
    path("agreements/", registry, name="registry"),
    path("cases/<str:case_no>/revise/", cooperation_revise, name="cooperation_revise"),
    path("cases/<str:case_no>/renew/", cooperation_renew, name="cooperation_renew"),
    path("cases/<str:case_no>/confirm/", cooperation_confirm, name="cooperation_confirm"),
    path("cases/<str:case_no>/request-changes/", cooperation_request_changes, name="cooperation_request_changes"),
    path("cases/<str:case_no>/terminate/", cooperation_terminate, name="cooperation_terminate"),
]
