"""A case's facts as (label, value) rows: the case page, the task page and the documents show the same."""

from django.utils.translation import gettext as _

from common.formatting import chinese_date, date_range, money_with_words
from common.validators import mask_id_number

from .models import Case, Procedure

# The rows a certificate or notice carries; the approval record and the pages carry all.
BRIEF_LABELS = {
    "办件编号",
    "申请机构",
    "统一社会信用代码",
    "内设医疗机构名称",
    "类别",
    "服务项目",
    "备案编号",
    "医保定点",
    "甲方（养老机构）",
    "乙方（医疗机构）",
    "协议期限",
    "年服务费",
    "终止日期",
    "终止原因",
}


def case_facts(case: Case, *, reveal_ids: bool = False, brief: bool = False) -> list[tuple[str, str]]:
    """All facts of the case; ``brief`` keeps those an issued certificate or notice states."""
    rows = [
        (_("办件编号"), case.case_no),
        (_("事项"), case.get_procedure_display()),
        (_("申请机构"), case.institution.name),
        (_("统一社会信用代码"), case.institution.uscc),
        (_("属地"), case.township.name),
    ]
    if case.procedure == Procedure.CLINIC_FILING:
        rows += clinic_filing_facts(case, reveal_ids=reveal_ids)
    elif case.procedure == Procedure.COOPERATION:
        rows[2] = (_("起草方"), case.institution.name)
        rows += cooperation_facts(case)
    if brief:
        rows = [(label, value) for label, value in rows if label in BRIEF_LABELS]
    return rows


def clinic_filing_facts(case: Case, *, reveal_ids: bool) -> list[tuple[str, str]]:
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
    return rows


def cooperation_facts(case: Case) -> list[tuple[str, str]]:
    agreement = case.cooperation
    rows = [
        (
            _("甲方（养老机构）"),
            f"{agreement.elderly_care_institution.name}（{agreement.elderly_care_institution.uscc}）",
        ),
        (_("乙方（医疗机构）"), f"{agreement.medical_institution.name}（{agreement.medical_institution.uscc}）"),
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
    return rows
