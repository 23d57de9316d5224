"""申请检查 (made up): applicant → township review → 卫健局 review → an inspection notice signed by 卫健局."""

from django.db import transaction
from django.utils import timezone
from viewflow import this
from viewflow.workflow import flow

from common.procedures import Procedure
from documents.kinds import DocumentKind
from documents.services import request_document
from workflows import units
from workflows.declaration import declare
from workflows.documents import APPROVAL_RECORD, case_context, case_public_rows
from workflows.locking import process_lock
from workflows.models import Case, CaseState, CaseTask
from workflows.nodes import ReviewStep, Supplement
from workflows.numbering import new_case_number
from workflows.outcomes import close_as_rejected, close_case, last_decided

from .models import InspectionRequest

CODE = "inspection"


class InspectionFlow(flow.Flow):
    process_class = Case
    task_class = CaseTask
    lock_impl = process_lock

    submit = flow.StartHandle(this.open_case).Next(this.township_review)
    township_review = ReviewStep(unit=units.TOWNSHIP, days=3, title="属地审核").Approve(this.health_review)
    health_review = ReviewStep(unit=units.HEALTH, days=5, title="卫健局审核").Approve(this.issued)
    supplement = Supplement(title="申请人补正")
    issued = flow.Function(this.issue).Next(this.end)
    rejected = flow.Function(this.reject).Next(this.end)
    end = flow.End()

    def open_case(self, activation, *, applicant, institution, subject):
        case = activation.process
        case.case_no = new_case_number(CODE)
        case.procedure = CODE
        case.state = CaseState.IN_REVIEW
        case.institution = institution
        case.township = institution.township
        case.applicant = applicant
        case.submitted_at = timezone.now()
        case.save()
        case.add_parties({institution: "applicant"})
        InspectionRequest.objects.create(case=case, subject=subject)
        return case

    def issue(self, activation):
        case = activation.process
        close_case(case, CaseState.APPROVED)
        health = last_decided(case, self.health_review).owner_permission_obj
        request_document(case=case, kind=NOTICE.code, issuers=[health])
        request_document(case=case, kind=APPROVAL_RECORD.code, issuers=[health])

    def reject(self, activation):
        close_as_rejected(activation.process)


def submit(*, user, institution, subject: str) -> Case:
    with transaction.atomic():
        return InspectionFlow.submit.run(applicant=user, institution=institution, subject=subject)


NOTICE = DocumentKind(
    code="inspection_notice",
    label="检查通知书",
    series="医养检",
    context=case_context,
    public_facts=lambda document: [*case_public_rows(document), ("检查事项", document.case.inspection.subject)],
)

INSPECTION = declare(
    Procedure(
        code=CODE,
        label="申请检查（测试用）",
        case_code="ZZ",
        slug="inspection",
        flow=InspectionFlow,
        detail="inspection",
        facts=lambda case, reveal_ids: [("检查事项", case.inspection.subject)],
        brief_facts=frozenset({"检查事项"}),
        documents=(NOTICE,),
        pages="tests.made_up_procedure.pages",
        api="tests.made_up_procedure.api",
    )
)
