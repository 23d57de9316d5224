"""Chinese formatting of money and dates, written one way everywhere: pages, documents, messages.

DOMAIN.md: money is in 元 with two decimals; documents write amounts in figures and in
capital numerals (大写). One function per shape, so a page, a document's table and its
body text can never spell the same amount two ways.
"""

from datetime import date, datetime
from decimal import Decimal

import cn2an
from django.utils import timezone


def money(amount: Decimal | int | str) -> str:
    """36,000.00元 — thousands separated, two decimals, 元."""
    return f"{Decimal(amount):,.2f}元"


def amount_in_words(amount: Decimal | int | str) -> str:
    """Capital numerals (大写) as on official money documents: 伍拾万元整."""
    return cn2an.an2cn(f"{Decimal(amount):.2f}", "rmb")


def money_with_words(amount: Decimal | int | str) -> str:
    """36,000.00元（叁万陆仟元整）: the figures and the capitals, as a document states an amount."""
    return f"{money(amount)}（{amount_in_words(amount)}）"


def chinese_date(moment: date | datetime) -> str:
    """2026年11月30日 (an instant is first turned into its local date)."""
    day = timezone.localtime(moment).date() if isinstance(moment, datetime) else moment
    return f"{day.year}年{day.month}月{day.day}日"


def chinese_datetime(moment: datetime) -> str:
    """2026年11月30日 14:05 in local time."""
    local = timezone.localtime(moment)
    return f"{chinese_date(local.date())} {local:%H:%M}"


def date_range(start: date, end: date) -> str:
    """2027年1月1日至2029年12月31日."""
    return f"{chinese_date(start)}至{chinese_date(end)}"
