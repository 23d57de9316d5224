"""The clinic-filing application (内设医疗机构备案): the clinic, its staff, its attachments."""

import re
from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.forms import ChineseForm
from workflows.models.clinic_filing import ClinicType, StaffRole

from .attachments import AttachmentsField
from .fields import IdNumberField, PlainTextField

LICENCE_NO = re.compile(r"^[A-Za-z0-9-]{6,30}$")
EARLIEST_OPENING = date(1980, 1, 1)
MAX_STAFF = 50


class ClinicFilingForm(ChineseForm):
    clinic_name = PlainTextField(label=_("内设医疗机构名称"), max_length=100)
    clinic_type = forms.ChoiceField(label=_("类别"), choices=ClinicType.choices)
    services = PlainTextField(label=_("服务项目"), max_length=2000, multiline=True)
    floor_area = forms.DecimalField(
        label=_("业务用房面积（㎡）"), max_digits=8, decimal_places=2, min_value=1, max_value=20000
    )
    equipment = PlainTextField(label=_("主要设备"), max_length=2000, multiline=True)
    opening_date = forms.DateField(
        label=_("拟开业日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    medical_insurance = forms.BooleanField(label=_("同时申请医保定点"), required=False)
    attachments = AttachmentsField(label=_("已上传的附件"), required=False)

    FIELDS = ("clinic_name", "clinic_type", "services", "floor_area", "equipment", "opening_date", "medical_insurance")

    def __init__(self, *args, attachment_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].queryset = attachment_choices

    def clean_opening_date(self):
        value = self.cleaned_data["opening_date"]
        latest = timezone.localdate() + timedelta(days=730)
        if not EARLIEST_OPENING <= value <= latest:
            raise forms.ValidationError(
                _("开业日期应在%(first)s至%(last)s之间。"), params={"first": EARLIEST_OPENING, "last": latest}
            )
        return value


class StaffForm(ChineseForm):
    name = PlainTextField(label=_("姓名"), max_length=40)
    id_number = IdNumberField(label=_("身份证号码"))
    # A blank first choice: an extra row the applicant left untouched stays "unchanged" and is skipped.
    role = forms.ChoiceField(label=_("岗位"), choices=[("", _("请选择")), *StaffRole.choices])
    licence_no = PlainTextField(label=_("执业证书编号"), max_length=30, required=False)

    def clean(self):
        cleaned = super().clean()
        role, licence = cleaned.get("role"), cleaned.get("licence_no")
        if role in (StaffRole.DOCTOR, StaffRole.NURSE) and not licence:
            self.add_error("licence_no", _("医师和护士须填写执业证书编号。"))
        elif licence and not LICENCE_NO.match(licence):
            self.add_error("licence_no", _("执业证书编号应为6至30位字母或数字。"))
        return cleaned


class BaseStaffFormSet(forms.BaseFormSet):
    default_error_messages = {
        "too_few_forms": _("请至少填写一名医护人员。"),
        "too_many_forms": _("医护人员最多填写%(num)d名。"),
    }

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            number = form.cleaned_data.get("id_number")
            if number in seen:
                raise forms.ValidationError(_("同一人员（身份证号码 %(n)s）不能重复填写。"), params={"n": number[-4:]})
            seen.add(number)


StaffFormSet = forms.formset_factory(
    StaffForm,
    formset=BaseStaffFormSet,
    extra=0,
    min_num=1,
    validate_min=True,
    max_num=MAX_STAFF,
    validate_max=True,
    absolute_max=MAX_STAFF,
)


def staff_formset_data(rows, prefix: str = "staff") -> dict:
    """The POST-style data a formset reads, built from the API's list of staff objects."""
    if not isinstance(rows, list):
        rows = []
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0"}
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            row = {}
        for key in ("name", "id_number", "role", "licence_no"):
            value = row.get(key)
            data[f"{prefix}-{index}-{key}"] = "" if value is None else str(value)
    return data


def staffing_warnings(clinic_type: str, roles: list[str]) -> list[str]:
    """Staffing minimums of 养老机构医务室/护理站基本标准（试行）, 2014 — warnings, not refusals."""
    doctors = roles.count(StaffRole.DOCTOR)
    nurses = roles.count(StaffRole.NURSE)
    warnings = []
    if clinic_type == ClinicType.CLINIC_ROOM:
        if doctors < 1:
            warnings.append(str(_("医务室应至少有1名执业医师（现有%(n)d名）。") % {"n": doctors}))
        if nurses < 1:
            warnings.append(str(_("医务室应至少有1名注册护士（现有%(n)d名）。") % {"n": nurses}))
    elif clinic_type == ClinicType.NURSING_STATION and nurses < 2:
        warnings.append(str(_("护理站应至少有2名注册护士（现有%(n)d名）。") % {"n": nurses}))
    return warnings
