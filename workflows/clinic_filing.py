"""养老机构内设医疗机构备案 — the in-facility clinic filing flow (DOMAIN.md procedure 1).

Route: applicant submits → township 属地初审 → 民政局 confirms the institution is a
registered elderly-care institution → 卫健局 files the clinic and assigns the filing
number → 医保局 decides 医保定点, only when it was requested (its decision does not
undo the filing) → 备案凭证. Any review step may return the case to the applicant
(``supplement``, then back to that step) or reject it (``rejected``).
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow

from audit.services import record
from documents.models import DocumentKind
from documents.services import request_document

from . import units
from .locking import process_lock
from .models import Case, CaseState, CaseTask, Decision, Procedure
from .models.clinic_filing import InsuranceDecision
from .nodes import ReviewStep, Supplement
from .numbering import new_case_number, new_filing_number
from .outcomes import close_case, last_decided


class ClinicFilingFlow(flow.Flow):
    """养老机构内设医疗机构备案"""

    process_class = Case
    task_class = CaseTask
    lock_impl = process_lock

    submit = flow.StartHandle(this.open_case).Next(this.township_review)

    township_review = ReviewStep(unit=units.TOWNSHIP, days=3, title=_("属地初审")).Approve(this.civil_affairs_review)
    civil_affairs_review = ReviewStep(unit=units.CIVIL_AFFAIRS, days=5, title=_("民政局确认养老机构登记")).Approve(
        this.health_filing
    )
    health_filing = ReviewStep(unit=units.HEALTH, days=2, title=_("卫健局备案")).Approve(this.assign_filing_number)
    assign_filing_number = flow.Function(this.give_filing_number).Next(this.insurance_requested)
    insurance_requested = flow.If(this.asks_for_insurance).Then(this.insurance_review).Else(this.filed)
    # 医保局's "reject" refuses the designation only; the clinic stays filed.
    insurance_review = (
        ReviewStep(unit=units.MEDICAL_INSURANCE, days=5, title=_("医保局决定医保定点"))
        .Approve(this.filed)
        .Reject(this.filed)
    )

    supplement = Supplement(title=_("申请人补正材料"))
    filed = flow.Function(this.close_as_filed).Next(this.end)
    rejected = flow.Function(this.close_as_rejected).Next(this.end)
    end = flow.End()

    def open_case(self, activation, *, applicant, institution, record_filing):
        """Number and store the case; ``record_filing`` writes the form's records for it."""
        case = activation.process
        case.case_no = new_case_number(Procedure.CLINIC_FILING)
        case.procedure = Procedure.CLINIC_FILING
        case.state = CaseState.IN_REVIEW
        case.institution = institution
        case.township = institution.township
        case.applicant = applicant
        case.submitted_at = timezone.now()
        case.save()
        case.add_parties({institution: "applicant"})
        record_filing(case)
        return case

    def give_filing_number(self, activation):
        filing = activation.process.clinic_filing
        filing.filing_no = new_filing_number()
        filing.save(update_fields=["filing_no"])
        record(
            action="filing_number_assigned", case_no=activation.process.case_no, detail={"filing_no": filing.filing_no}
        )

    def asks_for_insurance(self, activation) -> bool:
        return activation.process.clinic_filing.medical_insurance

    def close_as_filed(self, activation):
        case = activation.process
        filing = case.clinic_filing
        if filing.medical_insurance:
            insurance_task = last_decided(case, self.insurance_review)
            filing.insurance_decision = (
                InsuranceDecision.APPROVED if insurance_task.decision == Decision.APPROVE else InsuranceDecision.REFUSED
            )
            filing.save(update_fields=["insurance_decision"])
        close_case(case, CaseState.APPROVED)
        health = last_decided(case, self.health_filing).owner_permission_obj
        request_document(case=case, kind=DocumentKind.FILING_CERTIFICATE, issuers=[health])
        if filing.insurance_decision == InsuranceDecision.REFUSED:
            request_document(
                case=case, kind=DocumentKind.REJECTION_NOTICE, issuers=[insurance_task.owner_permission_obj]
            )
        request_document(case=case, kind=DocumentKind.APPROVAL_RECORD, issuers=[health])

    def close_as_rejected(self, activation):
        case = activation.process
        close_case(case, CaseState.REJECTED)
        rejecting_unit = case.task_set.filter(decision=Decision.REJECT).latest("id").owner_permission_obj
        request_document(case=case, kind=DocumentKind.REJECTION_NOTICE, issuers=[rejecting_unit])
        request_document(case=case, kind=DocumentKind.APPROVAL_RECORD, issuers=[rejecting_unit])
