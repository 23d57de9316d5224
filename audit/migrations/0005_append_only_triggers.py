"""The database refuses UPDATE and DELETE on audit events (audit/triggers.py)."""

from django.db import migrations

from audit.triggers import create_sql, drop_sql


def create(apps, schema_editor):
    for statement in create_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    for statement in drop_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_statements")]
    operations = [migrations.RunPython(create, drop)]
