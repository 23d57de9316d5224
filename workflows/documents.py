"""What a case's documents state; the two every procedure issues: the rejection notice and the approval record.

Each kind's `context` gives its template the case and its facts (the brief ones on a
certificate or notice, all of them on the approval record); each kind's `public_facts`
gives the public verification page whom the document was issued to and its key facts,
from the procedure's declaration — never staff names, ID numbers or comments.
"""

from django.utils.translation import gettext as _
from viewflow.workflow.status import STATUS

from common.formatting import amount_in_words, chinese_date
from documents.kinds import DocumentKind, register_kind

from .facts import case_facts
from .models import Case, CaseTask, Decision


def case_context(document, *, brief: bool = True) -> dict:
    """The case behind a document and the facts it states."""
    case = document.case
    return {
        "case": case,
        "submitted_date": chinese_date(case.submitted_at),
        "facts": case_facts(case, brief=brief),
        "amount_words": amount_in_words(case.amount) if case.amount is not None else "",
    }


def case_public_rows(document) -> list[tuple[str, str]]:
    """The case a document belongs to and whom it was issued to, for the public verification page."""
    case = document.case
    procedure = case.procedure_spec
    return [(_("办件编号"), case.case_no), (_("事项"), str(procedure.label)), *procedure.public_facts(case)]


def rejecting_task(case: Case) -> CaseTask:
    return case.task_set.filter(decision=Decision.REJECT).select_related("owner").latest("id")


def rejected_subject(case: Case) -> str:
    """What a rejection refuses: the application, or only what its step decides (e.g. 医保定点申请)."""
    return str(getattr(rejecting_task(case).flow_task, "rejects", None) or case.get_procedure_display())


def _rejection_context(document) -> dict:
    case = document.case
    return {**case_context(document), "rejection": rejecting_task(case), "rejected_subject": rejected_subject(case)}


def _record_context(document) -> dict:
    steps = document.case.task_set.filter(flow_task_type="HUMAN", status=STATUS.DONE).select_related("owner")
    return {**case_context(document, brief=False), "steps": steps.order_by("id")}


REJECTION_NOTICE = register_kind(
    DocumentKind(
        code="rejection_notice",
        label="不予通过通知书",
        series="医养不予",
        context=_rejection_context,
        public_facts=lambda document: [
            *case_public_rows(document),
            (_("不予通过事项"), rejected_subject(document.case)),
        ],
    )
)
APPROVAL_RECORD = register_kind(
    DocumentKind(
        code="approval_record",
        label="审批记录表",
        series="医养审记",
        context=_record_context,
        public_facts=lambda document: [
            *case_public_rows(document),
            (_("办理结果"), document.case.get_state_display()),
        ],
    )
)
