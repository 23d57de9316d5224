"""A chain per case, account or the county instead of one county-wide chain behind a locked head row.

The events already recorded are re-chained in id order into their new chains (their
hashes recomputed): the old single chain proved nothing the new ones do not, and the
triggers of 0004 make this the last time any event row is written to.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

COUNTY_ACTIONS_PREFIXES = ("admin_", "calendar_", "budget_", "policy_", "sample_cases_")


def rechain(apps, schema_editor):
    from audit.hashing import GENESIS, digest

    Event = apps.get_model("audit", "AuditEvent")
    heads: dict[str, tuple[int, str]] = {}
    for event in Event.objects.order_by("id").iterator(chunk_size=2000):
        if event.case_no:
            chain = event.case_no
        elif event.actor_name not in ("", "system") and not event.action.startswith(COUNTY_ACTIONS_PREFIXES):
            chain = "account:" + event.actor_name
        else:
            chain = "county"
        seq, prev = heads.get(chain, (0, GENESIS))
        event.chain, event.seq, event.prev_hash = chain, seq + 1, prev
        event.hash = digest(
            chain,
            seq + 1,
            prev,
            event.at,
            event.actor_id,
            event.actor_name,
            event.role,
            event.unit,
            event.ip,
            event.action,
            event.case_no,
            event.detail,
        )
        Event.objects.filter(pk=event.pk).update(chain=chain, seq=seq + 1, prev_hash=prev, hash=event.hash)
        heads[chain] = (seq + 1, event.hash)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_chain_head"), migrations.swappable_dependency(settings.AUTH_USER_MODEL)]

    operations = [
        migrations.DeleteModel(name="AuditChainHead"),
        migrations.AddField(
            model_name="auditevent",
            name="ip",
            field=models.CharField(blank=True, default="", max_length=45, verbose_name="IP 地址"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="chain",
            field=models.CharField(default="", max_length=160, verbose_name="链"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(default=0, verbose_name="链内序号"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="操作人",
            ),
        ),
        migrations.AlterField(model_name="auditevent", name="hash", field=models.CharField(max_length=64)),
        migrations.AlterField(
            model_name="auditevent",
            name="case_no",
            field=models.CharField(blank=True, max_length=32, verbose_name="办件编号"),
        ),
        migrations.RunPython(rechain, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(fields=("chain", "seq"), name="audit_event_chain_seq"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["actor_name", "id"], name="audit_event_actor_id"),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["case_no", "id"], name="audit_event_case_id"),
        ),
    ]
