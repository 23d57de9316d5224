"""The reviewer's decision: approve, return for supplement (with what is missing), reject (with a reason)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import ChineseForm
from workflows.models import Decision

from .fields import LinesField, PlainTextField


class DecisionForm(ChineseForm):
    decision = forms.ChoiceField(label=_("审核意见"), choices=Decision.choices, widget=forms.RadioSelect)
    comment = PlainTextField(label=_("说明"), required=False, max_length=1000, multiline=True)
    missing_items = LinesField(label=_("需补正的材料（每行一项）"), required=False)

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if decision in (Decision.RETURN, Decision.REJECT) and not cleaned.get("comment"):
            self.add_error(
                "comment",
                _("退回补正须说明理由。") if decision == Decision.RETURN else _("不予通过须说明理由。"),
            )
        if decision == Decision.RETURN and not cleaned.get("missing_items"):
            self.add_error("missing_items", _("退回补正须列出需补正的材料。"))
        if decision != Decision.RETURN:
            cleaned["missing_items"] = []
        return cleaned


class ReassignForm(ChineseForm):
    """A unit head moves an open task to another reviewer of the unit, saying why."""

    to = forms.ChoiceField(label=_("改派给"))
    reason = PlainTextField(label=_("改派原因"), max_length=200, multiline=True)

    def __init__(self, *args, reviewers=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Starts on an empty choice: a head must pick the person, not accept the first name listed.
        self.fields["to"].choices = [
            ("", _("请选择审核人员")),
            *((u.username, f"{u}（{u.username}）") for u in reviewers),
        ]
        self.fields["reason"].widget.attrs["rows"] = 2
