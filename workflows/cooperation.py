"""医养合作协议 — the cooperation agreement flow (DOMAIN.md procedure 2).

Route: one party drafts → the other party confirms, or asks for changes and the drafter
revises (loop until both agree) → township review (the elderly-care institution's
township) → 卫健局 and 民政局 review in parallel; both must approve (a return from either
goes back to the drafting party and then to that bureau; a reject from either ends the
case) → the agreement is issued, signed by both parties and both bureaus → active from
its start date until its end date.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.activation import _can_cancel

from audit.services import record
from documents.models import DocumentKind
from documents.services import request_document
from institutions.models import Department

from . import units
from .locking import process_lock
from .models import Case, CaseState, CaseTask, Decision, Procedure
from .nodes import ConfirmStep, ReviewStep, Supplement
from .numbering import new_case_number
from .outcomes import close_case


class CooperationFlow(flow.Flow):
    """医养合作协议"""

    process_class = Case
    task_class = CaseTask
    lock_impl = process_lock

    draft = flow.StartHandle(this.open_case).Next(this.counterparty_confirmation)

    counterparty_confirmation = ConfirmStep(unit=units.COUNTERPARTY, title=_("对方机构确认")).Approve(
        this.township_review
    )
    revision = Supplement(title=_("起草方修改协议"), unit=units.DRAFTER, case_state=CaseState.DRAFT)

    township_review = ReviewStep(unit=units.TOWNSHIP, days=3, title=_("属地审核")).Approve(this.bureau_reviews)
    bureau_reviews = flow.Split().Always(this.health_review).Always(this.civil_affairs_review)
    health_review = ReviewStep(unit=units.HEALTH, days=5, title=_("卫健局审核")).Approve(this.both_bureaus_agree)
    civil_affairs_review = ReviewStep(unit=units.CIVIL_AFFAIRS, days=5, title=_("民政局审核")).Approve(
        this.both_bureaus_agree
    )
    both_bureaus_agree = flow.Join().Next(this.issued)

    supplement = Supplement(title=_("起草方补正材料"), unit=units.DRAFTER)
    issued = flow.Function(this.issue_agreement).Next(this.end)
    rejected = flow.Function(this.close_as_rejected).Next(this.end)
    end = flow.End()

    def open_case(self, activation, *, applicant, drafter, terms, record_agreement):
        case = activation.process
        case.case_no = new_case_number(Procedure.COOPERATION)
        case.procedure = Procedure.COOPERATION
        case.state = CaseState.DRAFT
        case.institution = drafter
        case.township = terms["elderly_care_institution"].township
        case.applicant = applicant
        case.submitted_at = timezone.now()
        case.amount = terms["annual_fee"]
        case.save()
        case.add_parties(
            {terms["elderly_care_institution"]: "elderly_care_party", terms["medical_institution"]: "medical_party"}
        )
        record_agreement(case)
        return case

    def issue_agreement(self, activation):
        """Both bureaus approved: the agreement takes effect on its start date."""
        case = activation.process
        agreement = case.cooperation
        today = timezone.localdate()
        close_case(case, CaseState.ACTIVE if agreement.start_date <= today else CaseState.APPROVED)
        health = Department.objects.get(code=Department.Code.HEALTH)
        civil = Department.objects.get(code=Department.Code.CIVIL_AFFAIRS)
        request_document(
            case=case,
            kind=DocumentKind.COOPERATION_AGREEMENT,
            issuers=[agreement.elderly_care_institution, agreement.medical_institution, health, civil],
            number_from=health,
        )
        request_document(case=case, kind=DocumentKind.APPROVAL_RECORD, issuers=[health])

    def close_as_rejected(self, activation):
        """A reject from either bureau ends the case; the other branch's open steps are cancelled."""
        case = activation.process
        cancelled = []
        for task in case.task_set.filter(finished__isnull=True).exclude(pk=activation.task.pk):
            other = task.flow_task.activation_class(task)
            if _can_cancel(other):
                other.cancel()
                cancelled.append(task.flow_task.name)
        if cancelled:
            record(action="parallel_branch_cancelled", case_no=case.case_no, detail={"steps": cancelled})
        close_case(case, CaseState.REJECTED)
        rejecting_unit = case.task_set.filter(decision=Decision.REJECT).latest("id").owner_permission_obj
        request_document(case=case, kind=DocumentKind.REJECTION_NOTICE, issuers=[rejecting_unit])
        request_document(case=case, kind=DocumentKind.APPROVAL_RECORD, issuers=[rejecting_unit])
