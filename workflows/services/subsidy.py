"""Subsidies: applying (with the quote), resubmitting, objecting during 公示, ending notices, budgets, the policy table."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.status import STATUS

from audit.services import record
from common.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleViolation
from common.formatting import money
from common.validators import validate_plain_text
from institutions.models import Department, Institution
from permissions.grants import grants_for
from permissions.roles import HEAD_DEPARTMENT, Role

from .. import scoping
from ..models import Attachment, Budget, Case, CaseState, CaseTask, SubsidyApplication, SubsidyObjection, SubsidyPolicy
from ..models.subsidy import EFFECTIVE_AFTER_PUBLICATION, OncePer, Rule
from ..subsidy import CODE, SubsidyFlow, budget_figures, competent_department
from ..timers import register_timer
from .attachments import bind_attachments
from .cases import applicant_institution, case_for, open_supplement_task
from .subsidy_quote import Quote, needs, quote
from .tasks import finish_party_task, locked_activation

OBJECTION_MAX_LENGTH = 1000


def quote_for(*, user, body: object, day: date | None = None) -> Quote:
    """What the applicant sees before submitting: eligibility, the amount and the reasons. Changes nothing."""
    institution = applicant_institution(user)
    if institution is None:
        raise Forbidden(_("只有机构经办人可以申请补助。"))
    if not isinstance(body, dict):
        raise InvalidInput(_("请求体应为 JSON 对象。"))
    return quote(institution=institution, body=body, day=day or timezone.localdate())


def _not_eligible(result: Quote) -> RuleViolation:
    return RuleViolation(
        _("不符合%(name)s的申请条件：%(reasons)s") % {"name": result.policy.name, "reasons": "；".join(result.reasons)},
        code="not_eligible",
    )


def submit_subsidy(*, user, body: object, attachments: list[Attachment]) -> Case:
    """Apply for a subsidy: judged by the policy in force today; the amount is computed, never typed.

    Refused when not eligible (422, each reason with its numbers), when the thing was
    already applied for or granted (409 — also when two submissions race: the claim's
    unique index lets one of them in), or without the papers its facts need.
    """
    result = quote_for(user=user, body=body)
    institution = applicant_institution(user)
    assert institution is not None
    if "attachments" in needs(result.policy) and not attachments:
        raise InvalidInput(fields={"attachments": [_("请上传证明材料（如付款凭证、学历证书、劳动合同等）。")]})
    if not result.eligible:
        if result.claim_key and any("不能重复申请" in reason for reason in result.reasons):
            raise Conflict(result.reasons[-1], code="duplicate_application")
        raise _not_eligible(result)
    try:
        with transaction.atomic():

            def record_application(case: Case) -> None:
                _write_application(case, result, institution)
                bind_attachments(case, attachments)

            case = SubsidyFlow.submit.run(
                applicant=user, institution=institution, record_application=record_application
            )
            record(
                action="case_submitted",
                actor=user,
                case_no=case.case_no,
                detail={
                    "procedure": CODE,
                    "kind": result.policy.code,
                    "version": result.policy.version,
                    "amount": result.amount,
                },
            )
    except IntegrityError:
        raise Conflict(_("已有同一事项的补助申请，不能重复申请。"), code="duplicate_application") from None
    return case


def _write_application(case: Case, result: Quote, institution: Institution) -> None:
    assert result.amount is not None
    SubsidyApplication.objects.create(
        case=case,
        policy=result.policy,
        kind=result.policy.code,
        inputs=result.inputs,
        quantity=result.quantity,
        amount=result.amount,
        agreement=result.agreement,
        agreement_year=result.agreement_year,
        person_name=result.person_name,
        person_id_number=result.person_id_number,
        competent_department=competent_department(institution),
        claim_key=result.claim_key,
    )


def resubmit_subsidy(*, user, case_no: str, body: object, attachments: list[Attachment]) -> Case:
    """The applicant supplements a returned application; the amount is computed again from the same policy version."""
    case = case_for(user, case_no)
    if case.procedure != CODE:
        raise NotFound()
    if not scoping.acts_for(user, case.institution):
        raise Forbidden(_("只有申请机构的经办人可以补正。"))
    task = open_supplement_task(case)
    if task is None or case.state != CaseState.RETURNED:
        raise Conflict(_("该办件当前不需要补正。"), code="not_returned")
    application = case.subsidy
    merged = {**application.inputs, **(body if isinstance(body, dict) else {}), "kind": application.kind}
    result = quote(institution=case.institution, body=merged, day=timezone.localdate(case.submitted_at))
    result.reasons = [r for r in result.reasons if "不能重复申请" not in r]  # its own claim
    if not result.eligible:
        raise _not_eligible(result)
    with locked_activation(task) as activation:
        if not activation.task.is_open:
            raise Conflict(_("该办件已补正，请勿重复提交。"), code="task_closed")
        changed = sorted(k for k, v in result.inputs.items() if application.inputs.get(k) != v)
        SubsidyApplication.objects.filter(pk=case.pk).update(
            inputs=result.inputs,
            quantity=result.quantity,
            amount=result.amount,
            person_name=result.person_name,
            person_id_number=result.person_id_number,
        )
        Case.objects.filter(pk=case.pk).update(amount=result.amount)
        bind_attachments(case, attachments)
        finish_party_task(activation, user)
        record(action="case_resubmitted", actor=user, case_no=case.case_no, detail={"changed": changed})
    case.refresh_from_db()
    return case


# --- 公示 --------------------------------------------------------------------------------------------


def notice_task(case: Case) -> CaseTask | None:
    """The open 公示 step of a case, if it is on notice now."""
    return case.task_set.filter(flow_task=SubsidyFlow.public_notice, status=STATUS.NEW).first()


def on_notice() -> QuerySet:
    """The subsidies on public notice now (for the public page and the API): no personal data leaves here."""
    return (
        Case.objects.filter(procedure=CODE, state=CaseState.PUBLIC_NOTICE)
        .select_related("institution", "subsidy__policy")
        .order_by("subsidy__notice_ends_on", "id")
    )


def lodge_objection(*, user, case_no: str, text: object) -> SubsidyObjection:
    """Any signed-in user objects to a subsidy on 公示: the case goes back to the competent bureau.

    A case on notice is public, so anyone may object to it; a case not on notice that
    the user cannot see is "not found", and one it can see is a conflict (409).
    """
    case = Case.objects.filter(case_no=str(case_no), procedure=CODE).first()
    if case is None or (
        case.state != CaseState.PUBLIC_NOTICE and not scoping.visible_cases(user).filter(pk=case.pk).exists()
    ):
        raise NotFound()
    body = text.strip() if isinstance(text, str) else ""
    if not body or len(body) > OBJECTION_MAX_LENGTH:
        raise InvalidInput(
            fields={"text": [_("请写明异议的事实和理由（%(n)d字以内）。") % {"n": OBJECTION_MAX_LENGTH}]}
        )
    try:
        validate_plain_text(body)
    except Exception:
        raise InvalidInput(fields={"text": [_("不得包含HTML标签或控制字符。")]}) from None
    task = notice_task(case)
    if task is None:
        raise Conflict(_("该补助不在公示期内，不能提出异议。"), code="not_on_notice")
    with transaction.atomic():
        ends_on = case.subsidy.notice_ends_on
        assert ends_on is not None  # set when the notice began (workflows/subsidy.py)
        try:
            SubsidyFlow.public_notice.run(task, objected=True)
        except Exception as error:  # the notice ended meanwhile (the timer, or another objection)
            if notice_task(case) is None:
                raise Conflict(_("该补助不在公示期内，不能提出异议。"), code="not_on_notice") from error
            raise
        objection = SubsidyObjection.objects.create(case=case, text=body, lodged_by=user, notice_ends_on=ends_on)
        record(
            action="objection_lodged",
            actor=user,
            case_no=case.case_no,
            detail={"objection": objection.pk, "text": body, "notice_ends_on": ends_on},
        )
    return objection


@dataclass
class NoticeReport:
    ended: int = 0


def end_due_notices(now: datetime | None = None) -> dict[str, int]:
    """The timer: every notice whose last working day has passed moves on to 财政局, once.

    Run by run_due_timers (every minute, or with --now); a notice that an objection or
    another run ended first is skipped, so running it twice changes nothing more.
    """
    today = timezone.localdate(now) if now else timezone.localdate()
    ended = 0
    due = CaseTask.objects.filter(
        flow_task=SubsidyFlow.public_notice, status=STATUS.NEW, process__subsidy__notice_ends_on__lt=today
    ).values_list("pk", flat=True)
    for task_id in list(due):
        with transaction.atomic():
            task = CaseTask.objects.select_related("process").get(pk=task_id)
            if task.status != STATUS.NEW:
                continue
            try:
                with transaction.atomic():  # a failed run leaves nothing behind (workflows/automatic_nodes.py)
                    SubsidyFlow.public_notice.run(task, objected=False)
            except Exception:
                task.refresh_from_db()
                if task.status != STATUS.NEW:
                    continue  # ended meanwhile
                raise
            ended += 1
    return {"notices_ended": ended}


# --- budgets -----------------------------------------------------------------------------------------


@dataclass
class BudgetLine:
    year: int
    kind: str
    name: str
    total: Decimal
    committed: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.total - self.committed


def may_read_budgets(user) -> bool:
    return bool(user.roles & {Role.FINANCE_REVIEWER, Role.ADMIN, Role.AUDITOR}) or _heads_finance(user)


def _heads_finance(user) -> bool:
    finance = Department.objects.filter(code=Department.Code.FINANCE).values_list("pk", flat=True).first()
    return finance is not None and str(finance) in grants_for(user).of(HEAD_DEPARTMENT)


def may_set_budgets(user) -> bool:
    """财政局's head (or an administrator) sets budgets; reviewers read them."""
    return Role.ADMIN in user.roles or _heads_finance(user)


def budget_lines(*, year: int) -> list[BudgetLine]:
    """Every kind's budget of the year (kinds with applications but no budget show a total of 0)."""
    names = dict(SubsidyPolicy.objects.order_by("code", "version").values_list("code", "name"))
    kinds = set(Budget.objects.filter(year=year).values_list("kind", flat=True)) | set(
        SubsidyApplication.objects.filter(budget_year=year).values_list("kind", flat=True)
    )
    lines = []
    for kind in sorted(kinds):
        total, committed = budget_figures(year=year, kind=kind)
        lines.append(BudgetLine(year=year, kind=kind, name=names.get(kind, kind), total=total, committed=committed))
    return lines


def set_budget(*, user, year: object, kind: object, total: object) -> BudgetLine:
    """Set a year's budget of a kind; it may be raised, never lowered below what is already committed (422)."""
    if not may_set_budgets(user):
        raise Forbidden(_("只有财政局负责人或系统管理员可以设置预算。"))
    errors: dict[str, list[str]] = {}
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors["year"] = [_("应为2000至2100之间的年份。")]
    if not isinstance(kind, str) or not SubsidyPolicy.objects.filter(code=kind).exists():
        errors["kind"] = [_("未知的补助类型。")]
    amount = _money(total)
    if amount is None:
        errors["total"] = [_("应为不小于零、最多两位小数的金额，如 500000.00。")]
    if errors:
        raise InvalidInput(fields=errors)
    assert isinstance(year, int) and isinstance(kind, str) and amount is not None
    with transaction.atomic():
        budget = Budget.objects.select_for_update().filter(year=year, kind=kind).first()
        before = budget.total if budget else None
        _total, committed = budget_figures(year=year, kind=kind)
        if amount < committed:
            raise RuleViolation(_("预算不能低于已核定的%(c)s。") % {"c": money(committed)}, code="below_committed")
        Budget.objects.update_or_create(year=year, kind=kind, defaults={"total": amount})
        record(
            action="budget_set",
            actor=user,
            detail={"year": year, "kind": kind, "before": before, "after": amount},
        )
    return next(line for line in budget_lines(year=year) if line.kind == kind)


def _money(value: object) -> Decimal | None:
    try:
        amount = Decimal(str(value)) if isinstance(value, str | int) and not isinstance(value, bool) else None
    except InvalidOperation:
        return None
    if amount is None or not amount.is_finite() or amount < 0 or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        return None
    return amount.quantize(Decimal("0.01")) if amount <= Decimal("100000000000") else None


def payments(*, year: int) -> QuerySet:
    """The subsidies 财政局 approved in a year, with their payment dates and vouchers."""
    return (
        SubsidyApplication.objects.filter(budget_year=year)
        .select_related("case__institution", "policy")
        .order_by("-paid_on", "-case_id")
    )


# --- the policy table ----------------------------------------------------------------------------------


POLICY_ELIGIBILITY_KEYS = {
    "institution_kind": str,
    "ownership": str,
    "models": list,
    "min_beds": int,
    "min_years_operating": int,
    "opened_on_or_after_effective": bool,
    "requires_active_agreement": bool,
    "exclude_establishment": bool,
}


def validate_policy(data: dict) -> dict[str, list[str]]:
    """The field errors of a policy as the API or the admin states it (its shape is API.md's)."""
    errors: dict[str, list[str]] = {}
    rule, params = data.get("rule"), data.get("params")
    if rule not in Rule.values:
        errors["rule"] = [_("应为 per_unit、share_of_payment、by_tier 或 fixed。")]
    if not isinstance(params, dict):
        errors["params"] = [_("应为对象。")]
        params = {}
    elif rule == Rule.PER_UNIT:
        if _money(params.get("amount_per_unit")) in (None, Decimal("0.00")):
            errors["params"] = [_('amount_per_unit 应为大于零的金额（字符串），如 "5000.00"。')]
        elif params.get("quantity_from") not in ("beds", "applicant"):
            errors["params"] = [_("quantity_from 应为 beds 或 applicant。")]
    elif rule == Rule.SHARE_OF_PAYMENT:
        rate = _money(params.get("rate"))
        if rate is None or not Decimal("0") < rate <= Decimal("1"):
            errors["params"] = [_('rate 应为0至1之间的比例（字符串），如 "0.50"。')]
    elif rule == Rule.BY_TIER:
        tiers = params.get("tiers")
        if not isinstance(params.get("field"), str) or not isinstance(tiers, dict) or not tiers:
            errors["params"] = [_("by_tier 需要 field 和 tiers（档次 → 金额）。")]
        elif any(_money(v) in (None, Decimal("0.00")) for v in tiers.values()):
            errors["params"] = [_("每一档的金额应为大于零的金额（字符串）。")]
    elif rule == Rule.FIXED and _money(params.get("amount")) in (None, Decimal("0.00")):
        errors["params"] = [_("amount 应为大于零的金额（字符串）。")]
    eligibility = data.get("eligibility") or {}
    if not isinstance(eligibility, dict) or any(
        key not in POLICY_ELIGIBILITY_KEYS or not isinstance(value, POLICY_ELIGIBILITY_KEYS[key])
        for key, value in eligibility.items()
    ):
        errors["eligibility"] = [_("可用条件：%(k)s，值的类型须正确。") % {"k": "、".join(POLICY_ELIGIBILITY_KEYS)}]
    if data.get("once_per") not in (None, "", *OncePer.values):
        errors["once_per"] = [_("应为 institution、institution_year、agreement_year、person 或 null。")]
    return errors


def add_policy(*, user, data: object) -> SubsidyPolicy:
    """An administrator adds a kind, or a new version of one (never edits a version in use)."""
    if Role.ADMIN not in user.roles:
        raise Forbidden(_("只有系统管理员可以维护补助政策。"))
    if not isinstance(data, dict):
        raise InvalidInput(_("请求体应为 JSON 对象。"))
    errors = validate_policy(data)
    code, name, source = data.get("code"), data.get("name"), data.get("source")
    if not isinstance(code, str) or not code.replace("_", "").isalnum() or not code.isascii() or len(code) > 40:
        errors["code"] = [_("应为英文字母、数字和下划线组成的代码。")]
    for field, value, length in (("name", name, 60), ("source", source, 200)):
        if not isinstance(value, str) or not value.strip() or len(value) > length:
            errors[field] = [_("请填写（%(n)d字以内）。") % {"n": length}]
    published = _day(data.get("published_on"))
    if published is None:
        errors["published_on"] = [_("日期格式应为 YYYY-MM-DD。")]
    effective = (
        _day(data["effective_on"])
        if data.get("effective_on")
        else (published + EFFECTIVE_AFTER_PUBLICATION if published else None)
    )
    if data.get("effective_on") and effective is None:
        errors["effective_on"] = [_("日期格式应为 YYYY-MM-DD。")]
    elif published and effective and effective < published:
        errors["effective_on"] = [_("施行日期不得早于发布日期。")]
    if errors or not isinstance(code, str) or published is None or effective is None:
        raise InvalidInput(fields=errors)
    with transaction.atomic():
        latest = SubsidyPolicy.objects.select_for_update().filter(code=code).order_by("-version").first()
        policy = SubsidyPolicy.objects.create(
            code=code,
            name=str(name).strip(),
            version=(latest.version + 1) if latest else 1,
            source=str(source).strip(),
            published_on=published,
            effective_on=effective,
            rule=data["rule"],
            params=data["params"],
            eligibility=data.get("eligibility") or {},
            once_per=data.get("once_per") or "",
            created_by=user,
        )
        record(action="policy_added", actor=user, detail={"code": code, "version": policy.version})
    return policy


def _day(value: object) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        return None


__all__ = [
    "add_policy",
    "budget_lines",
    "end_due_notices",
    "lodge_objection",
    "may_read_budgets",
    "may_set_budgets",
    "on_notice",
    "payments",
    "quote_for",
    "resubmit_subsidy",
    "set_budget",
    "submit_subsidy",
]


# Every minute (run_due_timers, the beat): notices whose five working days have run move on to 财政局.
register_timer("subsidy_notice_end", end_due_notices)
