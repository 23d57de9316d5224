"""Number each issuing unit's series of documents separately (DOMAIN.md, Documents).

Until now one counter per unit served every kind, so 卫健局's first agreement was
磐卫医养协〔2026〕3号 after two filing certificates. Numbers already issued stay as they
are; each new per-kind series continues after the highest number its kind already
used that year, so no number can be handed out twice.
"""

import re

from django.db import migrations

NUMBER = re.compile(r"〔(?P<year>\d{4})〕(?P<n>\d+)号$")
# documents.numbering.KIND_CODES as they stood when this migration was written.
KIND_CODES = {
    "filing_certificate": "医养备",
    "rejection_notice": "医养不予",
    "approval_record": "医养审记",
    "cooperation_agreement": "医养协",
    "termination_notice": "医养终",
    "subsidy_decision": "医养补",
}


def continue_per_kind(apps, schema_editor):
    Document = apps.get_model("documents", "Document")
    NumberSequence = apps.get_model("workflows", "NumberSequence")
    highest: dict[tuple[str, int], int] = {}
    for number, kind, number_issuer, issuers in Document.objects.values_list(
        "number", "kind", "number_issuer", "issuers"
    ):
        found = NUMBER.search(number)
        unit = number_issuer or (issuers[0] if issuers else None)
        if not found or not unit or kind not in KIND_CODES:
            continue
        series = f"doc:{unit['type']}:{unit['code']}:{KIND_CODES[kind]}"
        key = (series, int(found["year"]))
        highest[key] = max(highest.get(key, 0), int(found["n"]))
    for (series, year), last in highest.items():
        NumberSequence.objects.update_or_create(series=series, year=year, defaults={"last": last})


class Migration(migrations.Migration):
    dependencies = [("documents", "0003_number_issuer"), ("workflows", "0004_insurance_requested_is_pending")]

    operations = [migrations.RunPython(continue_per_kind, migrations.RunPython.noop)]
