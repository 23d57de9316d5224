"""Roles of DOMAIN.md and the binding each one needs (institution, township or department)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    APPLICANT = "applicant", _("机构经办人")
    TOWNSHIP_REVIEWER = "township_reviewer", _("乡镇（街道）审核员")
    HEALTH_REVIEWER = "health_reviewer", _("县卫健局审核员")
    CIVIL_REVIEWER = "civil_reviewer", _("县民政局审核员")
    FINANCE_REVIEWER = "finance_reviewer", _("县财政局审核员")
    INSURANCE_REVIEWER = "insurance_reviewer", _("县医保局审核员")
    UNIT_HEAD = "unit_head", _("科室负责人")
    AUDITOR = "auditor", _("审计员")
    ADMIN = "admin", _("系统管理员")


# A department reviewer reviews for exactly one bureau.
REVIEWER_DEPARTMENT = {
    Role.HEALTH_REVIEWER: "health",
    Role.CIVIL_REVIEWER: "civil_affairs",
    Role.FINANCE_REVIEWER: "finance",
    Role.INSURANCE_REVIEWER: "medical_insurance",
}

# Roles that read every case in the county and change nothing.
COUNTY_WIDE_READERS = frozenset({Role.AUDITOR, Role.ADMIN})

# Guardian object permissions that carry a jurisdiction; they are derived from the
# roles and bindings of a user (permissions.services.sync_jurisdiction) and never
# edited by hand.
ACT_FOR_INSTITUTION = "institutions.act_for_institution"
REVIEW_TOWNSHIP = "institutions.review_township"
HEAD_TOWNSHIP = "institutions.head_township"
REVIEW_DEPARTMENT = "institutions.review_department"
HEAD_DEPARTMENT = "institutions.head_department"
JURISDICTION_PERMISSIONS = (
    ACT_FOR_INSTITUTION,
    REVIEW_TOWNSHIP,
    HEAD_TOWNSHIP,
    REVIEW_DEPARTMENT,
    HEAD_DEPARTMENT,
)
