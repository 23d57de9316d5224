"""The promised working days of each review step (承诺时限), as data the administrator can change."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class StepDeadline(models.Model):
    """How many working days a procedure's review step promises (DOMAIN.md: township 3, bureaus 5, 备案 2 …).

    One row per step of every registered procedure, created with the flow's default
    (the figure its module declares, from DOMAIN.md) after each migration and never
    overwritten by it: the administrator's figure holds. A change applies to steps that
    arrive afterwards; a step already running keeps the due date it was given.
    """

    procedure = models.CharField(_("事项"), max_length=20)
    step = models.CharField(_("环节代码"), max_length=60)
    title = models.CharField(_("环节"), max_length=60)
    days = models.PositiveSmallIntegerField(
        _("承诺办结时限（工作日）"), validators=[MinValueValidator(1), MaxValueValidator(60)]
    )

    class Meta:
        verbose_name = _("环节承诺时限")
        verbose_name_plural = _("环节承诺时限")
        ordering = ["procedure", "id"]
        constraints = [models.UniqueConstraint(fields=["procedure", "step"], name="step_deadline_once")]

    def __str__(self) -> str:
        return f"{self.title}：{self.days}个工作日"
