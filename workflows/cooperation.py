"""医养合作协议 — the cooperation agreement flow (DOMAIN.md procedure 2).

Route: one party drafts → the other party confirms, or asks for changes and the drafter
revises (loop until both agree) → township review (the elderly-care institution's
township) → 卫健局 and 民政局 review in parallel; both must approve (a return from either
goes back to the drafting party and then to that bureau; a reject from either ends the
case) → the agreement is issued, signed by both parties and both bureaus → active from
its start date until its end date.
"""

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow import this
from viewflow.workflow import flow
from viewflow.workflow.activation import _can_cancel

from audit.services import record
from common.formatting import chinese_date, date_range, money_with_words
from common.procedures import Procedure
from documents.cooperation import agreement_context, seal_role
from documents.issuers import issuer_from_json
from documents.kinds import DocumentKind
from documents.services import Wanted, request_documents
from institutions.models import Department

from . import automatic_nodes, units
from .declaration import declare
from .documents import APPROVAL_RECORD, case_context, case_public_rows
from .locking import process_lock
from .models import Case, CaseState, CaseTask
from .models.cooperation import REMIND_DAYS_BEFORE_END
from .nodes import ConfirmStep, ReviewStep, Supplement
from .numbering import new_case_number
from .outcomes import close_as_rejected, close_case

CODE = "cooperation"


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
    issued = automatic_nodes.Function(this.issue_agreement).Next(this.end)
    rejected = automatic_nodes.Function(this.close_as_rejected).Next(this.end)
    end = automatic_nodes.End()

    def open_case(self, activation, *, applicant, drafter, terms, record_agreement):
        case = activation.process
        case.case_no = new_case_number(CODE)
        case.procedure = CODE
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
        parties = [agreement.elderly_care_institution, agreement.medical_institution, health, civil]
        request_documents(
            case=case,
            wanted=[Wanted(AGREEMENT.code, parties, number_from=health), Wanted(APPROVAL_RECORD.code, [health])],
        )

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
        close_as_rejected(case)


def agreements_of(institution) -> "QuerySet[Case]":
    """The cooperation agreements an institution is a party to (what other procedures may ask, e.g. subsidies)."""
    return Case.objects.filter(procedure=CODE, parties__institution=institution).select_related("cooperation")


# --- what the pages, the documents and the API show of an agreement ----------------------


def cooperation_facts(case: Case, reveal_ids: bool) -> list[tuple[str, str]]:
    agreement = case.cooperation
    elderly, medical = agreement.elderly_care_institution, agreement.medical_institution
    rows = [
        (_("甲方（养老机构）"), f"{elderly.name}（{elderly.uscc}）"),
        (_("乙方（医疗机构）"), f"{medical.name}（{medical.uscc}）"),
        (_("协议期限"), date_range(agreement.start_date, agreement.end_date)),
        (_("服务入住老人数"), f"{agreement.residents}人"),
        (_("服务项目"), "；".join(agreement.service_item_labels())),
        (_("上门服务频次"), f"每周{agreement.visits_per_week}次"),
        (_("年服务费"), money_with_words(agreement.annual_fee)),
    ]
    if agreement.renewal_of_id:
        rows.append((_("续签自"), agreement.renewal_of.case_no))
    if agreement.terminated_at:
        rows.append((_("终止日期"), chinese_date(agreement.terminated_at)))
        rows.append((_("终止原因"), agreement.termination_reason))
    return [(str(label), value) for label, value in rows]


def issued_to_the_parties(case: Case) -> list[tuple[str, str]]:
    """An agreement's documents are issued to both parties (organisations: no personal data)."""
    agreement = case.cooperation
    return [
        (_("甲方（养老机构）"), agreement.elderly_care_institution.name),
        (_("乙方（医疗机构）"), agreement.medical_institution.name),
        (_("协议期限"), date_range(agreement.start_date, agreement.end_date)),
    ]


def _agreement_context(document) -> dict:
    return {
        **case_context(document),
        **agreement_context(document.case.cooperation, _issuers(document)),
        "reminder_days": REMIND_DAYS_BEFORE_END,
    }


def _issuers(document) -> list:
    return [issuer_from_json(data) for data in document.issuers]


AGREEMENT = DocumentKind(
    code="cooperation_agreement",
    label="医养合作协议",
    series="医养协",
    context=_agreement_context,
    public_facts=lambda document: [
        *case_public_rows(document),
        (_("年服务费"), money_with_words(document.case.cooperation.annual_fee)),
    ],
    seal_roles=lambda document, issuers: [seal_role(issuer, document.case.cooperation) for issuer in issuers],
)
TERMINATION_NOTICE = DocumentKind(
    code="termination_notice",
    label="医养合作协议终止通知书",
    series="医养终",
    context=case_context,
    public_facts=lambda document: [
        *case_public_rows(document),
        (
            _("终止日期"),
            chinese_date(document.case.cooperation.terminated_at) if document.case.cooperation.terminated_at else "",
        ),
    ],
)

COOPERATION = declare(
    Procedure(
        code=CODE,
        label="医养合作协议",
        case_code="HZ",
        slug="cooperation",
        flow=CooperationFlow,
        detail="cooperation",
        facts=cooperation_facts,
        brief_facts=frozenset({"甲方（养老机构）", "乙方（医疗机构）", "协议期限", "年服务费", "终止日期", "终止原因"}),
        institution_label="起草方",
        # Signed by all, but its start date has not come.
        state_labels={CaseState.APPROVED: "待生效"},
        documents=(AGREEMENT, TERMINATION_NOTICE),
        public_facts=issued_to_the_parties,
        applicant_kinds=frozenset({"elderly_care", "medical"}),
        pages="web.cooperation",
        api="api.cooperation",
    )
)
