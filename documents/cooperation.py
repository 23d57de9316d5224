"""What the cooperation agreement (医养合作协议) states beyond the case's facts: its basis, its service clauses, its instalments, who signs as what."""

from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import Any

from .issuers import Issuer
from .selectors import basis_in_force

# An agreement's record (workflows' CooperationAgreement); this module reads its fields only.
CooperationAgreement = Any

# The contract wording of each 医养协同 service of seed 002 附件5 §三, in the list's order,
# keyed by the service item codes the agreement stores.
# The visits' frequency and the AB-post staff are stated once, in 第三条（三）.
SERVICE_CLAUSES = {
    "onsite_visits": "定期上门服务：按本条第（三）项约定的频次和人员上门，为老年人提供测量血压、血糖，心脏听诊等常规检查和基本医疗服务，并做好巡诊记录。",
    "annual_checkup": "健康体检：每年为老年人提供一次健康体检，并根据体检结果进行健康指导。",
    "health_education": "健康教育：每季度为老年人提供一次健康教育宣传或讲座。",
    "free_clinic_tcm": "义诊及中医药服务：每半年为老年人提供一次免费义诊，开展中医药适宜技术服务。",
    "phone_advice": "电话咨询：免费为老年人提供24小时电话咨询，给予健康、预防、保健等方面的指导。",
    "green_channel": "就医绿色通道：为老年人开通预约就诊和转诊绿色通道，遇急危重症及时救治或者协助转诊。",
    "health_records": "健康档案：为老年人建立健康档案，并根据体检和诊疗情况及时更新。",
}

PARTY_A, PARTY_B, APPROVER = "甲方（盖章）", "乙方（盖章）", "审核同意（盖章）"


def basis_date(agreement: CooperationAgreement) -> date:
    """The day whose basis the agreement cites: its start date, not the day it is issued.

    The agreement binds the parties from its start date to its end date, and a basis is
    cited because the obligations rest on it; so the basis must be in force when those
    obligations begin. The issue date would go wrong both ways: an agreement approved in
    December for a term starting in January would cite a plan that lapses on 31
    December (the reported bug: a 2027–2029 agreement citing the 2021—2023 plan is
    the same mistake, one step further), and an agreement filed late for a term that had
    already begun would cite a document that was not yet in force while it was being
    performed. The start date is also fixed once both parties agree, so a corrected
    version issued years later cites the same basis as the version it replaces.
    """
    return agreement.start_date


def instalments(annual_fee: Decimal) -> tuple[Decimal, Decimal]:
    """The two payments of an agreement year: half, then the rest (so odd cents add up exactly)."""
    first = (annual_fee / 2).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    return first, annual_fee - first


def seal_role(issuer: Issuer, agreement: CooperationAgreement) -> str:
    if issuer.type == "institution" and issuer.code == agreement.elderly_care_institution.code:
        return PARTY_A
    if issuer.type == "institution" and issuer.code == agreement.medical_institution.code:
        return PARTY_B
    return APPROVER


def agreement_context(agreement: CooperationAgreement, issuers: list[Issuer]) -> dict:
    first, second = instalments(agreement.annual_fee)
    chosen = set(agreement.service_items)
    return {
        "agreement": agreement,
        "elderly": agreement.elderly_care_institution,
        "medical": agreement.medical_institution,
        "basis": basis_in_force(applies_to="cooperation", on=basis_date(agreement)),
        "service_clauses": [text for item, text in SERVICE_CLAUSES.items() if item in chosen],
        "first_instalment": first,
        "second_instalment": second,
        # The bureaus that approve it (卫健局 and 民政局), by their names in the data.
        "bureaus": "、".join(issuer.name for issuer in issuers if issuer.type == "department"),
    }
