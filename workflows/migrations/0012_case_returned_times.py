"""Cases count their returns, so a new step looks up the time used before only when there was a return."""

from django.db import migrations, models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce


def count_returns(apps, schema_editor):
    Case = apps.get_model("workflows", "Case")
    CaseTask = apps.get_model("workflows", "CaseTask")
    returns = (
        CaseTask.objects.filter(process=OuterRef("pk"), decision="return", status="DONE")
        .order_by()
        .values("process")
        .annotate(n=Count("pk"))
        .values("n")
    )
    Case.objects.update(returned_times=Coalesce(Subquery(returns), 0))


class Migration(migrations.Migration):
    dependencies = [("workflows", "0011_queue_indexes")]

    operations = [
        migrations.AddField(
            model_name="case",
            name="returned_times",
            field=models.PositiveIntegerField(default=0, verbose_name="退回补正次数"),
        ),
        migrations.RunPython(count_returns, migrations.RunPython.noop),
    ]
