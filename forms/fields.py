"""Form fields shared by every form: plain text that refuses markup, money in 元."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from common.validators import validate_id_number, validate_money, validate_plain_text


class PlainTextField(forms.CharField):
    """Free text without markup or control characters (rejected, not escaped later)."""

    default_validators = [validate_plain_text]

    def __init__(self, *args, multiline: bool = False, **kwargs):
        kwargs.setdefault("strip", True)
        if multiline:
            kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
        super().__init__(*args, **kwargs)


class MoneyField(forms.DecimalField):
    """An amount in 元 with at most two decimals, never negative."""

    default_validators = [validate_money]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0"))
        super().__init__(*args, **kwargs)
        self.error_messages.setdefault("max_decimal_places", _("金额最多保留两位小数（精确到分）。"))


class LinesField(PlainTextField):
    """One item per line (e.g. the list of missing materials), cleaned to a list of strings."""

    def __init__(self, *args, max_items: int = 30, max_item_length: int = 200, **kwargs):
        self.max_items = max_items
        self.max_item_length = max_item_length
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
        super().__init__(*args, **kwargs)

    def clean(self, value):
        text = super().clean(value)
        items = [line.strip(" \t-·•") for line in (text or "").splitlines()]
        items = [item for item in items if item]
        if len(items) > self.max_items:
            raise forms.ValidationError(_("最多列出 %(n)s 项。"), params={"n": self.max_items})
        if any(len(item) > self.max_item_length for item in items):
            raise forms.ValidationError(_("每一项不超过%(n)s字。"), params={"n": self.max_item_length})
        return items


class IdNumberField(forms.CharField):
    """A 居民身份证号码, stored upper-case without spaces; refused with a message naming what is wrong.

    No min/max length of its own: the validator's one message covers a wrong length,
    so the form never shows Django's stock "确保该变量至少包含 18 字符" beside it.
    """

    default_validators = [validate_id_number]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"maxlength": 18, "autocomplete": "off", "spellcheck": "false"})
        )
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        return "".join(str(super().to_python(value)).split()).upper()
