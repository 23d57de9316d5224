"""The administrator's corrections to the working-day calendar."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarDay(models.Model):
    """A day whose working status differs from what chinese-calendar says (or cannot say).

    chinese-calendar knows the State Council's holidays and make-up working days (调休)
    only for years it was released for; the administrator enters later years here,
    and may correct any day.
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
