"""One Django group per role code: a user's roles are its groups."""

from django.db import migrations

from permissions.reference import create_role_groups


def create(apps, schema_editor):
    create_role_groups(apps.get_model("auth", "Group"))


class Migration(migrations.Migration):
    dependencies = [("permissions", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
