"""The demo county: its data directory (settings.COUNTY_DATA_DIR) loaded, and the demo accounts.

The county's units come from its files through ``institutions.loader.load_county``;
this module adds one account per unit for trying the product out, all with the
publicly known ``DEMO_PASSWORD``, and so is never run on a real installation.
"""

import hashlib
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from stdnum.cn import uscc

from institutions.county import current_county
from institutions.loader import load_county
from institutions.models import Department, Institution, Township
from permissions.models import User
from permissions.reference import ensure_reference_data
from permissions.roles import Role
from permissions.services import set_roles

DEPARTMENT_ACCOUNTS = {
    Department.Code.HEALTH: ("health", Role.HEALTH_REVIEWER),
    Department.Code.CIVIL_AFFAIRS: ("civil", Role.CIVIL_REVIEWER),
    Department.Code.FINANCE: ("finance", Role.FINANCE_REVIEWER),
    Department.Code.MEDICAL_INSURANCE: ("insurance", Role.INSURANCE_REVIEWER),
}


def organisation_code(seed: str) -> str:
    """A 9-character 组织机构代码 (GB 11714) derived from `seed`, with its check character."""
    digits = str(int(hashlib.sha256(seed.encode()).hexdigest(), 16))[-8:]
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    check = 11 - sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11
    return digits + {10: "X", 11: "0"}.get(check, str(check))


def demo_uscc(code: str, *, public: bool, division: str | None = None) -> str:
    """A valid, made-up 统一社会信用代码: 12 = 事业单位 (public), 52 = 民办非企业单位 (private).

    Its registration region is `division`, by default the county's division code. The
    data files hold codes made this way where the sources give none (their README says so).
    """
    region = division if division is not None else current_county().division_code
    body = ("12" if public else "52") + region + organisation_code(code)
    return body + uscc.calc_check_digit(body)


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


def load_all(directory: Path | str | None = None) -> list[tuple[str, str]]:
    """Load the county of `directory` (default: settings.COUNTY_DATA_DIR) and create its demo accounts."""
    ensure_reference_data()
    load_county(directory if directory is not None else settings.COUNTY_DATA_DIR)
    return load_accounts()
