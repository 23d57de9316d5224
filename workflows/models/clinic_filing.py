"""What a nursing home files about the clinic inside it (DOMAIN.md procedure 1)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from common.row_statements import UpdatesByKey


class ClinicType(models.TextChoices):
    CLINIC_ROOM = "clinic_room", _("医务室")
    NURSING_STATION = "nursing_station", _("护理站")
    HEALTH_POST = "health_post", _("卫生所")
    NURSING_HOSPITAL = "nursing_hospital", _("护理院")


class StaffRole(models.TextChoices):
    DOCTOR = "doctor", _("医师")
    NURSE = "nurse", _("护士")
    OTHER = "other", _("其他")


class InsuranceDecision(models.TextChoices):
    NOT_REQUESTED = "not_requested", _("未申请")
    PENDING = "pending", _("待医保局决定")
    APPROVED = "approved", _("同意纳入医保定点")
    REFUSED = "refused", _("不予纳入医保定点")


class ClinicFiling(UpdatesByKey):
    case = models.OneToOneField(
        "workflows.Case", on_delete=models.CASCADE, primary_key=True, related_name="clinic_filing"
    )
    clinic_name = models.CharField(_("内设医疗机构名称"), max_length=100)
    clinic_type = models.CharField(_("类别"), max_length=20, choices=ClinicType.choices)
    services = models.TextField(_("服务项目"))
    floor_area = models.DecimalField(_("业务用房面积（㎡）"), max_digits=8, decimal_places=2)
    equipment = models.TextField(_("主要设备"))
    opening_date = models.DateField(_("拟开业日期"))
    medical_insurance = models.BooleanField(_("同时申请医保定点"), default=False)
    # Assigned by 卫健局 when it files the clinic.
    filing_no = models.CharField(_("备案编号"), max_length=40, null=True, blank=True, unique=True)
    insurance_decision = models.CharField(
        _("医保定点"), max_length=20, choices=InsuranceDecision.choices, default=InsuranceDecision.NOT_REQUESTED
    )

    class Meta:
        verbose_name = _("内设医疗机构备案")
        verbose_name_plural = _("内设医疗机构备案")

    def __str__(self) -> str:
        return self.clinic_name

    def save(self, *args, **kwargs):
        """Until 医保局 decides, the request's status follows the form: asked for means pending.

        A request shows as pending from the moment it is made (submission or a
        resubmission that adds it), not only once the case reaches 卫健局.
        """
        if self.insurance_decision in (InsuranceDecision.NOT_REQUESTED, InsuranceDecision.PENDING):
            self.insurance_decision = (
                InsuranceDecision.PENDING if self.medical_insurance else InsuranceDecision.NOT_REQUESTED
            )
        super().save(*args, **kwargs)


class ClinicStaff(models.Model):
    filing = models.ForeignKey(ClinicFiling, on_delete=models.CASCADE, related_name="staff")
    name = models.CharField(_("姓名"), max_length=40)
    id_number = models.CharField(_("身份证号码"), max_length=18)
    role = models.CharField(_("岗位"), max_length=10, choices=StaffRole.choices)
    licence_no = models.CharField(_("执业证书编号"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("医护人员")
        verbose_name_plural = _("医护人员")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name
