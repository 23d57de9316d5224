"""医养结合资金补助 — the subsidy application flow (DOMAIN.md procedure 3).

Route: applicant submits (the amount computed from the policy in force that day) →
township 初审 → the competent bureau (卫健局 for medical institutions, 民政局 for
elderly-care ones) checks and confirms the amount → 公示 for 5 working days, during
which any signed-in user may object: the case goes back to the competent bureau, and
its next confirmation starts a new full period → 财政局 approves against the year's
budget for the kind and records the payment (date, voucher number) → the 补助核定通知书,
signed by 财政局 and the competent bureau. Any review step may return the case to the
applicant or reject it.
"""

from datetime import date
from decimal import Decimal

from django.db.models import Sum
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.nodes.handle import HandleActivation

from audit.services import record
from common.errors import InvalidInput, RuleViolation
from common.formatting import chinese_date, money, money_with_words
from common.procedures import Procedure
from common.validators import mask_id_number, validate_plain_text
from documents.kinds import DocumentKind
from documents.services import Wanted, request_documents
from institutions.models import Department

from . import automatic_nodes, units
from .calendar import add_working_days
from .declaration import declare
from .documents import APPROVAL_RECORD, case_context, case_public_rows
from .locking import process_lock
from .models import Budget, Case, CaseState, CaseTask, SubsidyApplication, SubsidyPolicy
from .models.subsidy import NOTICE_WORKING_DAYS
from .nodes import ReviewStep, Supplement
from .numbering import new_case_number
from .outcomes import close_as_rejected, close_case, last_decided
from .signals import case_closed

CODE = "subsidy"

COMPETENT_BUREAU = units.Unit(
    units.REVIEW_DEPARTMENT, lambda case: case.subsidy.competent_department, "competent_bureau"
)


def competent_department(institution) -> Department:
    """卫健局 for a medical institution, 民政局 for an elderly-care one (DOMAIN.md procedure 3)."""
    code = Department.Code.HEALTH if institution.kind == "medical" else Department.Code.CIVIL_AFFAIRS
    return Department.objects.get(code=code)


# --- 公示: a step no one works, ended by the calendar or by an objection --------------------------


class NoticeActivation(HandleActivation):
    """On creation the notice is published: the case reads 公示中 and its period is set."""

    @classmethod
    def create(cls, flow_task, prev_activation, token, data=None, seed=None):
        activation = super().create(flow_task, prev_activation, token, data=data, seed=seed)
        publish_notice(activation.process, today=timezone.localdate())
        return activation


class PublicNotice(flow.Handle):
    """公示: published the day the bureau confirms; its 5 working days are counted from the next day."""

    activation_class = NoticeActivation


def publish_notice(case: Case, *, today: date) -> None:
    application = case.subsidy
    application.notice_starts_on = today
    application.notice_ends_on = add_working_days(today, NOTICE_WORKING_DAYS)
    application.save(update_fields=["notice_starts_on", "notice_ends_on"])
    case.state = CaseState.PUBLIC_NOTICE
    case.save(update_fields=["state"])
    record(
        action="public_notice_started",
        case_no=case.case_no,
        detail={"starts_on": today, "ends_on": application.notice_ends_on},
    )


# --- 财政局: the approval states the payment, within the year's budget -------------------------------


class PaymentFields:
    """财政局's approval records the payment (date, voucher number) and commits the amount to the budget."""

    def clean(self, task: CaseTask, fields: dict) -> dict:
        errors: dict[str, list[str]] = {}
        paid_on = fields.get("paid_on")
        day = None
        if isinstance(paid_on, date):
            day = paid_on
        elif isinstance(paid_on, str) and len(paid_on) == 10:
            try:
                day = date.fromisoformat(paid_on)
            except ValueError:
                day = None
        if day is None:
            errors["fields.paid_on"] = [_("请填写拨付日期（YYYY-MM-DD）。")]
        elif day > timezone.localdate():
            errors["fields.paid_on"] = [_("拨付日期不得晚于今天。")]
        voucher = fields.get("voucher_no")
        voucher = voucher.strip() if isinstance(voucher, str) else ""
        if not voucher or len(voucher) > 40:
            errors["fields.voucher_no"] = [_("请填写凭证号（40字以内）。")]
        else:
            try:
                validate_plain_text(voucher)
            except Exception:
                errors["fields.voucher_no"] = [_("凭证号不得包含标签或控制字符。")]
        if errors:
            raise InvalidInput(fields=errors)
        return {"paid_on": day, "voucher_no": voucher}

    def apply(self, task: CaseTask, cleaned: dict) -> None:
        commit_to_budget(task.process, paid_on=cleaned["paid_on"], voucher_no=cleaned["voucher_no"])


def budget_figures(*, year: int, kind: str) -> tuple[Decimal, Decimal]:
    """(total, committed) of a year's budget of a kind; a kind with no budget has a total of 0."""
    budget = Budget.objects.filter(year=year, kind=kind).first()
    committed = SubsidyApplication.objects.filter(budget_year=year, kind=kind).aggregate(total=Sum("amount"))
    return (budget.total if budget else Decimal("0.00")), (committed["total"] or Decimal("0.00"))


def commit_to_budget(case: Case, *, paid_on: date, voucher_no: str) -> None:
    """Commit the amount to this year's budget of its kind, or refuse: no approval takes a year past its budget.

    The budget row is locked first, so two approvals racing for the last of a budget
    are taken one after the other and the second sees the first's amount committed.
    """
    application = case.subsidy
    year = timezone.localdate().year
    budget = Budget.objects.select_for_update().filter(year=year, kind=application.kind).first()
    total, committed = budget_figures(year=year, kind=application.kind)
    remaining = total - committed
    if budget is None or application.amount > remaining:
        raise RuleViolation(
            _("超出预算：%(year)d年%(kind)s预算%(total)s，已核定%(committed)s，剩余%(remaining)s，本件%(amount)s。")
            % {
                "year": year,
                "kind": application.policy.name,
                "total": money(total),
                "committed": money(committed),
                "remaining": money(remaining),
                "amount": money(application.amount),
            },
            code="over_budget",
        )
    application.budget_year = year
    application.paid_on = paid_on
    application.voucher_no = voucher_no
    application.save(update_fields=["budget_year", "paid_on", "voucher_no"])


class SubsidyFlow(flow.Flow):
    """医养结合资金补助"""

    process_class = Case
    task_class = CaseTask
    lock_impl = process_lock

    submit = flow.StartHandle(this.open_case).Next(this.township_review)

    township_review = ReviewStep(unit=units.TOWNSHIP, days=3, title="属地初审").Approve(this.bureau_confirmation)
    bureau_confirmation = ReviewStep(unit=COMPETENT_BUREAU, days=5, title="主管部门确认补助金额").Approve(
        this.public_notice
    )
    public_notice = PublicNotice(this.end_notice).Next(this.after_notice)
    after_notice = automatic_nodes.If(this.was_objected).Then(this.bureau_confirmation).Else(this.finance_review)
    finance_review = ReviewStep(
        unit=units.FINANCE, days=5, title="财政局核定拨付", decision_fields=PaymentFields()
    ).Approve(this.granted)

    supplement = Supplement(title="申请人补正材料")
    granted = automatic_nodes.Function(this.close_as_granted).Next(this.end)
    rejected = automatic_nodes.Function(this.close_as_rejected).Next(this.end)
    end = automatic_nodes.End()

    def open_case(self, activation, *, applicant, institution, record_application):
        case = activation.process
        case.case_no = new_case_number(CODE)
        case.procedure = CODE
        case.state = CaseState.IN_REVIEW
        case.institution = institution
        case.township = institution.township
        case.applicant = applicant
        case.submitted_at = timezone.now()
        case.save()
        case.add_parties({institution: "applicant"})
        record_application(case)
        case.amount = case.subsidy.amount
        case.save(update_fields=["amount"])
        return case

    def end_notice(self, activation, *, objected: bool):
        """The period ran out (objected=False), or an objection sends the case back (objected=True)."""
        activation.task.data = {**activation.task.data, "objected": objected}
        activation.task.save(update_fields=["data"])
        case = activation.process
        if objected:
            case.state = CaseState.IN_REVIEW
            case.save(update_fields=["state"])
        record(action="public_notice_ended", case_no=case.case_no, detail={"objected": objected})

    def was_objected(self, activation) -> bool:
        notice = activation.process.task_set.filter(flow_task=self.public_notice).latest("id")
        return bool(notice.data.get("objected"))

    def close_as_granted(self, activation):
        case = activation.process
        close_case(case, CaseState.APPROVED)
        finance = last_decided(case, self.finance_review).owner_permission_obj
        bureau = last_decided(case, self.bureau_confirmation).owner_permission_obj
        request_documents(
            case=case,
            wanted=[
                Wanted(SUBSIDY_DECISION.code, [finance, bureau], number_from=finance),
                Wanted(APPROVAL_RECORD.code, [finance]),
            ],
        )

    def close_as_rejected(self, activation):
        close_as_rejected(activation.process)


@receiver(case_closed, dispatch_uid="subsidy.release_claim")
def release_claim(sender, *, case: Case, state: str, **kwargs) -> None:
    """A rejected or withdrawn application gives up its "once per" claim: the thing may be applied for again."""
    if case.procedure == CODE and state in (CaseState.REJECTED, CaseState.WITHDRAWN):
        SubsidyApplication.objects.filter(pk=case.pk).update(claim_active=False)


# --- what the pages, the documents and the API show of a subsidy ------------------------------------


def subsidy_facts(case: Case, reveal_ids: bool) -> list[tuple[str, str]]:
    application = case.subsidy
    policy = application.policy
    rows = [
        (_("补助类型"), policy.name),
        (
            _("适用政策"),
            f"{policy.source}（{policy.name}第{policy.version}版，{chinese_date(policy.effective_on)}起施行）",
        ),
        (_("主管部门"), application.competent_department.name),
    ]
    rows += _stated_facts(application, reveal_ids)
    rows.append((_("核定金额"), money_with_words(application.amount)))
    if application.notice_starts_on:
        rows.append(
            (_("公示期"), f"{chinese_date(application.notice_starts_on)}至{chinese_date(application.notice_ends_on)}")
        )
    if application.paid_on:
        rows.append((_("拨付日期"), chinese_date(application.paid_on)))
        rows.append((_("拨付凭证号"), application.voucher_no))
    return rows


def _stated_facts(application: SubsidyApplication, reveal_ids: bool) -> list[tuple[str, str]]:
    inputs = application.inputs
    rows: list[tuple[str, str]] = []
    if application.quantity is not None:
        rows.append((_("数量"), f"{application.quantity}"))
    if application.agreement_id:
        rows.append((_("合作协议"), f"{inputs.get('agreement')}（第{application.agreement_year}个协议年度）"))
    if inputs.get("amount_paid"):
        rows.append((_("实际支付服务费"), money(Decimal(inputs["amount_paid"]))))
    if application.person_name:
        number = application.person_id_number if reveal_ids else mask_id_number(application.person_id_number)
        rows.append((_("入职人员"), f"{application.person_name}（{number}）"))
        if inputs.get("hired_on"):
            rows.append((_("入职日期"), chinese_date(date.fromisoformat(inputs["hired_on"]))))
        if "establishment" in inputs:
            rows.append((_("是否在编"), _("是") if inputs["establishment"] else _("否")))
    tier_field = application.policy.params.get("field")
    if tier_field and inputs.get(tier_field):
        labels = dict(application.policy.tier_choices())
        rows.append((_("档次"), labels.get(inputs[tier_field], inputs[tier_field])))
    return rows


def surname_only(name: str) -> str:
    """The public notice names no person: 张三 → 张*."""
    return f"{name[:1]}*" if name else ""


def _decision_public_facts(document) -> list[tuple[str, str]]:
    application = document.case.subsidy
    rows = [
        *case_public_rows(document),
        (_("补助类型"), application.policy.name),
        (_("核定金额"), money_with_words(application.amount)),
    ]
    if application.person_name:
        rows.append((_("入职人员"), surname_only(application.person_name)))
    return rows


def _decision_context(document) -> dict:
    application = document.case.subsidy
    return {**case_context(document), "application": application, "policy": application.policy}


SUBSIDY_DECISION = DocumentKind(
    code="subsidy_decision",
    label="补助核定通知书",
    series="医养补",
    context=_decision_context,
    public_facts=_decision_public_facts,
)


def _name_detail(key: str, code: str) -> str | None:
    """A subsidy kind by its name in the policy table (the newest version's), for the audit history."""
    if key != "kind":
        return None
    return SubsidyPolicy.objects.filter(code=code).order_by("-version").values_list("name", flat=True).first()


SUBSIDY = declare(
    Procedure(
        code=CODE,
        label="医养结合资金补助",
        case_code="BZ",
        slug="subsidy",
        flow=SubsidyFlow,
        detail="subsidy",
        facts=subsidy_facts,
        brief_facts=frozenset({"补助类型", "适用政策", "核定金额", "拨付日期", "拨付凭证号"}),
        documents=(SUBSIDY_DECISION,),
        applicant_kinds=frozenset({"elderly_care", "medical"}),
        name_detail=_name_detail,
        pages="web.subsidy",
        api="api.subsidy",
    )
)
