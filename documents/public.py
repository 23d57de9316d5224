"""What the public verification page (the QR code's target) states: the document, whom it was issued to, its key facts — never personal data.

Anyone holding the paper can open the page without logging in, so it is built from a
whitelist: institution names (organisations, not persons), dates, numbers and terms.
It never reuses the case's full facts, which carry staff names, ID numbers and
reviewers' comments.
"""

from django.utils.translation import gettext as _

from common.formatting import chinese_date, chinese_datetime, date_range, money_with_words
from workflows.models import Case, Decision, Procedure

from .models import Document, DocumentKind


def rejected_subject(case: Case) -> str:
    """What a rejection notice refuses: the application, or only its 医保定点 request."""
    rejecting = case.task_set.filter(decision=Decision.REJECT).latest("id")
    return _("医保定点申请") if rejecting.flow_task.name == "insurance_review" else case.get_procedure_display()


def public_facts(document: Document) -> list[tuple[str, str]]:
    case = document.case
    rows = [
        (_("文号"), document.number),
        (_("文书类型"), document.get_kind_display()),
        (_("签发单位"), "、".join(issuer["name"] for issuer in document.issuers)),
        (_("签发时间"), chinese_datetime(document.issued_at) if document.issued_at else ""),
        (_("办件编号"), case.case_no),
        (_("事项"), case.get_procedure_display()),
    ]
    if case.procedure == Procedure.COOPERATION:
        rows += _agreement_rows(document)
    else:
        rows.append((_("主送单位"), case.institution.name))
        rows += _other_rows(document)
    return rows


def _agreement_rows(document: Document) -> list[tuple[str, str]]:
    agreement = document.case.cooperation
    rows = [
        (_("甲方（养老机构）"), agreement.elderly_care_institution.name),
        (_("乙方（医疗机构）"), agreement.medical_institution.name),
        (_("协议期限"), date_range(agreement.start_date, agreement.end_date)),
    ]
    if document.kind == DocumentKind.COOPERATION_AGREEMENT:
        rows.append((_("年服务费"), money_with_words(agreement.annual_fee)))
    elif document.kind == DocumentKind.TERMINATION_NOTICE and agreement.terminated_at:
        rows.append((_("终止日期"), chinese_date(agreement.terminated_at)))
    elif document.kind == DocumentKind.REJECTION_NOTICE:
        rows.append((_("决定"), _("不予通过")))
    return rows


def _other_rows(document: Document) -> list[tuple[str, str]]:
    case = document.case
    if document.kind == DocumentKind.FILING_CERTIFICATE:
        filing = case.clinic_filing
        return [
            (_("内设医疗机构名称"), filing.clinic_name),
            (_("类别"), filing.get_clinic_type_display()),
            (_("备案编号"), filing.filing_no),
        ]
    if document.kind == DocumentKind.REJECTION_NOTICE:
        return [(_("不予通过事项"), rejected_subject(case))]
    if document.kind == DocumentKind.SUBSIDY_DECISION and case.amount is not None:
        return [(_("核定金额"), money_with_words(case.amount))]
    if document.kind == DocumentKind.APPROVAL_RECORD:
        return [(_("办理结果"), case.get_state_display())]
    return []
