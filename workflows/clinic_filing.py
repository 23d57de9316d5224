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
from common.formatting import chinese_date
from common.procedures import Procedure
from common.validators import mask_id_number
from documents.kinds import DocumentKind
from documents.services import Wanted, request_documents
from institutions.models import CLINIC_REQUIRED_FROM_BEDS

from . import automatic_nodes, units
from .declaration import declare
from .documents import APPROVAL_RECORD, REJECTION_NOTICE, case_context, case_public_rows
from .locking import process_lock
from .models import Case, CaseState, CaseTask, Decision
from .models.clinic_filing import ClinicType, InsuranceDecision, StaffRole
from .nodes import ReviewStep, Supplement
from .numbering import new_case_number, new_filing_number
from .outcomes import close_as_rejected, close_case, last_decided

CODE = "clinic_filing"


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
    assign_filing_number = automatic_nodes.Function(this.give_filing_number).Next(this.insurance_requested)
    insurance_requested = automatic_nodes.If(this.asks_for_insurance).Then(this.insurance_review).Else(this.filed)
    # 医保局's "reject" refuses the designation only; the clinic stays filed.
    insurance_review = (
        ReviewStep(unit=units.MEDICAL_INSURANCE, days=5, title=_("医保局决定医保定点"), rejects=_("医保定点申请"))
        .Approve(this.filed)
        .Reject(this.filed)
    )

    supplement = Supplement(title=_("申请人补正材料"))
    filed = automatic_nodes.Function(this.close_as_filed).Next(this.end)
    rejected = automatic_nodes.Function(this.close_as_rejected).Next(this.end)
    end = automatic_nodes.End()

    def open_case(self, activation, *, applicant, institution, record_filing):
        """Number and store the case; ``record_filing`` writes the form's records for it."""
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
        record_filing(case)
        return case

    def give_filing_number(self, activation):
        filing = activation.process.detail_row("clinic_filing")  # cached: the rest of the closing reads none
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
        # The bureau that filed it: the step's unit is a fixed department, read from the cache
        # (workflows/units.py) rather than through the step's row and its permission object.
        health = self.health_filing.unit.resolve(case)
        wanted = [Wanted(FILING_CERTIFICATE.code, [health])]
        if filing.insurance_decision == InsuranceDecision.REFUSED:
            wanted.append(Wanted(REJECTION_NOTICE.code, [insurance_task.owner_permission_obj]))
        request_documents(case=case, wanted=[*wanted, Wanted(APPROVAL_RECORD.code, [health])])

    def close_as_rejected(self, activation):
        close_as_rejected(activation.process)


# --- what the pages, the documents and the API show of a filing --------------------------


def clinic_filing_facts(case: Case, reveal_ids: bool) -> list[tuple[str, str]]:
    filing = case.clinic_filing
    staff = "；".join(
        f"{person.name}（{person.get_role_display()}，"
        f"{person.id_number if reveal_ids else mask_id_number(person.id_number)}"
        f"{'，执业证书 ' + person.licence_no if person.licence_no else ''}）"
        for person in filing.staff.all()
    )
    rows = [
        (_("内设医疗机构名称"), filing.clinic_name),
        (_("类别"), filing.get_clinic_type_display()),
        (_("服务项目"), filing.services),
        (_("业务用房面积"), f"{filing.floor_area} ㎡"),
        (_("主要设备"), filing.equipment),
        (_("拟开业日期"), chinese_date(filing.opening_date)),
        (_("医护人员"), staff),
        (_("医保定点"), filing.get_insurance_decision_display() if filing.medical_insurance else _("未申请")),
    ]
    if filing.filing_no:
        rows.append((_("备案编号"), filing.filing_no))
    return [(str(label), value) for label, value in rows]


def staffing_warnings(clinic_type: str, roles: list[str]) -> list[str]:
    """Staffing minimums of 养老机构医务室/护理站基本标准（试行）, 2014 — warnings the reviewer sees, not refusals."""
    doctors = roles.count(StaffRole.DOCTOR)
    nurses = roles.count(StaffRole.NURSE)
    warnings = []
    if clinic_type == ClinicType.CLINIC_ROOM:
        if doctors < 1:
            warnings.append(str(_("医务室应至少有1名执业医师（现有%(n)d名）。") % {"n": doctors}))
        if nurses < 1:
            warnings.append(str(_("医务室应至少有1名注册护士（现有%(n)d名）。") % {"n": nurses}))
    elif clinic_type == ClinicType.NURSING_STATION and nurses < 2:
        warnings.append(str(_("护理站应至少有2名注册护士（现有%(n)d名）。") % {"n": nurses}))
    return warnings


def review_warnings(case: Case) -> list[str]:
    """Staffing below the national minimums, and the 100-bed rule."""
    filing = case.clinic_filing
    warnings = staffing_warnings(filing.clinic_type, [person.role for person in filing.staff.all()])
    if case.institution.must_have_clinic:
        warnings.append(
            f"本机构核定床位{case.institution.beds}张（{CLINIC_REQUIRED_FROM_BEDS}张以上），依规须单独设置内设医疗机构。"
        )
    return warnings


def _certificate_public_facts(document) -> list[tuple[str, str]]:
    filing = document.case.clinic_filing
    return [
        *case_public_rows(document),
        (_("内设医疗机构名称"), filing.clinic_name),
        (_("类别"), filing.get_clinic_type_display()),
        (_("备案编号"), filing.filing_no or ""),
    ]


FILING_CERTIFICATE = DocumentKind(
    code="filing_certificate",
    label="备案凭证",
    series="医养备",
    context=case_context,
    public_facts=_certificate_public_facts,
)

CLINIC_FILING = declare(
    Procedure(
        code=CODE,
        label="养老机构内设医疗机构备案",
        case_code="BA",
        slug="clinic-filing",
        flow=ClinicFilingFlow,
        detail="clinic_filing",
        facts=clinic_filing_facts,
        brief_facts=frozenset({"内设医疗机构名称", "类别", "服务项目", "备案编号", "医保定点"}),
        review_warnings=review_warnings,
        documents=(FILING_CERTIFICATE,),
        applicant_kinds=frozenset({"elderly_care"}),
        pages="web.clinic_filing",
        api="api.clinic_filing",
    )
)
