"""Administrators manage townships, bureaus and institutions here."""

from django import forms
from django.contrib import admin
from stdnum.cn import uscc

from .models import Department, Institution, Township


@admin.register(Township)
class TownshipAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind")
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
