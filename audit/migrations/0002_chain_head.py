"""The single chain-head row every append locks (created once, not on each append)."""

from django.db import migrations


def create(apps, schema_editor):
    apps.get_model("audit", "AuditChainHead").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
