"""NumberSequence now belongs to the common app (the table stays where it is)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("workflows", "0005_case_parties"),
        ("common", "0001_number_sequence"),
        # that data migration reads workflows.NumberSequence from the historical state
        ("documents", "0004_number_series_per_kind"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="NumberSequence")],
            database_operations=[],
        ),
    ]
