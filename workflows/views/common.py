"""What the web views share: turning service refusals into pages, and the navigation."""

from contextlib import contextmanager

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect

from permissions.roles import REVIEWER_DEPARTMENT, Role

from ..errors import Forbidden, InvalidInput, NotFound, ServiceError

REVIEWER_ROLES = {Role.TOWNSHIP_REVIEWER, Role.UNIT_HEAD, *REVIEWER_DEPARTMENT}


@contextmanager
def refusals_as_pages(request):
    """NotFound → 404 page, Forbidden → 403 page; other refusals become an error message.

    Yields a list that holds the refusal (if any) so the view can re-show its form.
    """
    caught: list[ServiceError] = []
    try:
        yield caught
    except NotFound:
        raise Http404() from None
    except Forbidden as error:
        raise PermissionDenied(error.message) from None
    except ServiceError as error:
        messages.error(request, error.message)
        caught.append(error)


def show_refusal_on_form(form, refused: list[ServiceError]) -> None:
    """Put the field errors of an InvalidInput refusal on the form that was submitted.

    The service re-validates under the lock (e.g. "one agreement per pair"); its
    per-field errors belong next to the fields, not only in the page message.
    """
    if refused and isinstance(refused[0], InvalidInput):
        for field, errors in refused[0].fields.items():
            form.add_error(field if field in form.fields else None, errors)


def case_action(request, case_no: str, action, success: str):
    """Run a POSTed action on a case and go back to its page, with the outcome as a message."""
    with refusals_as_pages(request) as refused:
        action()
    if not refused:
        messages.success(request, success)
    return redirect("workflows:case_detail", case_no=case_no)


def navigation(request) -> dict:
    """Template context: which sections the user's roles open."""
    user = request.user
    if not user.is_authenticated:
        return {}
    roles = user.roles
    return {
        "nav": {
            "cases": True,
            "apply": Role.APPLICANT in roles and user.institution is not None and user.institution.kind == "elderly_care",
            "tasks": bool(roles & REVIEWER_ROLES),
            "agreements": True,
        }
    }
