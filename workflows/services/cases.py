"""Case-wide actions and look-ups: finding a case for a user, withdrawing it."""

from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.status import STATUS

from audit.services import record
from common.errors import Conflict, Forbidden, NotFound
from permissions.roles import ACT_FOR_INSTITUTION

from .. import scoping
from ..models import Case, CaseState, CaseTask
from ..models.case import OPEN_STATES
from ..nodes import Supplement
from ..signals import case_closed
from .tasks import locked_case


def applicant_institution(user):
    """The institution the user files for, if it is an applicant acting for it."""
    institution = user.institution
    if institution is not None and institution.is_active and scoping.acts_for(user, institution):
        return institution
    return None


def case_for(user, case_no: str) -> Case:
    """A case the user may see, or NotFound — the same answer for foreign and missing cases."""
    try:
        return scoping.visible_cases(user).get(case_no=str(case_no))
    except Case.DoesNotExist:
        raise NotFound() from None


def open_party_task(case: Case, node_type: type) -> CaseTask | None:
    """The open step of an institution party of the given node type (Supplement, ConfirmStep)."""
    for task in case.task_set.filter(
        owner_permission=ACT_FOR_INSTITUTION, status__in=(STATUS.NEW, STATUS.ASSIGNED)
    ).order_by("id"):
        if type(task.flow_task) is node_type:
            return task
    return None


def open_supplement_task(case: Case) -> CaseTask | None:
    """The drafter's or applicant's open supplement (after a return or a request for changes)."""
    return open_party_task(case, Supplement)


def withdraw_case(*, user, case_no: str) -> Case:
    """The applicant withdraws a case that is not yet decided (撤回)."""
    case = case_for(user, case_no)
    if not scoping.acts_for(user, case.institution):
        raise Forbidden(_("只有申请机构的经办人可以撤回办件。"))
    with locked_case(case) as case:
        if case.state not in OPEN_STATES:
            raise Conflict(_("办件已办结或已撤回，不能撤回。"), code="case_closed")
        case.flow_class.instance.cancel(case)
        case.state = CaseState.WITHDRAWN
        case.decided_at = timezone.now()
        case.save(update_fields=["state", "decided_at"])
        record(action="case_withdrawn", actor=user, case_no=case.case_no)
        case_closed.send(sender=Case, case=case, state=CaseState.WITHDRAWN)
    return case
