"""JSON request bodies validated by the web UI's own Django forms, so both doors apply the same rules.

Also derives the OpenAPI request schema from those forms: the documented body cannot
drift from what is enforced.
"""

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.utils.translation import gettext as _
from rest_framework import serializers

from common.errors import InvalidInput
from forms.fields import LinesField

SCALARS = (str, int, float, bool, type(None))
# JSON types a form field's value may have, checked before the form sees it: Django's
# date fields call .strip() on what they get, so `false` in a date was an exception (a
# 500), and `true` in a number field read as 1. None (JSON null) is "left empty" everywhere.
TEXT = (str,)
NUMBER = (int, float, str)
CHOICE = (str, int)
IDENTIFIER = (int, str)  # a row's id: never a fraction (1.5 would be read as row 1)


def _accepted_types(field: forms.Field) -> tuple[type, ...]:
    if isinstance(field, forms.BooleanField):
        return (bool,)
    if isinstance(field, (forms.DateField, forms.DateTimeField, forms.TimeField, forms.DurationField)):
        return TEXT
    if isinstance(field, forms.ModelChoiceField):
        return IDENTIFIER
    if isinstance(field, (forms.IntegerField, forms.DecimalField, forms.FloatField)):
        return NUMBER
    if isinstance(field, (forms.ChoiceField, forms.ModelMultipleChoiceField)):
        return CHOICE
    return (str, int, float)


def _is_a(value: object, types: tuple[type, ...]) -> bool:
    """isinstance, except that true/false are never numbers or text (bool is an int in Python)."""
    if isinstance(value, bool):
        return bool in types
    return isinstance(value, types)


def check_types(form_class: type[forms.Form], payload, *, list_fields: tuple[str, ...] = ()) -> dict:
    """Refuse a body that is not an object, or a value of the wrong JSON type, with a field error."""
    if not isinstance(payload, dict):
        raise InvalidInput(_("请求体应为 JSON 对象。"))
    errors: dict[str, list[str]] = {}
    for name, field in form_class.base_fields.items():
        if name not in payload or payload[name] is None:
            continue
        value = payload[name]
        wants_list = name in list_fields or isinstance(
            field, (forms.ModelMultipleChoiceField, forms.MultipleChoiceField, LinesField)
        )
        if wants_list:
            item_types = TEXT if isinstance(field, LinesField) else _accepted_types(field)
            if not isinstance(value, list) or not all(_is_a(item, item_types) for item in value):
                errors[name] = [_("应为列表。")]
        elif not _is_a(value, _accepted_types(field)):
            errors[name] = [_type_message(field)]
    if errors:
        raise InvalidInput(fields=errors)
    return payload


def _type_message(field: forms.Field) -> str:
    if isinstance(field, forms.BooleanField):
        return str(_("应为 true 或 false。"))
    if isinstance(field, forms.DateField):
        return str(_("应为日期字符串（YYYY-MM-DD）。"))
    if isinstance(field, (forms.IntegerField, forms.DecimalField, forms.FloatField)):
        return str(_("应为数字。"))
    return str(_("类型错误。"))


def form_errors(form) -> dict[str, list[str]]:
    return {field: [str(m) for m in messages] for field, messages in form.errors.items()}


def formset_errors(formset, name: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for index, form_errors_ in enumerate(formset.errors):
        for field, messages in form_errors_.items():
            errors[f"{name}.{index}.{field}"] = [str(m) for m in messages]
    if formset.non_form_errors():
        errors[name] = [str(m) for m in formset.non_form_errors()]
    return errors


def _choices(field: forms.Field) -> list[Any]:
    return list(cast(Iterable[Any], getattr(field, "choices", [])))


def _serializer_field(field: forms.Field, *, optional: bool = False) -> serializers.Field:
    common: dict[str, Any] = {"required": field.required and not optional, "help_text": str(field.label or "")}
    if isinstance(field, forms.ModelMultipleChoiceField):
        return serializers.ListField(child=serializers.IntegerField(), **common)
    if isinstance(field, forms.MultipleChoiceField):
        return serializers.ListField(child=serializers.ChoiceField(choices=_choices(field)), **common)
    if isinstance(field, forms.ModelChoiceField):
        return serializers.IntegerField(**common)
    if isinstance(field, LinesField):
        return serializers.ListField(child=serializers.CharField(), **common)
    if isinstance(field, forms.ChoiceField):
        return serializers.ChoiceField(choices=_choices(field), **common)
    if isinstance(field, forms.BooleanField):
        return serializers.BooleanField(required=False, help_text=common["help_text"])
    if isinstance(field, forms.TypedChoiceField) and field.coerce is int:
        return serializers.ChoiceField(choices=[value for value, _label in _choices(field)], **common)
    if isinstance(field, forms.DecimalField):
        return serializers.DecimalField(max_digits=field.max_digits, decimal_places=field.decimal_places, **common)
    if isinstance(field, forms.DateField):
        return serializers.DateField(**common)
    if isinstance(field, forms.IntegerField):
        return serializers.IntegerField(**common)
    return serializers.CharField(max_length=getattr(field, "max_length", None), **common)


def serializer_for_form(
    form_class: type[forms.Form], name: str, *, extra: dict | None = None, exclude=(), optional: bool = False
) -> type:
    """A DRF serializer class mirroring a form's fields, for the OpenAPI schema (``optional``: a partial update)."""
    attrs = {
        field_name: _serializer_field(field, optional=optional)
        for field_name, field in form_class.base_fields.items()
        if field_name not in exclude
    }
    attrs.update(extra or {})
    return type(name, (serializers.Serializer,), attrs)
