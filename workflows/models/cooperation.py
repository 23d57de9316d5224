"""The medical–elderly-care cooperation agreement (医养合作协议, DOMAIN.md procedure 2)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from common.row_statements import UpdatesByKey

from .case import CaseState

# Seed 000 §四(三)2: the yearly fee is 20,000–50,000 元, both ends included (民法典 第1259条).
ANNUAL_FEE_MIN = Decimal("20000.00")
ANNUAL_FEE_MAX = Decimal("50000.00")
# Both parties are reminded this many days before the agreement ends.
REMIND_DAYS_BEFORE_END = 30


# The terms both parties agree to; the form, the services and the API all use this list.
TERM_FIELDS = (
    "elderly_care_institution",
    "medical_institution",
    "start_date",
    "end_date",
    "residents",
    "service_items",
    "visits_per_week",
    "annual_fee",
)


# The agreements the registry lists unless asked otherwise: those in force and those about to be.
IN_FORCE_STATES = (CaseState.ACTIVE, CaseState.APPROVED)


class ServiceItem(models.TextChoices):
    """The 医养协同 services of seed 002 附件5 §三."""

    ONSITE_VISITS = "onsite_visits", _("定期上门服务（每周1–2次，固定人员AB岗）")
    ANNUAL_CHECKUP = "annual_checkup", _("每年一次健康体检及指导")
    HEALTH_EDUCATION = "health_education", _("每季度一次健康教育")
    FREE_CLINIC_TCM = "free_clinic_tcm", _("每半年一次义诊及中医药服务")
    PHONE_ADVICE = "phone_advice", _("24小时电话咨询")
    GREEN_CHANNEL = "green_channel", _("预约就诊和转诊绿色通道")
    HEALTH_RECORDS = "health_records", _("建立健康档案")


class CooperationAgreement(UpdatesByKey):
    case = models.OneToOneField(
        "workflows.Case", on_delete=models.CASCADE, primary_key=True, related_name="cooperation"
    )
    elderly_care_institution = models.ForeignKey(
        "institutions.Institution", verbose_name=_("甲方（养老机构）"), on_delete=models.PROTECT, related_name="+"
    )
    medical_institution = models.ForeignKey(
        "institutions.Institution", verbose_name=_("乙方（医疗机构）"), on_delete=models.PROTECT, related_name="+"
    )
    start_date = models.DateField(_("起始日期"))
    end_date = models.DateField(_("终止日期"))
    residents = models.PositiveIntegerField(_("服务入住老人数"))
    service_items = models.JSONField(_("服务项目"), default=list)
    visits_per_week = models.PositiveSmallIntegerField(_("每周上门次数"))
    annual_fee = models.DecimalField(_("年服务费（元）"), max_digits=12, decimal_places=2)
    renewal_of = models.ForeignKey(
        "workflows.Case",
        verbose_name=_("续签自"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="renewals",
    )
    reminded_at = models.DateTimeField(_("到期提醒时间"), null=True, blank=True)
    terminated_at = models.DateTimeField(_("终止时间"), null=True, blank=True)
    terminated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    termination_reason = models.CharField(_("终止原因"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("医养合作协议")
        verbose_name_plural = _("医养合作协议")
        indexes = [
            models.Index(fields=["elderly_care_institution", "medical_institution"], name="agreement_pair"),
            models.Index(fields=["end_date"], name="agreement_end"),
        ]

    def __str__(self) -> str:
        return f"{self.elderly_care_institution} × {self.medical_institution}"

    @property
    def counterparty(self):
        """The party that did not draft the agreement (the drafter is the case's institution)."""
        if self.case.institution_id == self.elderly_care_institution_id:
            return self.medical_institution
        return self.elderly_care_institution

    def service_item_labels(self) -> list[str]:
        labels = dict(ServiceItem.choices)
        return [str(labels.get(code, code)) for code in self.service_items]


class Notification(models.Model):
    """A message for an institution's users (e.g. an agreement ends in 30 days)."""

    institution = models.ForeignKey("institutions.Institution", on_delete=models.CASCADE, related_name="notifications")
    case = models.ForeignKey("workflows.Case", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40)
    message = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("提醒")
        verbose_name_plural = _("提醒")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One reminder of a kind per case and institution: a beat that runs twice sends once.
            models.UniqueConstraint(fields=["institution", "case", "kind"], name="notification_once"),
        ]

    def __str__(self) -> str:
        return self.message
