"""The reviewer's decision: approve, return for supplement (with what is missing), reject (with a reason)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import ChineseForm
from workflows.decisions import COMMENT_MAX_LENGTH, MISSING_ITEM_MAX_LENGTH, MISSING_ITEMS_MAX, decision_rule_errors
from workflows.models import Decision

from .fields import LinesField, PlainTextField


class DecisionForm(ChineseForm):
    decision = forms.ChoiceField(label=_("审核意见"), choices=Decision.choices, widget=forms.RadioSelect)
    comment = PlainTextField(label=_("说明"), required=False, max_length=COMMENT_MAX_LENGTH, multiline=True)
    missing_items = LinesField(
        label=_("需补正的材料（每行一项）"),
        required=False,
        max_items=MISSING_ITEMS_MAX,
        max_item_length=MISSING_ITEM_MAX_LENGTH,
    )

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        for field, messages in decision_rule_errors(
            decision, cleaned.get("comment", ""), cleaned.get("missing_items", [])
        ).items():
            self.add_error(field, messages)
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
