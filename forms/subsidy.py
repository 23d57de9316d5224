"""The subsidy application form, built from the kind's policy: it asks only what the policy needs.

A bed subsidy asks nothing (beds and dates come from the registry); a cooperation
subsidy asks which agreement, which agreement year and what was paid; a hiring award
asks who was hired, their education and whether they are 在编; a kind whose quantity
the applicant states asks the number. The amount is never asked: the product computes it.
"""

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import ChineseForm
from workflows.cooperation import agreements_of
from workflows.models import CaseState, SubsidyPolicy
from workflows.services.subsidy_quote import MAX_AGREEMENT_YEAR, MAX_QUANTITY, needs

from .attachments import AttachmentsField
from .fields import IdNumberField, MoneyField, PlainTextField

YES_NO = [("", _("请选择")), ("false", _("否（非在编）")), ("true", _("是（在编）"))]


class SubsidyForm(ChineseForm):
    """One kind's application. ``body()`` gives it as the API spells it, for the same services."""

    attachments = AttachmentsField(label=_("已上传的证明材料"), required=False)

    def __init__(self, *args, policy: SubsidyPolicy, institution, attachment_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.policy = policy
        wanted = needs(policy)
        add = self.fields.__setitem__
        if "quantity" in wanted:
            unit = policy.params.get("unit_label", "张")
            add(
                "quantity",
                forms.IntegerField(label=_("申报数量（%(u)s）") % {"u": unit}, min_value=1, max_value=MAX_QUANTITY),
            )
        if "agreement" in wanted:
            add(
                "agreement",
                forms.ChoiceField(label=_("合作协议"), choices=[("", _("请选择")), *agreements(institution)]),
            )
            add(
                "agreement_year",
                forms.IntegerField(
                    label=_("协议年度（第几年）"),
                    min_value=1,
                    max_value=MAX_AGREEMENT_YEAR,
                    help_text=_("协议起始之日起每满一年为一个协议年度。"),
                ),
            )
        if "amount_paid" in wanted:
            add(
                "amount_paid",
                MoneyField(label=_("该协议年度实际支付的服务费（元）"), help_text=_("不得超过协议约定的年服务费。")),
            )
        if "employee_name" in wanted:
            add("employee_name", PlainTextField(label=_("入职人员姓名"), max_length=40))
            add("id_number", IdNumberField(label=_("入职人员身份证号码")))
            add(
                "hired_on",
                forms.DateField(label=_("入职日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})),
            )
        # The tier (a hiring award's 学历) after the person it belongs to, not before who was hired.
        if policy.rule == "by_tier":
            name = str(policy.params.get("field", "tier"))
            add(
                name,
                forms.ChoiceField(
                    label=_("学历") if name == "education" else _("档次"),
                    choices=[("", _("请选择")), *policy.tier_choices()],
                ),
            )
        if "establishment" in wanted:
            add("establishment", forms.ChoiceField(label=_("是否在编"), choices=YES_NO))
        self.fields["attachments"].queryset = attachment_choices
        # The attachments come last, after what they prove.
        self.order_fields([name for name in self.fields if name != "attachments"] + ["attachments"])

    def body(self) -> dict:
        """The cleaned form as the API's body: the services see the same thing from both doors."""
        data: dict = {"kind": self.policy.code}
        for name, value in self.cleaned_data.items():
            if name == "attachments":
                continue
            if name == "establishment":
                data[name] = value == "true"
            elif isinstance(value, date):
                data[name] = value.isoformat()
            elif name == "amount_paid":
                data[name] = f"{value:.2f}"
            else:
                data[name] = value
        return data


def agreements(institution) -> list[tuple[str, str]]:
    """The institution's agreements in force, as choices: case number and partner."""
    cases = (
        agreements_of(institution)
        .filter(state=CaseState.ACTIVE)
        .select_related("cooperation__medical_institution")
        .order_by("-submitted_at")
    )
    return [(case.case_no, f"{case.case_no}（与{case.cooperation.medical_institution.name}）") for case in cases]


class PaymentForm(ChineseForm):
    """财政局's approval states the payment: its date and the voucher number."""

    legend = _("拨付信息（通过时必填）")

    paid_on = forms.DateField(label=_("拨付日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    voucher_no = PlainTextField(label=_("拨付凭证号"), max_length=40)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "payment")
        super().__init__(*args, **kwargs)


class BudgetForm(ChineseForm):
    kind = forms.ChoiceField(label=_("补助类型"))
    total = MoneyField(label=_("预算总额（元）"))

    def __init__(self, *args, kinds: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("请选择")), *kinds]


class ObjectionForm(ChineseForm):
    text = PlainTextField(label=_("异议的事实和理由"), max_length=1000, multiline=True)
