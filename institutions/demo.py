"""The Panan County demo data: townships and institutions from institutions/data, and the demo accounts.

The seeds give no 统一社会信用代码 and no ownership; the loader derives both,
deterministically, so running it twice changes nothing.
"""

import csv
import hashlib
from datetime import date
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from stdnum.cn import uscc

from permissions.models import User
from permissions.roles import Role
from permissions.services import set_roles

from .models import Department, Institution, Township
from .reference import ensure_reference_data

DATA_DIR = Path(__file__).resolve().parent / "data"
PANAN_DIVISION = "330727"

CARE_MODELS = {
    "医中延养": Institution.CareModel.CARE_IN_MEDICAL,
    "养中融医": Institution.CareModel.CLINIC_IN_CARE,
    "医养协同": Institution.CareModel.COOPERATION,
    "送医助养": Institution.CareModel.DOCTOR_VISITS,
}
# The seeds do not say; these three are not county- or township-run, so the demo
# treats them as private (民办) — which also gives the bed subsidy an applicant.
PRIVATE_IN_DEMO = {"anwen-qinchunyuan", "renchuan-yishouyuan", "yushan-kangyang"}
# Planned (待定) in seed 002 附件4: not operating yet.
NOT_YET_OPERATING = {"yushan-kangyang"}

DEPARTMENT_ACCOUNTS = {
    Department.Code.HEALTH: ("health", Role.HEALTH_REVIEWER),
    Department.Code.CIVIL_AFFAIRS: ("civil", Role.CIVIL_REVIEWER),
    Department.Code.FINANCE: ("finance", Role.FINANCE_REVIEWER),
    Department.Code.MEDICAL_INSURANCE: ("insurance", Role.INSURANCE_REVIEWER),
}


def _rows(name: str) -> list[dict]:
    with open(DATA_DIR / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def organisation_code(seed: str) -> str:
    """A 9-character 组织机构代码 (GB 11714) derived from `seed`, with its check character."""
    digits = str(int(hashlib.sha256(seed.encode()).hexdigest(), 16))[-8:]
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    check = 11 - sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    return digits + {10: "X", 11: "0"}.get(check, str(check))


def demo_uscc(code: str, *, public: bool) -> str:
    """A valid 统一社会信用代码: 12 = 事业单位 (public), 52 = 民办非企业单位 (private)."""
    body = ("12" if public else "52") + PANAN_DIVISION + organisation_code(code)
    return body + uscc.calc_check_digit(body)


@transaction.atomic
def load_townships() -> int:
    for row in _rows("panan_townships.csv"):
        Township.objects.update_or_create(code=row["code"], defaults={"name": row["name"], "kind": row["kind"]})
    return Township.objects.count()


@transaction.atomic
def load_institutions() -> int:
    townships = {t.code: t for t in Township.objects.all()}
    for row in _rows("panan_institutions.csv"):
        code = row["code"]
        public = code not in PRIVATE_IN_DEMO
        ready = row["ready_by"]
        operating_since = None
        if ready and code not in NOT_YET_OPERATING:
            year, month = (int(part) for part in ready.split("-"))
            operating_since = date(year, month, 1)
        Institution.objects.update_or_create(
            code=code,
            defaults={
                "name": row["name"],
                "uscc": demo_uscc(code, public=public),
                "kind": row["kind"],
                "ownership": Institution.Ownership.PUBLIC if public else Institution.Ownership.PRIVATE,
                "township": townships[row["township"]],
                "beds": int(row["beds"]) if row["beds"] else None,
                "operating_since": operating_since,
                "care_models": [CARE_MODELS[row["model"]]] if row["model"] else [],
                "address": f"磐安县{townships[row['township']].name}",
            },
        )
    return Institution.objects.count()


def _account(username: str, *, password_hash: str, roles: set[str], display_name: str, **binding) -> User:
    user, _ = User.objects.update_or_create(
        username=username,
        defaults={
            "display_name": display_name,
            "is_active": True,
            "password": password_hash,
            "institution": None,
            "township": None,
            "department": None,
            **binding,
        },
    )
    set_roles(user=user, roles=roles)
    return user


@transaction.atomic
def load_accounts() -> list[tuple[str, str]]:
    """Create (or reset) the demo accounts of docs/api-contract.md; returns (username, what it is)."""
    made: list[tuple[str, str]] = []
    # The demo accounts share one publicly known password; hashing it once (not 69
    # times at ~0.5 s each) keeps seed_demo fast. Real accounts are never made here.
    password_hash = make_password(settings.DEMO_PASSWORD)

    def add(username, description, **kwargs):
        _account(username, password_hash=password_hash, **kwargs)
        made.append((username, description))

    add("admin", "系统管理员", roles={Role.ADMIN}, display_name="系统管理员")
    add("auditor", "审计员", roles={Role.AUDITOR}, display_name="审计员")
    for department in Department.objects.all():
        prefix, role = DEPARTMENT_ACCOUNTS[department.code]
        add(
            f"{prefix}-1",
            f"{department.short_name}审核员",
            roles={role},
            display_name=f"{department.short_name}审核员",
            department=department,
        )
        add(
            f"{prefix}-head",
            f"{department.short_name}科室负责人",
            roles={Role.UNIT_HEAD},
            display_name=f"{department.short_name}科室负责人",
            department=department,
        )
    for township in Township.objects.all():
        add(
            f"twp-{township.code}",
            f"{township.name}审核员",
            roles={Role.TOWNSHIP_REVIEWER},
            display_name=f"{township.name}审核员",
            township=township,
        )
        add(
            f"twp-{township.code}-head",
            f"{township.name}负责人",
            roles={Role.UNIT_HEAD},
            display_name=f"{township.name}负责人",
            township=township,
        )
    for institution in Institution.objects.all():
        add(
            f"inst-{institution.code}",
            f"{institution.name}经办人",
            roles={Role.APPLICANT},
            display_name=f"{institution.name}经办人",
            institution=institution,
        )
    return made


def load_all() -> list[tuple[str, str]]:
    ensure_reference_data()
    load_townships()
    load_institutions()
    return load_accounts()
