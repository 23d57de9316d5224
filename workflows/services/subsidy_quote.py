"""How much a subsidy application is worth, and whether it may be made: the policy table applied to the registry.

DOMAIN.md procedure 3: the amount is computed from the policy version in force on the
day of submission and from the registry (beds, opening date, ownership, the agreement
and its fee); the applicant never types it. Each condition that fails is named with its
numbers ("床位数99张，需100张以上"), so the applicant sees why before submitting.

Malformed input is an InvalidInput (400, per field); a well-formed application the
policy refuses is a quote with ``eligible=False`` and its reasons (422 on submission).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from common.errors import InvalidInput, RuleViolation
from common.formatting import chinese_date, money
from common.validators import validate_id_number, validate_plain_text
from institutions.models import Institution

from ..cooperation import agreements_of
from ..models import Case, CaseState, SubsidyApplication, SubsidyPolicy
from ..models.subsidy import OncePer, Rule

CENT = Decimal("0.01")
MAX_QUANTITY = 100_000
MAX_AGREEMENT_YEAR = 10
MAX_PAYMENT = Decimal("10000000.00")
EARLIEST_HIRING = date(1950, 1, 1)

KIND_LABELS = {"medical": "医疗机构", "elderly_care": "养老机构"}
OWNERSHIP_LABELS = {"private": "民办", "public": "公办"}
MODEL_LABELS = dict(Institution.CareModel.choices)


@dataclass
class Quote:
    """What a submission would be: the policy applied, the amount, and every reason it cannot be made."""

    policy: SubsidyPolicy
    amount: Decimal | None
    reasons: list[str]
    inputs: dict[str, Any] = field(default_factory=dict)
    quantity: int | None = None
    agreement: Case | None = None
    agreement_year: int | None = None
    person_name: str = ""
    person_id_number: str = ""
    claim_key: str = ""

    @property
    def eligible(self) -> bool:
        return not self.reasons and self.amount is not None


def policy_in_force(code: str, day: date) -> SubsidyPolicy | None:
    """The version of a kind in force on ``day``: the latest effective on or before it."""
    return SubsidyPolicy.objects.filter(code=code, effective_on__lte=day).order_by("-effective_on", "-version").first()


def kinds_in_force(day: date) -> list[SubsidyPolicy]:
    """One policy per kind, as in force on ``day`` (what an applicant may apply for)."""
    latest: dict[str, SubsidyPolicy] = {}
    for policy in SubsidyPolicy.objects.filter(effective_on__lte=day).order_by("code", "effective_on", "version"):
        latest[policy.code] = policy
    return list(latest.values())


def needs(policy: SubsidyPolicy) -> set[str]:
    """The inputs a kind asks of the applicant, read off its rule and conditions."""
    wanted: set[str] = set()
    if policy.rule == Rule.PER_UNIT and policy.params.get("quantity_from") == "applicant":
        wanted.add("quantity")
    if policy.rule == Rule.SHARE_OF_PAYMENT or policy.eligibility.get("requires_active_agreement"):
        wanted |= {"agreement", "agreement_year"}
    if policy.rule == Rule.SHARE_OF_PAYMENT:
        wanted.add("amount_paid")
    if policy.rule == Rule.BY_TIER:
        wanted.add(str(policy.params.get("field", "tier")))
    if policy.once_per == OncePer.PERSON or policy.eligibility.get("exclude_establishment"):
        wanted |= {"employee_name", "id_number", "hired_on"}
    if policy.eligibility.get("exclude_establishment"):
        wanted.add("establishment")
    # Facts the registry does not hold need their papers: the payment proof, the diploma…
    if wanted:
        wanted.add("attachments")
    return wanted


# --- reading the applicant's input (400 when malformed) -----------------------------------------


class _Reader:
    def __init__(self, body: dict):
        self.body = body
        self.errors: dict[str, list[str]] = {}

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def integer(self, name: str, low: int, high: int) -> int | None:
        value = self.body.get(name)
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            self.fail(name, _("应为%(low)d至%(high)d之间的整数。") % {"low": low, "high": high})
            return None
        return value

    def money(self, name: str) -> Decimal | None:
        value = self.body.get(name)
        try:
            amount = Decimal(str(value)) if isinstance(value, str | int) and not isinstance(value, bool) else None
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite():
            self.fail(name, _("应为金额，如 30000.00。"))
            return None
        if amount <= 0:
            self.fail(name, _("金额须大于零。"))
        elif amount.as_tuple().exponent < -2:  # type: ignore[operator]
            self.fail(name, _("金额最多保留两位小数（精确到分）。"))
        elif amount > MAX_PAYMENT:
            self.fail(name, _("金额不得超过%(n)s。") % {"n": money(MAX_PAYMENT)})
        return amount.quantize(CENT) if name not in self.errors else None

    def text(self, name: str, max_length: int) -> str:
        value = self.body.get(name)
        text = value.strip() if isinstance(value, str) else ""
        if not text or len(text) > max_length:
            self.fail(name, _("请填写（%(n)d字以内）。") % {"n": max_length})
            return ""
        try:
            validate_plain_text(text)
        except ValidationError as error:
            self.errors.setdefault(name, []).extend(error.messages)
        return text

    def day(self, name: str, earliest: date) -> date | None:
        value = self.body.get(name)
        parsed = None
        if isinstance(value, str) and len(value) == 10:
            try:
                parsed = date.fromisoformat(value)
            except ValueError:
                parsed = None
        if parsed is None:
            self.fail(name, _("日期格式应为 YYYY-MM-DD。"))
        elif parsed < earliest:
            self.fail(name, _("日期不得早于%(d)s。") % {"d": chinese_date(earliest)})
            return None
        return parsed

    def choice(self, name: str, allowed: list[tuple[str, str]]) -> str:
        value = self.body.get(name)
        if value not in {key for key, _label in allowed}:
            self.fail(name, _("应为以下之一：%(v)s。") % {"v": "、".join(f"{k}（{label}）" for k, label in allowed)})
            return ""
        return str(value)

    def boolean(self, name: str) -> bool:
        value = self.body.get(name)
        if not isinstance(value, bool):
            self.fail(name, _("应为 true 或 false。"))
            return False
        return value

    def id_number(self, name: str) -> str:
        value = self.body.get(name)
        number = "".join(value.split()).upper() if isinstance(value, str) else ""
        try:
            validate_id_number(number)
        except ValidationError as error:
            self.errors.setdefault(name, []).extend(error.messages)
        return number


def anniversary(start: date, years: int) -> date:
    """满N年 is reached on the Nth anniversary; a 29 February start reaches it on 28 February."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def agreement_year_span(agreement, year: int) -> tuple[date, date]:
    """The Nth year of an agreement's term: from its start's (N−1)th anniversary to the day before the Nth."""
    start = anniversary(agreement.start_date, year - 1)
    return start, min(anniversary(agreement.start_date, year) - timedelta(days=1), agreement.end_date)


# --- the quote ------------------------------------------------------------------------------------


def quote(*, institution: Institution, body: dict, day: date) -> Quote:
    """Judge an application by the policy in force on ``day``; InvalidInput names malformed fields."""
    code = body.get("kind")
    if not isinstance(code, str) or not SubsidyPolicy.objects.filter(code=code).exists():
        known = "、".join(sorted(SubsidyPolicy.objects.values_list("code", flat=True).distinct()))
        raise InvalidInput(fields={"kind": [_("未知的补助类型。可选：%(k)s。") % {"k": known}]})
    policy = policy_in_force(code, day)
    if policy is None:
        first = SubsidyPolicy.objects.filter(code=code).order_by("effective_on").first()
        assert first is not None
        raise RuleViolation(
            _("%(name)s尚未施行（%(d)s起施行）。") % {"name": first.name, "d": chinese_date(first.effective_on)},
            code="not_in_force",
        )
    read = _Reader(body)
    wanted = needs(policy)
    result = Quote(policy=policy, amount=None, reasons=[])
    _read_inputs(read, policy, wanted, institution, result)
    if read.errors:
        raise InvalidInput(fields=read.errors)
    result.reasons += _failed_conditions(policy, institution, result, day)
    if policy.rule == Rule.SHARE_OF_PAYMENT and result.agreement is not None:
        result.reasons += _payment_conditions(result, day)
    result.amount = _amount(policy, institution, result)
    result.claim_key = _claim_key(policy, institution, result, day)
    taken = _existing_claim(result.claim_key)
    if taken is not None:
        result.reasons.append(_("已有同一事项的补助申请（%(case)s），不能重复申请。") % {"case": taken})
    return result


def _read_inputs(
    read: _Reader, policy: SubsidyPolicy, wanted: set[str], institution: Institution, result: Quote
) -> None:
    inputs: dict[str, Any] = {}
    if "quantity" in wanted:
        result.quantity = read.integer("quantity", 1, MAX_QUANTITY)
        inputs["quantity"] = result.quantity
    if "agreement" in wanted:
        result.agreement = _agreement(read, institution)
        result.agreement_year = read.integer("agreement_year", 1, MAX_AGREEMENT_YEAR)
        inputs["agreement"] = result.agreement.case_no if result.agreement else None
        inputs["agreement_year"] = result.agreement_year
    if "amount_paid" in wanted:
        paid = read.money("amount_paid")
        inputs["amount_paid"] = f"{paid:.2f}" if paid is not None else None
    if policy.rule == Rule.BY_TIER:
        name = str(policy.params.get("field", "tier"))
        inputs[name] = read.choice(name, policy.tier_choices())
    if "employee_name" in wanted:
        result.person_name = read.text("employee_name", 40)
        result.person_id_number = read.id_number("id_number")
        hired_on = read.day("hired_on", EARLIEST_HIRING)
        inputs |= {
            "employee_name": result.person_name,
            "id_number": result.person_id_number,
            "hired_on": hired_on.isoformat() if hired_on else None,
        }
    if "establishment" in wanted:
        inputs["establishment"] = read.boolean("establishment")
    result.inputs = inputs


def _agreement(read: _Reader, institution: Institution) -> Case | None:
    """The agreement the payment was made under: one of this institution's, by its case number."""
    number = read.body.get("agreement")
    found = agreements_of(institution).filter(case_no=number).first() if isinstance(number, str) else None
    if found is None:
        read.fail("agreement", _("未找到本机构的该合作协议（请填写协议的办件编号）。"))
    return found


def _failed_conditions(policy: SubsidyPolicy, institution: Institution, result: Quote, day: date) -> list[str]:
    """Each eligibility condition of the policy that fails, with its numbers."""
    rules = policy.eligibility
    reasons: list[str] = []
    kind = rules.get("institution_kind")
    if kind and institution.kind != kind:
        reasons.append(
            _("须为%(want)s（本机构为%(have)s）。")
            % {"want": KIND_LABELS.get(kind, kind), "have": KIND_LABELS.get(institution.kind, institution.kind)}
        )
    ownership = rules.get("ownership")
    if ownership and institution.ownership != ownership:
        reasons.append(
            _("须为%(want)s机构（本机构为%(have)s）。")
            % {"want": OWNERSHIP_LABELS.get(ownership), "have": OWNERSHIP_LABELS.get(institution.ownership)}
        )
    models = rules.get("models") or []
    if models and not set(models) & set(institution.care_models):
        have = "、".join(institution.care_model_labels()) or _("未登记")
        reasons.append(
            _("须为%(want)s机构（本机构医养结合模式：%(have)s）。")
            % {"want": "或".join(str(MODEL_LABELS.get(m, m)) for m in models), "have": have}
        )
    min_beds = rules.get("min_beds")
    if min_beds is not None and (institution.beds or 0) < int(min_beds):
        reasons.append(_("床位数%(n)d张，需%(min)d张以上。") % {"n": institution.beds or 0, "min": int(min_beds)})
    reasons += _opening_conditions(rules, policy, institution, day)
    if rules.get("requires_active_agreement") and result.agreement is not None:
        if result.agreement.state != CaseState.ACTIVE:
            reasons.append(
                _("协议%(case)s当前为“%(state)s”，须为生效中的协议。")
                % {"case": result.agreement.case_no, "state": result.agreement.get_state_display()}
            )
        elif result.agreement.cooperation.elderly_care_institution_id != institution.pk:
            reasons.append(_("合作服务补助由协议甲方（养老机构）申请。"))
    if rules.get("exclude_establishment") and result.inputs.get("establishment"):
        reasons.append(_("在编人员不享受%(name)s。") % {"name": policy.name})
    hired_on = result.inputs.get("hired_on")
    if hired_on and date.fromisoformat(hired_on) > day:
        reasons.append(_("入职日期%(d)s晚于申请日期。") % {"d": chinese_date(date.fromisoformat(hired_on))})
    return reasons


def _opening_conditions(rules: dict, policy: SubsidyPolicy, institution: Institution, day: date) -> list[str]:
    reasons: list[str] = []
    years = rules.get("min_years_operating")
    opened = institution.operating_since
    if (years or rules.get("opened_on_or_after_effective")) and opened is None:
        return [_("本机构未登记开业日期，无法判断开业年限。")]
    if years and opened is not None and anniversary(opened, int(years)) > day:
        reasons.append(
            _("开业满%(y)d年后方可申请（本机构%(o)s开业，%(a)s满%(y)d年）。")
            % {"y": int(years), "o": chinese_date(opened), "a": chinese_date(anniversary(opened, int(years)))}
        )
    if rules.get("opened_on_or_after_effective") and opened is not None and opened < policy.effective_on:
        reasons.append(
            _("须为政策施行（%(e)s）后新开设的机构（本机构%(o)s开业）。")
            % {"e": chinese_date(policy.effective_on), "o": chinese_date(opened)}
        )
    return reasons


def _payment_conditions(result: Quote, day: date) -> list[str]:
    """The payment: within the agreement's fee, for an agreement year that has begun and is within its term."""
    agreement = result.agreement.cooperation  # type: ignore[union-attr]
    reasons: list[str] = []
    paid = Decimal(result.inputs["amount_paid"])
    if paid > agreement.annual_fee:
        reasons.append(
            _("实际支付金额%(paid)s超过协议约定的年服务费%(fee)s。")
            % {"paid": money(paid), "fee": money(agreement.annual_fee)}
        )
    year = result.agreement_year or 1
    start, _end = agreement_year_span(agreement, year)
    if start > agreement.end_date:
        reasons.append(_("协议期限内没有第%(n)d个协议年度。") % {"n": year})
    elif start > day:
        reasons.append(_("第%(n)d个协议年度自%(d)s开始，尚未开始。") % {"n": year, "d": chinese_date(start)})
    return reasons


def _amount(policy: SubsidyPolicy, institution: Institution, result: Quote) -> Decimal | None:
    params = policy.params
    if policy.rule == Rule.PER_UNIT:
        quantity = result.quantity if params.get("quantity_from") == "applicant" else institution.beds
        result.quantity = quantity
        return None if quantity is None else (Decimal(params["amount_per_unit"]) * quantity).quantize(CENT)
    if policy.rule == Rule.SHARE_OF_PAYMENT:
        paid = result.inputs.get("amount_paid")
        return None if paid is None else (Decimal(paid) * Decimal(params["rate"])).quantize(CENT, ROUND_HALF_UP)
    if policy.rule == Rule.BY_TIER:
        tier = result.inputs.get(str(params.get("field", "tier")))
        return Decimal(params["tiers"][tier]).quantize(CENT) if tier else None
    return Decimal(params["amount"]).quantize(CENT)


def _claim_key(policy: SubsidyPolicy, institution: Institution, result: Quote, day: date) -> str:
    """What "once per …" counts: one active application per key (a unique index; DOMAIN.md procedure 3)."""
    match policy.once_per:
        case OncePer.INSTITUTION:
            return f"{policy.code}:institution:{institution.pk}"
        case OncePer.INSTITUTION_YEAR:
            return f"{policy.code}:institution:{institution.pk}:{day.year}"
        case OncePer.AGREEMENT_YEAR if result.agreement is not None:
            return f"{policy.code}:agreement:{result.agreement.case_no}:{result.agreement_year}"
        case OncePer.PERSON if result.person_id_number:
            return f"{policy.code}:person:{result.person_id_number}"
    return ""


def _existing_claim(key: str) -> str | None:
    if not key:
        return None
    held = SubsidyApplication.objects.filter(claim_key=key, claim_active=True).select_related("case").first()
    return held.case.case_no if held else None
