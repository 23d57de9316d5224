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


def check_types(form_class: type[forms.Form], payload, *, list_fields: tuple[str, ...] = ()) -> dict:
    """Refuse a body that is not an object, or a value of the wrong JSON type, with a field error."""
    if not isinstance(payload, dict):
        raise InvalidInput(_("请求体应为 JSON 对象。"))
    errors: dict[str, list[str]] = {}
    for name, field in form_class.base_fields.items():
        if name not in payload:
            continue
        value = payload[name]
        wants_list = name in list_fields or isinstance(
            field, (forms.ModelMultipleChoiceField, forms.MultipleChoiceField, LinesField)
        )
        if wants_list:
            if value is not None and (not isinstance(value, list) or not all(isinstance(v, SCALARS) for v in value)):
                errors[name] = [_("应为列表。")]
        elif not isinstance(value, SCALARS):
            errors[name] = [_("类型错误。")]
    if errors:
        raise InvalidInput(fields=errors)
    return payload


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
