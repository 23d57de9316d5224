"""Filings that asked for 医保定点 but were stored as not requested (before 卫健局 filed them) now read pending."""

from django.db import migrations


def requested_means_pending(apps, schema_editor):
    ClinicFiling = apps.get_model("workflows", "ClinicFiling")
    ClinicFiling.objects.filter(medical_insurance=True, insurance_decision="not_requested").update(
        insurance_decision="pending"
    )


class Migration(migrations.Migration):
    dependencies = [("workflows", "0003_task_alerts")]

    operations = [migrations.RunPython(requested_means_pending, migrations.RunPython.noop)]
