"""NumberSequence moves from workflows to common: the same table, now owned by the bottom app."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("workflows", "0005_case_parties")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="NumberSequence",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("series", models.CharField(max_length=60, verbose_name="序列")),
                        ("year", models.PositiveSmallIntegerField(verbose_name="年度")),
                        ("last", models.PositiveIntegerField(default=0, verbose_name="已用至")),
                    ],
                    options={
                        "verbose_name": "编号序列",
                        "verbose_name_plural": "编号序列",
                        "db_table": "workflows_numbersequence",
                        "constraints": [
                            models.UniqueConstraint(fields=("series", "year"), name="sequence_series_year")
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
