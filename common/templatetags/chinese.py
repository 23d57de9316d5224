"""Template filters for common.formatting: {% load chinese %} … {{ fee|money }}, {{ day|cn_date }}."""

from typing import Any

from django import template
from django.utils.dateparse import parse_datetime

from common import formatting

register = template.Library()


@register.filter
def money(amount: Any) -> str:
    return "" if amount is None or amount == "" else formatting.money(amount)


@register.filter
def money_words(amount: Any) -> str:
    return "" if amount is None or amount == "" else formatting.amount_in_words(amount)


@register.filter
def money_with_words(amount: Any) -> str:
    return "" if amount is None or amount == "" else formatting.money_with_words(amount)


@register.filter
def cn_date(moment: Any) -> str:
    return "" if not moment else formatting.chinese_date(moment)


@register.filter
def cn_datetime(moment: Any) -> str:
    """An aware datetime, or its ISO 8601 text (as the verification report carries it), in local time."""
    if isinstance(moment, str):
        moment = parse_datetime(moment)
    return "" if not moment else formatting.chinese_datetime(moment)
