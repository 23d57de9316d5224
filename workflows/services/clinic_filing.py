"""Submitting and supplementing a clinic filing (内设医疗机构备案)."""

from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import record
from common.errors import Conflict, Forbidden, InvalidInput, RuleViolation
from institutions.models import Institution

from .. import scoping
from ..clinic_filing import CODE, ClinicFilingFlow
from ..models import Attachment, Case, CaseState, ClinicFiling, ClinicStaff
from ..models.case import OPEN_STATES
from .attachments import bind_attachments
from .cases import applicant_institution, case_for, open_supplement_task
from .tasks import finish_party_task, locked_activation

FILING_FIELDS = (
    "clinic_name",
    "clinic_type",
    "services",
    "floor_area",
    "equipment",
    "opening_date",
    "medical_insurance",
)


def submit_clinic_filing(*, user, filing: dict, staff: list[dict], attachments: list[Attachment]) -> Case:
    """File an in-facility clinic for the applicant's own elderly-care institution.

    ``filing``, ``staff`` and ``attachments`` are already cleaned by the forms; this
    applies the rules that need the database and starts the flow, all in one
    transaction: a refusal leaves nothing behind.
    """
    institution = applicant_institution(user)
    if institution is None:
        raise Forbidden(_("只有机构经办人可以提交申请。"))
    if institution.kind != Institution.Kind.ELDERLY_CARE:
        raise RuleViolation(_("内设医疗机构备案仅限养老机构申请。"), code="not_eligible")
    if not attachments:
        raise InvalidInput(fields={"attachments": [_("请至少上传一份附件（场所证明、执业证书、管理制度等）。")]})
    with transaction.atomic():
        # One open filing per institution: the institution row serialises concurrent submissions.
        Institution.objects.select_for_update().get(pk=institution.pk)
        if Case.objects.filter(institution=institution, procedure=CODE, state__in=OPEN_STATES).exists():
            raise Conflict(_("本机构已有一件内设医疗机构备案正在办理中，请勿重复申请。"), code="duplicate_application")

        def record_filing(case: Case) -> None:
            clinic = ClinicFiling.objects.create(case=case, **{name: filing[name] for name in FILING_FIELDS})
            ClinicStaff.objects.bulk_create(ClinicStaff(filing=clinic, **person) for person in staff)
            bind_attachments(case, attachments)

        case = ClinicFilingFlow.submit.run(applicant=user, institution=institution, record_filing=record_filing)
        record(
            action="case_submitted",
            actor=user,
            case_no=case.case_no,
            detail={"procedure": case.procedure, "clinic_name": filing["clinic_name"], "staff": len(staff)},
        )
    return case


def resubmit_clinic_filing(
    *, user, case_no: str, filing: dict, staff: list[dict], attachments: list[Attachment]
) -> Case:
    """The applicant supplements a returned filing; the case goes back to the step that returned it."""
    case = case_for(user, case_no)
    if not scoping.acts_for(user, case.institution):
        raise Forbidden(_("只有申请机构的经办人可以补正。"))
    task = open_supplement_task(case)
    if task is None or case.state != CaseState.RETURNED:
        raise Conflict(_("该办件当前不需要补正。"), code="not_returned")
    with locked_activation(task) as activation:
        task = activation.task
        if not task.is_open:
            raise Conflict(_("该办件已补正，请勿重复提交。"), code="task_closed")
        clinic = case.clinic_filing
        changed = {name: str(filing[name]) for name in FILING_FIELDS if getattr(clinic, name) != filing[name]}
        for name in FILING_FIELDS:
            setattr(clinic, name, filing[name])
        clinic.save()
        clinic.staff.all().delete()
        ClinicStaff.objects.bulk_create(ClinicStaff(filing=clinic, **person) for person in staff)
        bind_attachments(case, attachments)
        finish_party_task(activation, user)
        record(
            action="case_resubmitted",
            actor=user,
            case_no=case.case_no,
            detail={"changed": sorted(changed), "staff": len(staff), "attachments": [a.pk for a in attachments]},
        )
    case.refresh_from_db()
    return case
