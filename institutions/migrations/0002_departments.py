"""The four county bureaus are reference data the flows route to by code."""

from django.db import migrations

from institutions.reference import create_departments


def create(apps, schema_editor):
    create_departments(apps.get_model("institutions", "Department"))


class Migration(migrations.Migration):
    dependencies = [("institutions", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
