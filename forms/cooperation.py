"""The cooperation agreement's terms (医养合作协议): parties, term, residents, services, fee."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.formatting import money
from common.forms import ChineseForm
from institutions.models import Institution
from workflows.models.cooperation import (
    ANNUAL_FEE_MAX,
    ANNUAL_FEE_MIN,
    TERM_FIELDS,
    ServiceItem,
)

from .fields import MoneyField

LONGEST_TERM = timedelta(days=5 * 366)
EARLIEST_START = timedelta(days=366)
MAX_RESIDENTS = 5000


class PartyField(forms.ModelChoiceField):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, queryset=Institution.objects.filter(is_active=True), **kwargs)
        self.error_messages["invalid_choice"] = _("所选机构不存在。")


class CooperationForm(ChineseForm):
    elderly_care_institution = PartyField(label=_("甲方（养老机构）"))
    medical_institution = PartyField(label=_("乙方（医疗机构）"))
    start_date = forms.DateField(label=_("起始日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    end_date = forms.DateField(label=_("终止日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    residents = forms.IntegerField(label=_("服务入住老人数"), min_value=1, max_value=MAX_RESIDENTS)
    service_items = forms.MultipleChoiceField(
        label=_("服务项目"), choices=ServiceItem.choices, widget=forms.CheckboxSelectMultiple
    )
    visits_per_week = forms.TypedChoiceField(
        label=_("每周上门次数"), choices=[(1, _("每周1次")), (2, _("每周2次"))], coerce=int
    )
    annual_fee = MoneyField(
        label=_("年服务费（元）"),
        min_value=ANNUAL_FEE_MIN,
        max_value=ANNUAL_FEE_MAX,
        help_text=_("按政策为每年%(low)s至%(high)s（含两端），依服务老人数确定。")
        % {"low": money(ANNUAL_FEE_MIN), "high": money(ANNUAL_FEE_MAX)},
    )

    FIELDS = TERM_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fee = self.fields["annual_fee"]
        fee.error_messages["min_value"] = _("年服务费不得低于%(n)s（政策下限）。") % {"n": money(ANNUAL_FEE_MIN)}
        fee.error_messages["max_value"] = _("年服务费不得高于%(n)s（政策上限）。") % {"n": money(ANNUAL_FEE_MAX)}

    def clean_elderly_care_institution(self):
        institution = self.cleaned_data["elderly_care_institution"]
        if institution.kind != Institution.Kind.ELDERLY_CARE:
            raise forms.ValidationError(_("甲方须为养老机构。"))
        return institution

    def clean_medical_institution(self):
        institution = self.cleaned_data["medical_institution"]
        if institution.kind != Institution.Kind.MEDICAL:
            raise forms.ValidationError(_("乙方须为医疗机构。"))
        return institution

    def clean(self):
        cleaned = super().clean()
        elderly, medical = cleaned.get("elderly_care_institution"), cleaned.get("medical_institution")
        if elderly is not None and elderly == medical:
            raise forms.ValidationError(_("不能与本机构自身签订协议。"))
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end:
            if end <= start:
                self.add_error("end_date", _("终止日期须晚于起始日期。"))
            elif end - start > LONGEST_TERM:
                self.add_error("end_date", _("协议期限不得超过5年。"))
            if start < timezone.localdate() - EARLIEST_START:
                self.add_error("start_date", _("起始日期不得早于一年前。"))
        return cleaned
