"""Subsidy pages (医养结合资金补助): applying with a quote first, 公示 and objections, 财政局's desk, its part of case and task pages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from common.formatting import chinese_date
from forms.attachments import UploadForm
from forms.subsidy import BudgetForm, ObjectionForm, PaymentForm, SubsidyForm
from workflows import scoping, selectors, services
from workflows.models import CaseState, SubsidyPolicy
from workflows.services import subsidy as subsidies
from workflows.services.cases import applicant_institution
from workflows.services.subsidy_quote import (
    KIND_LABELS,
    MODEL_LABELS,
    OWNERSHIP_LABELS,
    kinds_in_force,
    needs,
    policy_in_force,
)
from workflows.subsidy import CODE, SubsidyFlow, budget_figures, surname_only

from .common import NavItem, error_summary, refusals_as_pages, refusals_on_form


@login_required
def subsidy_kinds(request):
    """The kinds in force today, each with its standard and conditions, to choose from."""
    if applicant_institution(request.user) is None:
        raise Http404()
    kinds = [(policy, conditions(policy)) for policy in kinds_in_force(timezone.localdate())]
    return render(request, "workflows/subsidy_kinds.html", {"section": "subsidy", "kinds": kinds})


def conditions(policy: SubsidyPolicy) -> list[str]:
    """A kind's conditions in words, so an applicant sees before choosing which kinds are theirs (the quote checks them)."""
    rules = policy.eligibility
    said = []
    models = "或".join(str(MODEL_LABELS.get(m, m)) for m in rules.get("models") or [])
    kind = KIND_LABELS.get(rules.get("institution_kind", ""), "")
    ownership = OWNERSHIP_LABELS.get(rules.get("ownership", ""), "")
    if models or kind or ownership:
        said.append(f"{models}{'的' if models and (kind or ownership) else ''}{ownership}{kind or '机构'}")
    if rules.get("min_beds"):
        said.append(f"床位{rules['min_beds']}张以上")
    if rules.get("min_years_operating"):
        said.append(f"开业满{rules['min_years_operating']}年")
    if rules.get("opened_on_or_after_effective"):
        said.append(f"政策施行（{chinese_date(policy.effective_on)}）后新开设")
    if rules.get("requires_active_agreement"):
        said.append("有生效中的医养合作协议")
    if rules.get("exclude_establishment"):
        said.append("非在编人员")
    if policy.once_per:
        said.append(policy.get_once_per_display())
    return said


def _forms(request, policy, institution, case=None, initial=None):
    choices = services.attachable(request.user, case)
    if request.method == "POST":
        return (
            SubsidyForm(request.POST, policy=policy, institution=institution, attachment_choices=choices),
            UploadForm(request.POST, request.FILES),
        )
    return SubsidyForm(
        initial=initial, policy=policy, institution=institution, attachment_choices=choices
    ), UploadForm()


def _kept_attachments(request, form, upload) -> list:
    """Uploads are stored at once (a refused submission must not lose them) and added to the chosen ones."""
    chosen = list(form.cleaned_data.get("attachments") or []) if form.is_valid() else []
    if upload.is_valid() and upload.cleaned_data["files"]:
        chosen += services.store_attachments(user=request.user, files=upload.cleaned_data["files"])
    return chosen


@login_required
def subsidy_apply(request, kind):
    """One kind's application: 试算 shows the amount and every unmet condition; 提交申请 submits it."""
    institution = applicant_institution(request.user)
    policy = policy_in_force(kind, timezone.localdate()) if institution else None
    if policy is None:
        raise Http404()
    form, upload = _forms(request, policy, institution)
    result = None
    if request.method == "POST" and form.is_valid() and upload.is_valid():
        attachments = _kept_attachments(request, form, upload)
        with refusals_on_form(form):
            if request.POST.get("action") == "submit":
                case = subsidies.submit_subsidy(user=request.user, body=form.body(), attachments=attachments)
                messages.success(request, f"补助申请已提交，办件编号 {case.case_no}。")
                return redirect("workflows:case_detail", case_no=case.case_no)
            result = subsidies.quote_for(user=request.user, body=form.body())
    return render(
        request,
        "workflows/subsidy_form.html",
        {
            "section": "subsidy",
            "policy": policy,
            "form": form,
            "upload": upload,
            "quote": result,
            "institution": institution,
            "needs_papers": "attachments" in needs(policy),
            "problems": error_summary(form, upload),
        },
    )


@login_required
def subsidy_resubmit(request, case_no):
    with refusals_as_pages(request):
        case = services.case_for(request.user, case_no)
    if case.procedure != CODE or not scoping.acts_for(request.user, case.institution):
        raise Http404()
    if case.state != CaseState.RETURNED:
        messages.error(request, "该办件当前不需要补正。")
        return redirect("workflows:case_detail", case_no=case.case_no)
    application = case.subsidy
    form, upload = _forms(request, application.policy, case.institution, case, initial=application.inputs)
    if request.method == "POST" and form.is_valid() and upload.is_valid():
        attachments = _kept_attachments(request, form, upload)
        with refusals_on_form(form):
            subsidies.resubmit_subsidy(
                user=request.user, case_no=case.case_no, body=form.body(), attachments=attachments
            )
            messages.success(request, "补正材料已提交，办件已退回原审核环节。")
            return redirect("workflows:case_detail", case_no=case.case_no)
    return render(
        request,
        "workflows/subsidy_form.html",
        {
            "section": "cases",
            "policy": application.policy,
            "form": form,
            "upload": upload,
            "case": case,
            "institution": case.institution,
            "returned_by": selectors.latest_return(case),
            "problems": error_summary(form, upload),
        },
    )


# --- 公示: public, no login -----------------------------------------------------------------------


@require_safe
def notices(request):
    """The subsidies on public notice now: institution, kind, amount, period, how to object — no personal data."""
    rows = [notice_row(case) for case in subsidies.on_notice()]
    return render(request, "workflows/notices.html", {"section": "notices", "rows": rows})


def notice_row(case) -> dict:
    return {
        "case_no": case.case_no,
        "institution": case.institution.name,
        "kind_name": case.subsidy.policy.name,
        "person": surname_only(case.subsidy.person_name),
        "amount": case.subsidy.amount,
        "starts_on": case.subsidy.notice_starts_on,
        "ends_on": case.subsidy.notice_ends_on,
    }


@login_required
def object_to(request, case_no):
    """Any signed-in user objects to a subsidy on notice (the case goes back to the competent bureau)."""
    form = ObjectionForm(request.POST or None)
    # What is objected to, as the notice shows it (gone if the notice ended meanwhile).
    notice = subsidies.on_notice().filter(case_no=case_no).first()
    if request.method == "POST" and form.is_valid():
        with refusals_on_form(form) as refused:
            subsidies.lodge_objection(user=request.user, case_no=case_no, text=form.cleaned_data["text"])
        if not refused:
            messages.success(request, f"异议已提交，{case_no} 已退回主管部门复核。")
            return redirect("workflows:notices")
    elif notice is None:
        raise Http404()
    return render(
        request,
        "workflows/objection_form.html",
        {
            "section": "notices",
            "form": form,
            "case_no": case_no,
            "notice": notice_row(notice) if notice else None,
            "problems": error_summary(form),
        },
    )


# --- 财政局's desk --------------------------------------------------------------------------------


@login_required
def finance(request):
    """This year's budgets with what was committed and paid, the payments with their vouchers; heads set budgets."""
    user = request.user
    if not subsidies.may_read_budgets(user):
        raise Http404()
    year = timezone.localdate().year
    # Every kind (in force or to come), by its latest name.
    kinds = list({p.code: p.name for p in SubsidyPolicy.objects.order_by("code", "version")}.items())
    form = BudgetForm(request.POST or None, kinds=kinds) if subsidies.may_set_budgets(user) else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("只有财政局负责人或系统管理员可以设置预算。")
        if form.is_valid():
            with refusals_on_form(form) as refused:
                subsidies.set_budget(
                    user=user, year=year, kind=form.cleaned_data["kind"], total=str(form.cleaned_data["total"])
                )
            if not refused:
                messages.success(request, "预算已更新。")
                return redirect("workflows:finance")
    return render(
        request,
        "workflows/finance.html",
        {
            "section": "finance",
            "year": year,
            "lines": subsidies.budget_lines(year=year),
            "payments": subsidies.payments(year=year)[:200],
            "form": form,
            "problems": error_summary(form) if form else [],
        },
    )


# --- its part of the shared pages -------------------------------------------------------------------


def case_page(request, case, steps) -> dict:
    """The objections lodged, the way to object while on notice, and the way back to the form after a return."""
    may_resubmit = case.state == CaseState.RETURNED and scoping.acts_for(request.user, case.institution)
    return {
        "panel_template": "workflows/subsidy_panel.html",
        "objections": case.subsidy_objections.all(),
        "on_notice": case.state == CaseState.PUBLIC_NOTICE,
        "attachments": case.attachments.all(),
        "resubmit_url": reverse("workflows:subsidy_resubmit", args=[case.case_no]) if may_resubmit else "",
    }


def task_page(request, task) -> dict:
    """Beside 财政局's decision: the year's budget of the kind — total, committed, remaining."""
    if task.flow_task != SubsidyFlow.finance_review:
        return {}
    application = task.process.subsidy
    year = timezone.localdate().year
    total, committed = budget_figures(year=year, kind=application.kind)
    return {
        "task_panel_template": "workflows/subsidy_budget_panel.html",
        "budget": {
            "year": year,
            "name": application.policy.name,
            "total": total,
            "committed": committed,
            "remaining": total - committed,
            "amount": application.amount,
            "fits": application.amount <= total - committed,
        },
    }


def step_fields_form(request, task):
    """财政局's approval states the payment (its date and voucher)."""
    if task.flow_task != SubsidyFlow.finance_review:
        return None
    return PaymentForm(request.POST or None)


def nav_items(user) -> list[NavItem]:
    items = []
    if applicant_institution(user) is not None:
        items.append(NavItem("申请补助", reverse("workflows:subsidy_kinds"), "subsidy"))
    if subsidies.may_read_budgets(user):
        items.append(NavItem("补助预算", reverse("workflows:finance"), "finance"))
    items.append(NavItem("补助公示", reverse("workflows:notices"), "notices"))
    return items


urlpatterns = [
    path("cases/new/subsidy/", subsidy_kinds, name="subsidy_kinds"),
    path("cases/new/subsidy/<slug:kind>/", subsidy_apply, name="subsidy_apply"),
    path("cases/<str:case_no>/subsidy-resubmit/", subsidy_resubmit, name="subsidy_resubmit"),
    path("notices/", notices, name="notices"),
    path("notices/<str:case_no>/object/", object_to, name="object_to"),
    path("finance/", finance, name="finance"),
]
