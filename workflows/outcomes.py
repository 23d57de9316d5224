"""How a case ends: its final state and the steps whose decisions the documents cite."""

from django.db import transaction
from django.utils import timezone
from viewflow.workflow.status import STATUS

from audit.services import record

from .models import Case, CaseTask


def last_decided(case: Case, node) -> CaseTask:
    return case.task_set.filter(flow_task=node, status=STATUS.DONE).latest("id")


def close_case(case: Case, state: str) -> None:
    """Give the case its final state; the documents are requested by the caller."""
    assert transaction.get_connection().in_atomic_block
    case.state = state
    case.decided_at = timezone.now()
    case.save(update_fields=["state", "decided_at"])
    record(action=f"case_{state}", case_no=case.case_no)
