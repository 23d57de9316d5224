"""Subsidies (医养结合资金补助, DOMAIN.md procedure 3): the versioned policy table, applications, objections, budgets.

The standards are data, not code: each kind of subsidy is a `SubsidyPolicy` row with a
version, the document it comes from and its dates; an application is judged by the
version in force on the day it is submitted and keeps a reference to it.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from common.row_statements import UpdatesByKey

# Seed 000 §五: a policy takes effect 30 days after publication.
EFFECTIVE_AFTER_PUBLICATION = timedelta(days=30)
# DOMAIN.md: 公示 lasts 5 working days, counted from the day after the bureau confirms.
NOTICE_WORKING_DAYS = 5


class Rule(models.TextChoices):
    PER_UNIT = "per_unit", _("按数量计（元/单位）")
    SHARE_OF_PAYMENT = "share_of_payment", _("按实际支付金额的比例")
    BY_TIER = "by_tier", _("按档次定额")
    FIXED = "fixed", _("定额")


# Tier labels a policy may leave out (the initial hiring award's education tiers).
KNOWN_TIER_LABELS = {
    "secondary_vocational": "中职",
    "junior_college": "专科/高职",
    "bachelor_or_above": "本科及以上",
}


class OncePer(models.TextChoices):
    INSTITUTION = "institution", _("每个机构一次")
    INSTITUTION_YEAR = "institution_year", _("每个机构每年一次")
    AGREEMENT_YEAR = "agreement_year", _("每份协议每个协议年度一次")
    PERSON = "person", _("每人一次")


class SubsidyPolicy(models.Model):
    """One version of one kind of subsidy. Versions are added, never edited once applied for."""

    code = models.SlugField(_("补助类型代码"), max_length=40)
    name = models.CharField(_("补助类型"), max_length=60)
    version = models.PositiveIntegerField(_("版本"))
    source = models.CharField(_("政策依据"), max_length=200)
    published_on = models.DateField(_("发布日期"))
    effective_on = models.DateField(_("施行日期"))
    rule = models.CharField(_("计算规则"), max_length=20, choices=Rule.choices)
    params = models.JSONField(_("计算参数"), default=dict)
    eligibility = models.JSONField(_("申请条件"), default=dict, blank=True)
    once_per = models.CharField(_("享受次数"), max_length=20, choices=OncePer.choices, blank=True)
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("补助政策")
        verbose_name_plural = _("补助政策")
        ordering = ["code", "version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="subsidy_policy_version")]
        indexes = [models.Index(fields=["code", "effective_on"], name="subsidy_policy_in_force")]

    def __str__(self) -> str:
        return f"{self.name}（第{self.version}版）"

    def tier_choices(self) -> list[tuple[str, str]]:
        """The tiers of a by-tier kind as (value, label): the policy's own labels, else the known ones."""
        labels = {**KNOWN_TIER_LABELS, **self.params.get("labels", {})}
        return [(value, labels.get(value, value)) for value in self.params.get("tiers", {})]


class SubsidyApplication(UpdatesByKey):
    """A subsidy case's own record: the policy version it is judged by, what was stated, the amount, the payment."""

    case = models.OneToOneField("workflows.Case", on_delete=models.CASCADE, primary_key=True, related_name="subsidy")
    policy = models.ForeignKey(SubsidyPolicy, verbose_name=_("适用政策"), on_delete=models.PROTECT, related_name="+")
    kind = models.SlugField(_("补助类型代码"), max_length=40)
    # What the applicant stated (quantity, agreement and payment, employee…), as the API spells it.
    inputs = models.JSONField(_("申报内容"), default=dict)
    quantity = models.PositiveIntegerField(_("数量"), null=True, blank=True)
    amount = models.DecimalField(_("核定金额（元）"), max_digits=12, decimal_places=2)
    agreement = models.ForeignKey(
        "workflows.Case", verbose_name=_("合作协议"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agreement_year = models.PositiveSmallIntegerField(_("协议年度"), null=True, blank=True)
    person_name = models.CharField(_("人员姓名"), max_length=40, blank=True)
    person_id_number = models.CharField(_("人员身份证号码"), max_length=18, blank=True)
    competent_department = models.ForeignKey(
        "institutions.Department", verbose_name=_("主管部门"), on_delete=models.PROTECT, related_name="+"
    )
    # "Once per …": the claim this application makes; only one active claim per key, so
    # two applications for the same thing cannot both be under way or granted, even racing.
    claim_key = models.CharField(max_length=120, blank=True)
    claim_active = models.BooleanField(default=True)
    notice_starts_on = models.DateField(_("公示开始日期"), null=True, blank=True)
    notice_ends_on = models.DateField(_("公示截止日期"), null=True, blank=True)
    budget_year = models.PositiveSmallIntegerField(_("预算年度"), null=True, blank=True)
    paid_on = models.DateField(_("拨付日期"), null=True, blank=True)
    voucher_no = models.CharField(_("凭证号"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("补助申请")
        verbose_name_plural = _("补助申请")
        constraints = [
            models.UniqueConstraint(
                fields=["claim_key"],
                condition=models.Q(claim_active=True) & ~models.Q(claim_key=""),
                name="subsidy_claim_once",
            )
        ]
        indexes = [models.Index(fields=["budget_year", "kind"], name="subsidy_budget_year_kind")]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.kind}"


class SubsidyObjection(models.Model):
    """An objection lodged while the subsidy was on public notice; it sends the case back to the bureau."""

    case = models.ForeignKey("workflows.Case", on_delete=models.CASCADE, related_name="subsidy_objections")
    text = models.TextField(_("异议内容"))
    lodged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    lodged_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    notice_ends_on = models.DateField(_("所在公示期截止日期"))

    class Meta:
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.lodged_at:%Y-%m-%d}"


class Budget(models.Model):
    """The year's budget of one kind of subsidy (the year in which finance approves and pays)."""

    year = models.PositiveSmallIntegerField(_("预算年度"))
    kind = models.SlugField(_("补助类型代码"), max_length=40)
    total = models.DecimalField(_("预算总额（元）"), max_digits=14, decimal_places=2)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("补助预算")
        verbose_name_plural = _("补助预算")
        ordering = ["-year", "kind"]
        constraints = [models.UniqueConstraint(fields=["year", "kind"], name="budget_year_kind")]

    def __str__(self) -> str:
        return f"{self.year} {self.kind}"
