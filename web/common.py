"""What the web views share: turning service refusals into pages, and the navigation."""

from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.forms.formsets import BaseFormSet
from django.http import Http404
from django.shortcuts import redirect

from common.errors import Forbidden, InvalidInput, NotFound, ServiceError
from permissions.roles import REVIEWER_DEPARTMENT, Role

REVIEWER_ROLES = {Role.TOWNSHIP_REVIEWER, Role.UNIT_HEAD, *REVIEWER_DEPARTMENT}


@dataclass(frozen=True)
class NavItem:
    """A section of the navigation a procedure's pages add (its application form, its registry)."""

    label: str
    url: str
    section: str


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


@contextmanager
def refusals_on_form(form):
    """Like refusals_as_pages, but a refusal is shown on the form that was submitted, once.

    NotFound and Forbidden still become the 404 and 403 pages. An InvalidInput's field
    errors go next to their fields (the service re-validates under the lock, e.g. "one
    agreement per pair"); any other refusal (a conflict, a rule) becomes the form's
    non-field error. Nothing goes to the flash messages, so the page's one error
    summary lists each problem exactly once. Yields a list holding the refusal, if any.
    """
    caught: list[ServiceError] = []
    try:
        yield caught
    except NotFound:
        raise Http404() from None
    except Forbidden as error:
        raise PermissionDenied(error.message) from None
    except ServiceError as error:
        caught.append(error)
        placed = False
        if isinstance(error, InvalidInput):
            for field, errors in error.fields.items():
                form.add_error(field if field in form.fields else None, errors)
                placed = True
        if not placed:
            form.add_error(None, error.message)


@dataclass(frozen=True)
class FormProblem:
    anchor: str  # the id of the input to jump to ("" for a whole-form problem)
    label: str
    message: str


def error_summary(*forms) -> list[FormProblem]:
    """Every problem of the submitted forms and formsets, for the one summary at the top of the page."""
    problems: list[FormProblem] = []
    for form in forms:
        if form is None or not form.is_bound:
            continue
        if isinstance(form, BaseFormSet):
            problems += [FormProblem("", "", str(message)) for message in form.non_form_errors()]
            for row, member in enumerate(form.forms, 1):
                problems += [
                    FormProblem(member[name].id_for_label, f"第{row}行{member.fields[name].label}", str(message))
                    if name != NON_FIELD_ERRORS
                    else FormProblem("", f"第{row}行", str(message))
                    for name, messages in member.errors.items()
                    for message in messages
                ]
            continue
        for name, field_messages in form.errors.items():
            for message in field_messages:
                if name == NON_FIELD_ERRORS or name not in form.fields:
                    problems.append(FormProblem("", "", str(message)))
                else:
                    problems.append(FormProblem(form[name].id_for_label, str(form.fields[name].label), str(message)))
    return problems


def case_action(request, case_no: str, action, success: str):
    """Run a POSTed action on a case and go back to its page, with the outcome as a message."""
    with refusals_as_pages(request) as refused:
        action()
    if not refused:
        messages.success(request, success)
    return redirect("workflows:case_detail", case_no=case_no)
