"""Drafting, agreeing on, revising, renewing and terminating cooperation agreements."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record
from common.errors import Conflict, Forbidden, InvalidInput, NotFound
from common.validators import validate_plain_text
from documents.services import request_document
from institutions.models import Department, Institution

from .. import scoping
from ..cooperation import CODE, TERMINATION_NOTICE, CooperationFlow
from ..models import Case, CaseState, CooperationAgreement, Decision, Notification
from ..models.case import OPEN_STATES
from ..models.cooperation import IN_FORCE_STATES, TERM_FIELDS
from ..nodes import ConfirmStep
from .cases import case_for, open_party_task, open_supplement_task
from .tasks import finish_party_task, locked_activation, locked_case


def _drafting_party(user, terms: dict) -> Institution:
    for party in (terms["elderly_care_institution"], terms["medical_institution"]):
        if scoping.acts_for(user, party):
            return party
    raise Forbidden(_("只能为本机构参与的合作协议提出申请。"))


def _check_pair_is_free(terms: dict, *, ignore_case: Case | None = None, renewal_of: Case | None = None) -> None:
    """One agreement per pair at a time: no open case for the pair, no overlapping agreement in force."""
    pair = Case.objects.filter(
        procedure=CODE,
        cooperation__elderly_care_institution=terms["elderly_care_institution"],
        cooperation__medical_institution=terms["medical_institution"],
    )
    if ignore_case is not None:
        pair = pair.exclude(pk=ignore_case.pk)
    if pair.filter(state__in=OPEN_STATES).exists():
        raise Conflict(_("两机构之间已有一件合作协议正在办理中，请勿重复申请。"), code="duplicate_application")
    overlapping = pair.filter(
        state__in=IN_FORCE_STATES,
        cooperation__start_date__lte=terms["end_date"],
        cooperation__end_date__gte=terms["start_date"],
    )
    if overlapping.exists():
        if renewal_of is not None:
            raise InvalidInput(fields={"start_date": [_("续签协议的起始日期须晚于原协议的终止日期。")]})
        raise Conflict(_("两机构之间已有生效的合作协议，期限不能重叠；到期前可办理续签。"), code="agreement_in_force")


def _lock_parties(terms: dict) -> None:
    """Serialise drafts for the same pair (rows locked in id order, so two drafts cannot deadlock)."""
    ids = sorted({terms["elderly_care_institution"].pk, terms["medical_institution"].pk})
    list(Institution.objects.select_for_update().filter(pk__in=ids).order_by("pk"))


def draft_cooperation(*, user, terms: dict, renewal_of: Case | None = None) -> Case:
    """One party drafts an agreement; it then waits for the other party's confirmation."""
    drafter = _drafting_party(user, terms)
    with transaction.atomic():
        _lock_parties(terms)
        _check_pair_is_free(terms, renewal_of=renewal_of)

        def record_agreement(case: Case) -> None:
            CooperationAgreement.objects.create(
                case=case, renewal_of=renewal_of, **{name: terms[name] for name in TERM_FIELDS}
            )

        case = CooperationFlow.draft.run(
            applicant=user, drafter=drafter, terms=terms, record_agreement=record_agreement
        )
        record(
            action="case_submitted",
            actor=user,
            case_no=case.case_no,
            detail={
                "procedure": case.procedure,
                "parties": [terms["elderly_care_institution"].name, terms["medical_institution"].name],
                "annual_fee": terms["annual_fee"],
                "renewal_of": renewal_of.case_no if renewal_of else None,
            },
        )
    return case


def _acting_party(user, case: Case):
    """The party of the agreement the user acts for, or None."""
    agreement = case.cooperation
    return next(
        (p for p in (agreement.elderly_care_institution, agreement.medical_institution) if scoping.acts_for(user, p)),
        None,
    )


def _counterparty_step(user, case_no: str):
    case = case_for(user, case_no)
    if case.procedure != CODE:
        raise NotFound()
    if _acting_party(user, case) is None:
        raise Forbidden(_("只有协议对方机构可以确认或提出修改。"))
    task = open_party_task(case, ConfirmStep)
    if task is None:
        raise Conflict(_("该协议当前不在待对方确认环节。"), code="not_awaiting_confirmation")
    if not scoping.holds(user, task):
        raise Forbidden(_("只有协议对方机构可以确认或提出修改。"))
    return case, task


def confirm_cooperation(*, user, case_no: str) -> Case:
    """The other party agrees to the draft: the case goes to the township."""
    case, task = _counterparty_step(user, case_no)
    with locked_activation(task) as activation:
        if not activation.task.is_open:
            raise Conflict(_("该协议已确认或已退回修改。"), code="task_closed")
        activation.task.decision = Decision.APPROVE
        finish_party_task(activation, user)
        record(action="agreement_confirmed", actor=user, case_no=case.case_no)
    case.refresh_from_db()
    return case


def request_cooperation_changes(*, user, case_no: str, comment: str) -> Case:
    """The other party asks the drafter to change the draft."""
    case, task = _counterparty_step(user, case_no)  # first: a foreign case is not found, whatever the input
    comment = (comment or "").strip() if isinstance(comment, str) else ""
    if not comment or len(comment) > 1000:
        raise InvalidInput(fields={"comment": [_("请说明需要修改的内容（1000字以内）。")]})
    _plain(comment, "comment")
    with locked_activation(task) as activation:
        if not activation.task.is_open:
            raise Conflict(_("该协议已确认或已退回修改。"), code="task_closed")
        activation.task.decision = Decision.RETURN
        activation.task.comment = comment
        finish_party_task(activation, user)
        record(action="agreement_changes_requested", actor=user, case_no=case.case_no, detail={"comment": comment})
    case.refresh_from_db()
    return case


def resubmit_cooperation(*, user, case_no: str, terms: dict) -> Case:
    """The drafter revises (after a request for changes) or supplements (after a bureau's return)."""
    case = case_for(user, case_no)
    if not scoping.acts_for(user, case.institution):
        raise Forbidden(_("只有起草协议的机构可以修改。"))
    task = open_supplement_task(case)
    if task is None:
        raise Conflict(_("该协议当前不需要修改或补正。"), code="not_returned")
    agreement = case.cooperation
    if (terms["elderly_care_institution"], terms["medical_institution"]) != (
        agreement.elderly_care_institution,
        agreement.medical_institution,
    ):
        raise InvalidInput(fields={"medical_institution": [_("修改协议时不能更换协议双方。")]})
    with locked_activation(task) as activation:
        if not activation.task.is_open:
            raise Conflict(_("该协议已提交修改，请勿重复提交。"), code="task_closed")
        _check_pair_is_free(terms, ignore_case=case, renewal_of=agreement.renewal_of)
        changed = sorted(name for name in TERM_FIELDS if getattr(agreement, name) != terms[name])
        for name in TERM_FIELDS:
            setattr(agreement, name, terms[name])
        agreement.save()
        Case.objects.filter(pk=case.pk).update(amount=terms["annual_fee"])
        finish_party_task(activation, user)
        record(action="case_resubmitted", actor=user, case_no=case.case_no, detail={"changed": changed})
    case.refresh_from_db()
    return case


def renewal_terms(case: Case) -> dict:
    """The old agreement's terms moved to the next term: it starts the day after the old one ends."""
    old = case.cooperation
    start = old.end_date + timedelta(days=1)
    return {
        **{name: getattr(old, name) for name in TERM_FIELDS},
        "start_date": start,
        "end_date": start + (old.end_date - old.start_date),
    }


def renew_cooperation(*, user, case_no: str, terms: dict) -> Case:
    """Either party starts a renewal: a new case prefilled from the old agreement."""
    old = case_for(user, case_no)
    if old.procedure != CODE:
        raise NotFound()
    if not (
        scoping.acts_for(user, old.cooperation.elderly_care_institution)
        or scoping.acts_for(user, old.cooperation.medical_institution)
    ):
        raise Forbidden(_("只有协议双方可以续签。"))
    if old.state not in (CaseState.ACTIVE, CaseState.APPROVED, CaseState.EXPIRED):
        raise Conflict(_("只有生效中或已到期的协议可以续签。"), code="not_renewable")
    if (terms["elderly_care_institution"], terms["medical_institution"]) != (
        old.cooperation.elderly_care_institution,
        old.cooperation.medical_institution,
    ):
        raise InvalidInput(fields={"medical_institution": [_("续签协议的双方须与原协议相同。")]})
    return draft_cooperation(user=user, terms=terms, renewal_of=old)


def terminate_cooperation(*, user, case_no: str, reason: str) -> Case:
    """Either party ends an agreement early, with a reason; a signed termination notice is issued."""
    case = case_for(user, case_no)  # first: a foreign case is not found, whatever the input
    if case.procedure != CODE:
        raise NotFound()
    party = _acting_party(user, case)
    if party is None:
        raise Forbidden(_("只有协议双方可以终止协议。"))
    reason = (reason or "").strip() if isinstance(reason, str) else ""
    if not reason or len(reason) > 500:
        raise InvalidInput(fields={"reason": [_("请填写终止原因（500字以内）。")]})
    _plain(reason, "reason")
    agreement = case.cooperation
    with locked_case(case) as case:
        if case.state not in IN_FORCE_STATES:
            raise Conflict(_("只有生效中的协议可以终止。"), code="not_in_force")
        now = timezone.now()
        CooperationAgreement.objects.filter(pk=case.pk).update(
            terminated_at=now, terminated_by=user, termination_reason=reason
        )
        case.state = CaseState.TERMINATED
        case.save(update_fields=["state"])
        other = (
            agreement.medical_institution
            if party == agreement.elderly_care_institution
            else agreement.elderly_care_institution
        )
        Notification.objects.get_or_create(
            institution=other,
            case=case,
            kind="agreement_terminated",
            defaults={"message": f"{party.name}已提前终止医养合作协议（{case.case_no}），原因：{reason}"},
        )
        request_document(
            case=case,
            kind=TERMINATION_NOTICE.code,
            issuers=[party, Department.objects.get(code=Department.Code.HEALTH)],
            number_from=Department.objects.get(code=Department.Code.HEALTH),
        )
        record(
            action="agreement_terminated", actor=user, case_no=case.case_no, detail={"reason": reason, "by": party.name}
        )
    return case


def _plain(text: str, field: str) -> None:
    try:
        validate_plain_text(text)
    except ValidationError as error:
        raise InvalidInput(fields={field: error.messages}) from None
