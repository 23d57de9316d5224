"""A county's data directory into the database: ``load_county(directory)``, idempotent, by code.

The directory's files (institutions/data/README.md describes every column):

    county.csv        one row: the county's name, 简称, division code, case-number prefix, …
    departments.csv   the four bureaus by code, with full and short names and 发文代字
    townships.csv     the townships; their official issuing name and 代字 may be left blank
    institutions.csv  the institutions that apply, each in one of the townships
    policy_basis.csv  (optional) the basis documents its documents cite

Rows are created or updated by ``code`` and never deleted: a unit that has cases stays
(a township or institution is retired in the admin). The whole load is one
transaction, and a bad row raises ``CountyDataError`` naming the file and line, so a
wrong file changes nothing.
"""

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import Signal
from stdnum.cn import uscc

from .models import County, Department, Institution, Township

COUNTY_COLUMNS = ("name", "abbreviation", "division_code", "case_prefix", "province", "government")
DEPARTMENT_COLUMNS = ("code", "name", "short_name", "doc_prefix")
TOWNSHIP_COLUMNS = ("code", "name", "kind")
INSTITUTION_COLUMNS = ("code", "name", "kind", "ownership", "township", "uscc")
# Suffixes a township's name ends with; what precedes them is its short name in a 代字.
TOWNSHIP_SUFFIXES = ("街道", "镇", "乡")


class CountyDataError(ValueError):
    """A file of the county's directory is missing, lacks a column or has a bad row."""


@dataclass(frozen=True)
class LoadedCounty:
    county: County
    departments: int
    townships: int
    institutions: int
    basis_documents: int


def read_csv(path: Path, required: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """The rows of a UTF-8 CSV file as (line number, stripped values); a missing column raises."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = set(required) - set(reader.fieldnames or ())
            if missing:
                raise CountyDataError(f"{path}: missing columns {sorted(missing)}")
            return [
                (line, {name: (value or "").strip() for name, value in row.items() if name})
                for line, row in enumerate(reader, start=2)
            ]
    except OSError as error:
        raise CountyDataError(f"{path}: {error.strerror or error}") from error


def _save(instance, path: Path, line: int):
    """Validate as the admin would (field rules, choices, check characters), then save."""
    try:
        instance.full_clean()
    except ValidationError as error:
        problems = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
        raise CountyDataError(f"{path}, line {line}: {problems}") from error
    instance.save()
    return instance


def _upsert(model, code: str, values: dict, path: Path, line: int):
    instance = model.objects.filter(code=code).first() or model(code=code)
    for name, value in values.items():
        setattr(instance, name, value)
    return _save(instance, path, line)


def load_county_row(path: Path) -> County:
    rows = read_csv(path, COUNTY_COLUMNS)
    if len(rows) != 1:
        raise CountyDataError(f"{path}: one row expected (one county per installation), found {len(rows)}")
    line, row = rows[0]
    county = County.objects.filter(pk=County.SINGLE_ROW).first() or County()
    for name in COUNTY_COLUMNS:
        setattr(county, name, row[name])
    return _save(county, path, line)


def load_departments(path: Path) -> int:
    """The four bureaus: their codes are the flows' (permissions/roles.py), their names the county's."""
    rows = read_csv(path, DEPARTMENT_COLUMNS)
    codes = [row["code"] for _line, row in rows]
    if sorted(codes) != sorted(Department.Code.values):
        raise CountyDataError(f"{path}: one row for each of {sorted(Department.Code.values)} expected, found {codes}")
    for line, row in rows:
        values = {name: row[name] for name in DEPARTMENT_COLUMNS if name != "code"}
        _upsert(Department, row["code"], values, path, line)
    return len(rows)


def township_official_name(county: County, name: str, kind: str) -> str:
    """The issuing name when the file gives none: a 街道 has an office (办事处), a 镇 or 乡 a government."""
    office = "办事处" if kind == Township.Kind.SUBDISTRICT else "人民政府"
    return f"{county.name}{name}{office}"


def township_doc_prefix(county: County, name: str) -> str:
    """The 代字 when the file gives none: the county's 简称 and the township's name without its suffix."""
    short = name
    for suffix in TOWNSHIP_SUFFIXES:
        short = short.removesuffix(suffix)
    return f"{county.abbreviation}{short}"


def load_townships(path: Path, county: County) -> int:
    rows = read_csv(path, TOWNSHIP_COLUMNS)
    for line, row in rows:
        values = {
            "name": row["name"],
            "kind": row["kind"],
            "official_name": row.get("official_name") or township_official_name(county, row["name"], row["kind"]),
            "doc_prefix": row.get("doc_prefix") or township_doc_prefix(county, row["name"]),
        }
        _upsert(Township, row["code"], values, path, line)
    return len(rows)


def _care_models(text: str) -> list[str]:
    """`医养协同;养中融医` or the codes: the 医养结合 models, separated by semicolons."""
    by_label = {str(label): code for code, label in Institution.CareModel.choices}
    models = []
    for part in text.replace("；", ";").split(";"):
        part = part.strip()
        if part:
            code = by_label.get(part, part)
            if code not in Institution.CareModel.values:
                raise ValueError(f"unknown 医养结合 model {part!r}")
            models.append(code)
    return models


def _month_or_day(text: str) -> date | None:
    """2021-06 (the first of that month) or 2021-06-15; blank for not operating yet."""
    if not text:
        return None
    return date.fromisoformat(f"{text}-01" if len(text) == 7 else text)


def _institution_values(row: dict[str, str], townships: dict[str, Township], county: County) -> dict:
    township = townships.get(row["township"])
    if township is None:
        raise ValueError(f"unknown township {row['township']!r}")
    return {
        "name": row["name"],
        "kind": row["kind"],
        "ownership": row["ownership"],
        "township": township,
        "uscc": uscc.compact(row["uscc"]),
        "beds": int(row["beds"]) if row.get("beds") else None,
        "operating_since": _month_or_day(row.get("operating_since", "")),
        "care_models": _care_models(row.get("care_models", "")),
        "address": row.get("address") or f"{county.name}{township.name}",
        "contact_person": row.get("contact_person", ""),
        "contact_phone": row.get("contact_phone", ""),
    }


def load_institutions(path: Path, county: County) -> int:
    rows = read_csv(path, INSTITUTION_COLUMNS)
    townships = {township.code: township for township in Township.objects.all()}
    for line, row in rows:
        try:
            values = _institution_values(row, townships, county)
        except ValueError as error:
            raise CountyDataError(f"{path}, line {line}: {error}") from error
        _upsert(Institution, row["code"], values, path, line)
    return len(rows)


# Sent inside load_county's transaction with the county's directory: the apps above
# institutions load what of the county's data is theirs (documents: the basis documents
# a document cites) and return how many rows they loaded; raising CountyDataError rolls
# the whole load back.
county_loaded = Signal()


def load_further_data(directory: Path) -> int:
    return sum(count or 0 for _receiver, count in county_loaded.send(sender=County, directory=directory))


@transaction.atomic
def load_county(directory: Path | str) -> LoadedCounty:
    """Create or update the county, its bureaus, townships, institutions and basis documents from `directory`."""
    directory = Path(directory)
    county = load_county_row(directory / "county.csv")
    return LoadedCounty(
        county=county,
        departments=load_departments(directory / "departments.csv"),
        townships=load_townships(directory / "townships.csv", county),
        institutions=load_institutions(directory / "institutions.csv", county),
        basis_documents=load_further_data(directory),
    )
