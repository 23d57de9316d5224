"""The subsidy procedure's admin: its policy table (new versions) and its budgets (read)."""

from django import forms
from django.contrib import admin

from .models import Budget, SubsidyApplication, SubsidyPolicy
from .models.subsidy import EFFECTIVE_AFTER_PUBLICATION
from .services.subsidy import validate_policy


class SubsidyPolicyForm(forms.ModelForm):
    """A new version is checked like the API checks it; its number is the next of its kind."""

    class Meta:
        model = SubsidyPolicy
        fields = ["code", "name", "source", "published_on", "effective_on", "rule", "params", "eligibility", "once_per"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "effective_on" in self.fields:  # (a version applied for is shown read-only, without fields)
            self.fields["effective_on"].required = False
            self.fields["effective_on"].help_text = "留空为发布日期后30日（政策发布30日后施行）。"

    def clean(self):
        cleaned = super().clean()
        for field, errors in validate_policy(cleaned).items():
            for message in errors:
                self.add_error(field if field in self.fields else None, message)
        if cleaned.get("published_on") and not cleaned.get("effective_on"):
            cleaned["effective_on"] = cleaned["published_on"] + EFFECTIVE_AFTER_PUBLICATION
        return cleaned


@admin.register(SubsidyPolicy)
class SubsidyPolicyAdmin(admin.ModelAdmin):
    """补助政策: a kind or a new version is added here (or by the API); a version applied for is never edited."""

    form = SubsidyPolicyForm
    list_display = ("name", "code", "version", "source", "published_on", "effective_on", "rule")
    list_filter = ("code", "rule")
    ordering = ("code", "version")

    def save_model(self, request, obj, form, change):
        if not change:
            latest = SubsidyPolicy.objects.filter(code=obj.code).order_by("-version").first()
            obj.version = (latest.version + 1) if latest else 1
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def _in_use(self, obj) -> bool:
        return obj is not None and SubsidyApplication.objects.filter(policy=obj).exists()

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._in_use(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and obj is not None and not self._in_use(obj)


@admin.register(Budget)
class BudgetAdmin(admin.ModelAdmin):
    """Budgets are set by 财政局's head on its desk (/finance/) or through the API, which refuse a total below
    what is committed; here they are read."""

    list_display = ("year", "kind", "total", "updated_at")
    list_filter = ("year", "kind")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
