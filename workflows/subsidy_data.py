"""The county's initial subsidy policies, loaded with its data (subsidy_policies.json beside county.csv).

Rows are added by (code, version) and never overwritten: once a version is in the
table it is the record of what applications were judged by; a correction is a new
version, added in the admin or through the API.
"""

import json
from pathlib import Path

from django.dispatch import receiver

from institutions.loader import CountyDataError, county_loaded

from .models import SubsidyPolicy
from .services.subsidy import validate_policy

FILE_NAME = "subsidy_policies.json"


def load_subsidy_policies(path: Path) -> int:
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise CountyDataError(f"{path}: {error}") from error
    added = 0
    for index, row in enumerate(rows, 1):
        errors = validate_policy(row)
        if errors:
            raise CountyDataError(f"{path}, policy {index}: {errors}")
        _, created = SubsidyPolicy.objects.get_or_create(
            code=row["code"],
            version=row["version"],
            defaults={
                key: row[key]
                for key in ("name", "source", "published_on", "effective_on", "rule", "params", "eligibility")
            }
            | {"once_per": row.get("once_per") or ""},
        )
        added += created
    return added


@receiver(county_loaded, dispatch_uid="workflows.load_subsidy_policies")
def load_with_county(*, directory, **kwargs) -> int:
    path = Path(directory) / FILE_NAME
    return load_subsidy_policies(path) if path.exists() else 0
