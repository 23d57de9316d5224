"""A case's facts as (label, value) rows: the case page, the task page and the documents show the same."""

from django.utils.translation import gettext as _

from forms.validators import mask_id_number

from .models import Case, Procedure


def case_facts(case: Case, *, reveal_ids: bool = False) -> list[tuple[str, str]]:
    rows = [
        (_("办件编号"), case.case_no),
        (_("事项"), case.get_procedure_display()),
        (_("申请机构"), case.institution.name),
        (_("统一社会信用代码"), case.institution.uscc),
        (_("属地"), case.township.name),
    ]
    if case.procedure == Procedure.CLINIC_FILING:
        rows += clinic_filing_facts(case, reveal_ids=reveal_ids)
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
        (_("拟开业日期"), f"{filing.opening_date:%Y年%m月%d日}"),
        (_("医护人员"), staff),
        (_("医保定点"), filing.get_insurance_decision_display() if filing.medical_insurance else _("未申请")),
    ]
    if filing.filing_no:
        rows.append((_("备案编号"), filing.filing_no))
    return rows
