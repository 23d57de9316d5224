"""The counters behind every number the product hands out: case numbers, filing numbers, document numbers."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class NumberSequence(models.Model):
    """The last number handed out for one series in one year.

    A number is taken under a row lock inside the transaction that uses it: if that
    transaction rolls back, so does the counter, and a committed number is never
    handed out again.
    """

    series = models.CharField(_("序列"), max_length=60)
    year = models.PositiveSmallIntegerField(_("年度"))
    last = models.PositiveIntegerField(_("已用至"), default=0)

    class Meta:
        verbose_name = _("编号序列")
        verbose_name_plural = _("编号序列")
        # The table was created by the workflows app before numbering moved here.
        db_table = "workflows_numbersequence"
        constraints = [models.UniqueConstraint(fields=["series", "year"], name="sequence_series_year")]

    def __str__(self) -> str:
        return f"{self.series}/{self.year}: {self.last}"
