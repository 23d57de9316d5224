"""The made-up procedure's own record: what the institution asks to have inspected."""

from django.db import models


class InspectionRequest(models.Model):
    case = models.OneToOneField("workflows.Case", on_delete=models.CASCADE, primary_key=True, related_name="inspection")
    subject = models.CharField("检查事项", max_length=100)

    def __str__(self) -> str:
        return self.subject
