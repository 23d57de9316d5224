"""The administrator's corrections to the working-day calendar, and the years entered in full."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# The years the calendar can be asked about at all (a date outside them is a typo).
FIRST_YEAR, LAST_YEAR = 2000, 2100


class CalendarDay(models.Model):
    """A day whose working status differs from what chinese-calendar says (or cannot say).

    chinese-calendar knows the State Council's holidays and make-up working days (调休)
    only for years it was released for; the administrator enters later years here,
    and may correct any day. Changed only through workflows/services/calendar.py, which
    records each change in the audit log.
    """

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("工作日"))
    name = models.CharField(_("说明"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'上班' if self.is_workday else '休息'} {self.name}"


class CalendarYear(models.Model):
    """A year whose holidays and make-up working days the administrator has entered in full.

    Overrides alone do not make a year known: one holiday entered early (元旦) says
    nothing about the rest of the year. Until its row exists, counting in a year that
    chinese-calendar does not know warns that Monday to Friday were assumed.
    """

    year = models.PositiveSmallIntegerField(
        _("年度"), unique=True, validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]
    )
    entered_at = models.DateTimeField(_("确认时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("已录入节假日的年度")
        verbose_name_plural = _("已录入节假日的年度")
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}年"
