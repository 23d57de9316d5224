"""Template context every page gets: the sections of the navigation the user's roles and procedures open."""

from common import procedures
from permissions.roles import COUNTY_WIDE_READERS

from .common import REVIEWER_ROLES


def navigation(request) -> dict:
    """办件 for everyone; each procedure's own sections (its application form, its registry); 审核任务 for reviewers; 审计 for auditors and administrators."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    own = [
        item
        for procedure in procedures.all_procedures()
        for item in getattr(procedure.pages_module(), "nav_items", lambda user: [])(user)
    ]
    return {
        "nav": {
            "cases": True,
            "procedures": own,
            "tasks": bool(user.roles & REVIEWER_ROLES),
            "audit": bool(user.roles & COUNTY_WIDE_READERS),
        }
    }
