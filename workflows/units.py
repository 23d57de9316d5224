"""Who works a step: the case's township office, a county bureau, or an institution.

A step's unit becomes the task's viewflow owner permission and permission object
(a guardian object permission on the Township, Department or Institution row). The
queues in permissions/scoping.py match those two columns against the user's grants.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models

from common.cached import cached, forget_on_change
from institutions.models import Department
from permissions.roles import ACT_FOR_INSTITUTION, REVIEW_DEPARTMENT, REVIEW_TOWNSHIP


@dataclass(frozen=True)
class Unit:
    permission: str
    # case -> the Township, Department or Institution row that holds the permission
    resolve: Callable[[models.Model], models.Model]
    name: str


def department_key(code: str) -> str:
    return f"department:{code}"


# Every step routed to a bureau reads its row (the task's permission object and label).
forget_on_change(Department, lambda department: [department_key(department.code)])


def _department(code: str) -> Callable[[models.Model], models.Model]:
    def resolve(case: models.Model) -> models.Model:
        return cached(department_key(code), lambda: Department.objects.get(code=code))

    return resolve


TOWNSHIP = Unit(REVIEW_TOWNSHIP, lambda case: case.township, "township")
HEALTH = Unit(REVIEW_DEPARTMENT, _department(Department.Code.HEALTH), Department.Code.HEALTH)
CIVIL_AFFAIRS = Unit(REVIEW_DEPARTMENT, _department(Department.Code.CIVIL_AFFAIRS), Department.Code.CIVIL_AFFAIRS)
FINANCE = Unit(REVIEW_DEPARTMENT, _department(Department.Code.FINANCE), Department.Code.FINANCE)
MEDICAL_INSURANCE = Unit(
    REVIEW_DEPARTMENT, _department(Department.Code.MEDICAL_INSURANCE), Department.Code.MEDICAL_INSURANCE
)
APPLICANT = Unit(ACT_FOR_INSTITUTION, lambda case: case.institution, "applicant")

# In a cooperation agreement the case's institution is the party that drafted it;
# the other party confirms it.
DRAFTER = APPLICANT
COUNTERPARTY = Unit(ACT_FOR_INSTITUTION, lambda case: case.cooperation.counterparty, "counterparty")
