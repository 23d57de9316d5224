"""How a case ends: its final state and the steps whose decisions the documents cite."""

from django.db import transaction
from django.utils import timezone
from viewflow.workflow.status import STATUS

from audit.services import record
from documents.services import Wanted, request_documents

from .documents import APPROVAL_RECORD, REJECTION_NOTICE
from .models import Case, CaseState, CaseTask, Decision
from .signals import case_closed


def last_decided(case: Case, node) -> CaseTask:
    return case.task_set.filter(flow_task=node, status=STATUS.DONE).latest("id")


def close_case(case: Case, state: str) -> None:
    """Give the case its final state; the documents are requested by the caller."""
    assert transaction.get_connection().in_atomic_block
    case.state = state
    case.decided_at = timezone.now()
    case.save(update_fields=["state", "decided_at"])
    record(action=f"case_{state}", case_no=case.case_no)
    case_closed.send(sender=Case, case=case, state=state)


def close_as_rejected(case: Case) -> None:
    """A reject ends the case: the rejecting unit issues the rejection notice and the approval record."""
    close_case(case, CaseState.REJECTED)
    rejecting_unit = case.task_set.filter(decision=Decision.REJECT).latest("id").owner_permission_obj
    request_documents(
        case=case,
        wanted=[Wanted(REJECTION_NOTICE.code, [rejecting_unit]), Wanted(APPROVAL_RECORD.code, [rejecting_unit])],
    )
