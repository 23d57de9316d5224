"""Deadline alerts (承诺时限提醒): a review step about to fall due, or overdue.

DOMAIN.md: "before a step is due its holder is reminded, and an overdue step is
escalated to the unit's head." An alert is a fact about a task, not a message to a
person: who sees it is decided when it is read (the task's holder, or the heads of its
unit), so a task claimed or reassigned after the alert still alerts the right people.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskAlert(models.Model):
    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("即将到期")
        OVERDUE = "overdue", _("已超期")

    task = models.ForeignKey("workflows.CaseTask", on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    due = models.DateField(_("办理时限"))
    created_at = models.DateTimeField(_("提醒时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("时限提醒")
        verbose_name_plural = _("时限提醒")
        ordering = ["due", "id"]
        constraints = [
            # Once per task and kind: a beat that runs twice (or two beats) alerts once.
            models.UniqueConstraint(fields=["task", "kind"], name="task_alert_once"),
        ]
        indexes = [
            # The live due-soon reminders, by due date: those not yet past their date are the
            # few steps due today or on the next working day, however many alerts the years
            # left behind (workflows/scoping.py deadline_alerts starts from them).
            models.Index(fields=["due", "task"], condition=models.Q(kind="due_soon"), name="task_alert_due_soon"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.task_id}"
