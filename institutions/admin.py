"""Administrators manage the county, its townships, bureaus and institutions here.

All of it is first loaded from the county's files (``manage.py load_county``); what is
edited here afterwards stays until the files are loaded again.
"""

from django import forms
from django.contrib import admin
from stdnum.cn import uscc

from .county import current_county_or_none
from .loader import township_doc_prefix, township_official_name
from .models import County, Department, Institution, Township


@admin.register(County)
class CountyAdmin(admin.ModelAdmin):
    list_display = ("name", "abbreviation", "division_code", "case_prefix", "province", "government")
    fields = list_display

    def has_add_permission(self, request):
        # One county per installation: the row comes from its files and is then only edited.
        return super().has_add_permission(request) and not County.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False  # every case number, document and page title reads it


class TownshipForm(forms.ModelForm):
    class Meta:
        model = Township
        fields = ["code", "name", "kind", "official_name", "doc_prefix"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Left blank, they follow the county's rule, as when its files leave them blank.
        for name in ("official_name", "doc_prefix"):
            self.fields[name].required = False
            self.fields[name].help_text += "留空则按本县规则生成。"

    def clean(self):
        cleaned = super().clean()
        name, kind, county = cleaned.get("name"), cleaned.get("kind"), current_county_or_none()
        if name and kind and county:
            cleaned["official_name"] = cleaned.get("official_name") or township_official_name(county, name, kind)
            cleaned["doc_prefix"] = cleaned.get("doc_prefix") or township_doc_prefix(county, name)
        return cleaned


@admin.register(Township)
class TownshipAdmin(admin.ModelAdmin):
    form = TownshipForm
    list_display = ("code", "name", "kind", "official_name", "doc_prefix")
    search_fields = ("code", "name")


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "short_name", "doc_prefix")

    def has_delete_permission(self, request, obj=None):
        return False  # the flows route to these rows by code


class InstitutionForm(forms.ModelForm):
    care_models = forms.MultipleChoiceField(
        label="医养结合模式", choices=Institution.CareModel.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Institution
        fields = [
            "code",
            "name",
            "uscc",
            "kind",
            "ownership",
            "township",
            "beds",
            "operating_since",
            "care_models",
            "contact_person",
            "contact_phone",
            "address",
            "is_active",
        ]

    def clean_uscc(self):
        return uscc.compact(self.cleaned_data["uscc"])


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    form = InstitutionForm
    list_display = ("name", "code", "kind", "ownership", "township", "beds", "operating_since", "is_active")
    list_filter = ("kind", "ownership", "township", "is_active")
    search_fields = ("name", "code", "uscc")
