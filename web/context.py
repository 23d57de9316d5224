"""Template context every page gets: which sections of the navigation the user's roles open."""

from permissions.roles import Role

from .common import REVIEWER_ROLES


def navigation(request) -> dict:
    """Template context: which sections the user's roles open."""
    user = request.user
    if not user.is_authenticated:
        return {}
    roles = user.roles
    return {
        "nav": {
            "cases": True,
            "apply": Role.APPLICANT in roles
            and user.institution is not None
            and user.institution.kind == "elderly_care",
            "tasks": bool(roles & REVIEWER_ROLES),
            "agreements": True,
        }
    }
