"""The county's basis documents (laws, plans, opinions) as data: loaded from a CSV file, kept in PolicyBasis.

The county is data, not code (docs/domain.md "One county today, any county tomorrow"):
the titles, issuers and document numbers live in the county's ``policy_basis.csv``
(in ``settings.COUNTY_DATA_DIR``), never in Python or templates. A fresh database gets
the file's rows on its first ``migrate``, and ``manage.py load_county`` loads them with
the rest of the county; after that the rows belong to the administrators (admin →
依据文件), and ``manage.py load_policy_basis`` re-reads a file only when an operator asks.
"""

import csv
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction

from institutions.loader import CountyDataError

DEFAULT_CSV = Path(settings.COUNTY_DATA_DIR) / "policy_basis.csv"
COLUMNS = (
    "code",
    "title",
    "issuer",
    "doc_number",
    "citation",
    "effective_from",
    "effective_until",
    "applies_to",
    "sort_order",
    "note",
)


def read_rows(path: Path) -> list[dict]:
    """The file's rows as model field values; a missing column or a bad date raises ValueError naming the row."""
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = set(COLUMNS) - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: missing columns {sorted(missing)}")
        rows = []
        for line, row in enumerate(reader, start=2):
            try:
                rows.append(
                    {
                        **{
                            name: row[name].strip()
                            for name in ("code", "title", "issuer", "doc_number", "citation", "applies_to", "note")
                        },
                        "effective_from": date.fromisoformat(row["effective_from"].strip()),
                        "effective_until": date.fromisoformat(row["effective_until"].strip())
                        if row["effective_until"].strip()
                        else None,
                        "sort_order": int(row["sort_order"] or 100),
                    }
                )
            except ValueError as error:
                raise ValueError(f"{path}, line {line}: {error}") from error
    return rows


def load_policy_basis(path: Path = DEFAULT_CSV, *, model=None) -> int:
    """Create or update one row per code in the file; returns how many rows the file had.

    ``model`` lets the post-migrate hook pass the historical model of the migration state.
    """
    if model is None:
        from .models import PolicyBasis as model
    rows = read_rows(path)
    with transaction.atomic():
        for row in rows:
            code = row.pop("code")
            model.objects.update_or_create(code=code, defaults=row)
    return len(rows)


def seed_after_migrate(sender, *, using="default", apps=None, **kwargs) -> None:
    """post_migrate: give an empty table the county's file, once.

    Runs after every ``migrate`` (which passes the migration state's ``apps``) and after
    ``flush`` (which passes none); rows already present (edited by an administrator) are
    never overwritten here.
    """
    if apps is None:
        from django.apps import apps
    try:
        model = apps.get_model("documents", "PolicyBasis")
    except LookupError:  # migrated back before the table existed
        return
    if not model.objects.using(using).exists() and DEFAULT_CSV.exists():
        load_policy_basis(DEFAULT_CSV, model=model)


def load_with_county(*, directory, **kwargs) -> int:
    """With the county's data (institutions.loader.county_loaded): its policy_basis.csv, if it has one."""
    path = Path(directory) / "policy_basis.csv"
    if not path.exists():
        return 0
    try:
        return load_policy_basis(path)
    except ValueError as error:
        raise CountyDataError(str(error)) from error
