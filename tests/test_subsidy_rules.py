"""Every number of the subsidy policies at its boundary and one step to each side (DOMAIN.md procedure 3).

100 beds; 满一年 on the anniversary; 新开设 from the policy's effective date; 50 % of a
payment that may equal the fee but not exceed it by one fen; each education tier;
在编 refused; a budget used up exactly and one fen over; 公示 over a holiday, a make-up
working day and the turn into 2027 with and without the administrator's override.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from common.errors import InvalidInput, RuleViolation
from institutions.models import Institution, Township
from workflows.models import Budget, CalendarDay
from workflows.services.subsidy_quote import anniversary, quote
from workflows.subsidy import commit_to_budget, publish_notice

from .test_subsidy import HOME, hiring_body

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def hospital(*, beds: int, opened: date, ownership: str = "private") -> Institution:
    """A private medical institution, newly opened: what the bed subsidy is for."""
    from stdnum.cn import uscc

    # 18 characters: registering body and kind (52), region (330727), a 9-character
    # organisation code, and the check character.
    body = "52" + "330727" + "MA2K3T" + f"{beds:03d}"[-3:]
    return Institution.objects.create(
        code=f"kangfu-{beds}-{opened:%Y%m%d}",
        name="磐安康复医院",
        uscc=body + uscc.calc_check_digit(body),
        kind="medical",
        ownership=ownership,
        township=Township.objects.get(code="anwen"),
        beds=beds,
        operating_since=opened,
        care_models=["care_in_medical"],
    )


def bed_quote(institution: Institution, day: date = TODAY):
    return quote(institution=institution, body={"kind": "bed"}, day=day)


@pytest.mark.parametrize("beds, eligible", [(99, False), (100, True), (101, True)])
def test_bed_subsidy_from_100_beds(demo, beds, eligible):
    result = bed_quote(hospital(beds=beds, opened=date(2024, 3, 1)))
    assert result.eligible is eligible
    if eligible:
        assert result.amount == Decimal(5000 * beds).quantize(Decimal("0.01"))
    else:
        assert result.reasons == ["床位数99张，需100张以上。"]


def test_a_full_year_is_reached_on_the_anniversary(demo):
    opened = date(2025, 3, 15)
    place = hospital(beds=120, opened=opened)
    assert bed_quote(place, day=date(2026, 3, 14)).reasons == [
        "开业满1年后方可申请（本机构2025年3月15日开业，2026年3月15日满1年）。"
    ]
    assert bed_quote(place, day=date(2026, 3, 15)).eligible
    assert bed_quote(place, day=date(2026, 3, 16)).eligible


def test_the_29th_of_february_is_a_year_old_on_the_28th():
    assert anniversary(date(2024, 2, 29), 1) == date(2025, 2, 28)


def test_newly_opened_means_on_or_after_the_policys_effective_day(demo):
    """The initial policies take effect on 2023-05-01 (published 2023-04-01)."""
    assert bed_quote(hospital(beds=120, opened=date(2023, 5, 1))).eligible
    before = bed_quote(hospital(beds=121, opened=date(2023, 4, 30)))
    assert before.reasons == ["须为政策施行（2023年5月1日）后新开设的机构（本机构2023年4月30日开业）。"]


def test_a_public_hospital_and_an_elderly_care_home_are_refused_with_their_reasons(demo):
    assert bed_quote(hospital(beds=150, opened=date(2024, 1, 1), ownership="public")).reasons == [
        "须为民办机构（本机构为公办）。"
    ]
    home = Institution.objects.get(code="welfare-centre")
    reasons = bed_quote(home).reasons
    assert "须为医疗机构（本机构为养老机构）。" in reasons and "须为民办机构（本机构为公办）。" in reasons


@pytest.mark.parametrize(
    "education, amount",
    [("secondary_vocational", "30000.00"), ("junior_college", "40000.00"), ("bachelor_or_above", "50000.00")],
)
def test_each_education_tier(demo, education, amount):
    home = Institution.objects.get(code="welfare-centre")
    assert quote(institution=home, body=hiring_body(education=education), day=TODAY).amount == Decimal(amount)


def test_establishment_staff_and_other_models_are_refused(demo):
    home = Institution.objects.get(code="welfare-centre")
    assert quote(institution=home, body=hiring_body(establishment=True), day=TODAY).reasons == [
        "在编人员不享受入职奖补。"
    ]
    cooperating = Institution.objects.get(code="anwen-qinchunyuan")  # 医养协同 only
    reasons = quote(institution=cooperating, body=hiring_body(), day=TODAY).reasons
    assert reasons == ["须为医中延养或养中融医机构（本机构医养结合模式：医养协同）。"]


# --- cooperation subsidy: 50 % of what was paid, never more than the fee ---------------------------


@pytest.fixture
def active_agreement(users, django_capture_on_commit_callbacks):
    """县社会福利中心 × 安文街道社区卫生服务中心, 30,000.00 元 a year, in force since 40 days ago."""
    from .test_clinic_filing_api import api_as
    from .test_cooperation_api import agreed, bureau

    start = TODAY - timedelta(days=40)
    case_no = agreed(users, start_date=start.isoformat(), end_date=(start + timedelta(days=3 * 365)).isoformat())
    bureau(api_as("health-1"), case_no, "approve")
    bureau(api_as("civil-1"), case_no, "approve", capture=django_capture_on_commit_callbacks)
    return case_no


@pytest.mark.parametrize(
    "paid, amount, eligible",
    [
        ("29999.99", "15000.00", True),
        ("30000.00", "15000.00", True),
        ("30000.01", "15000.01", False),
        ("20000.01", "10000.01", True),
    ],
)
def test_half_of_the_payment_up_to_the_fee(demo, active_agreement, paid, amount, eligible):
    home = Institution.objects.get(code="welfare-centre")
    body = {"kind": "cooperation", "agreement": active_agreement, "agreement_year": 1, "amount_paid": paid}
    result = quote(institution=home, body=body, day=TODAY)
    assert result.amount == Decimal(amount) and result.eligible is eligible
    if not eligible:
        assert result.reasons == ["实际支付金额30,000.01元超过协议约定的年服务费30,000.00元。"]


def test_an_agreement_year_that_has_not_begun_and_bad_payments(demo, active_agreement):
    home = Institution.objects.get(code="welfare-centre")
    body = {"kind": "cooperation", "agreement": active_agreement, "agreement_year": 2, "amount_paid": "30000.00"}
    assert "第2个协议年度自" in quote(institution=home, body=body, day=TODAY).reasons[0]
    for paid in ("-1.00", "0", "1.001", "abc", "1e12", True):
        with pytest.raises(InvalidInput) as refused:
            quote(institution=home, body={**body, "agreement_year": 1, "amount_paid": paid}, day=TODAY)
        assert "amount_paid" in refused.value.fields, paid
    with pytest.raises(InvalidInput) as refused:
        quote(institution=home, body={**body, "agreement": "PA-2026-HZ-999999"}, day=TODAY)
    assert "agreement" in refused.value.fields


# --- the budget: used up exactly, one fen over --------------------------------------------------------


def test_the_budget_can_be_used_up_exactly_and_not_one_fen_over(users, driver):
    from workflows.services.subsidy import submit_subsidy

    year = TODAY.year
    first = submit_subsidy(user=users(HOME), body=hiring_body(), attachments=[driver.attachment()])
    second = submit_subsidy(
        user=users(HOME),
        body=hiring_body(id_number="330727197901010019", education="secondary_vocational"),
        attachments=[driver.attachment()],
    )
    Budget.objects.create(year=year, kind="hiring", total=Decimal("80000.00"))
    from django.db import transaction

    with transaction.atomic():
        commit_to_budget(first, paid_on=TODAY, voucher_no="V1")  # 50,000.00 of 80,000.00
    with transaction.atomic():
        commit_to_budget(second, paid_on=TODAY, voucher_no="V2")  # 30,000.00: exactly the rest
    third = submit_subsidy(
        user=users(HOME),
        body=hiring_body(id_number="33072719731120004X", education="secondary_vocational"),
        attachments=[driver.attachment()],
    )
    Budget.objects.filter(year=year, kind="hiring").update(total=Decimal("109999.99"))
    with pytest.raises(RuleViolation) as over, transaction.atomic():
        commit_to_budget(third, paid_on=TODAY, voucher_no="V3")  # 30,000.00 against 29,999.99
    assert over.value.code == "over_budget" and "剩余29,999.99元" in over.value.message
    Budget.objects.filter(year=year, kind="hiring").update(total=Decimal("110000.00"))
    with transaction.atomic():
        commit_to_budget(third, paid_on=TODAY, voucher_no="V3")


# --- 公示: five working days from the day after the bureau confirms ------------------------------------


@pytest.fixture
def on_notice(users, driver):
    from workflows.services.subsidy import submit_subsidy

    return submit_subsidy(user=users(HOME), body=hiring_body(), attachments=[driver.attachment()])


@pytest.mark.parametrize(
    "confirmed, ends",
    [
        (date(2026, 9, 29), date(2026, 10, 12)),  # over 国庆节, counting the make-up Saturday 10月10日
        (date(2026, 9, 30), date(2026, 10, 13)),
        (date(2026, 9, 25), date(2026, 10, 9)),  # the 中秋 weekend and 国庆 are not counted
        (date(2026, 12, 29), date(2027, 1, 5)),  # 2027 unknown: Monday to Friday
    ],
)
def test_the_notice_period_counts_working_days(on_notice, confirmed, ends):
    publish_notice(on_notice, today=confirmed)
    application = on_notice.subsidy
    application.refresh_from_db()
    assert (application.notice_starts_on, application.notice_ends_on) == (confirmed, ends)


def test_the_turn_into_2027_follows_the_administrators_holidays(on_notice):
    CalendarDay.objects.create(date=date(2027, 1, 1), is_workday=False, name="元旦")
    publish_notice(on_notice, today=date(2026, 12, 29))
    on_notice.subsidy.refresh_from_db()
    assert on_notice.subsidy.notice_ends_on == date(2027, 1, 6)


def test_once_per_institution_and_once_per_agreement_year(demo, active_agreement, driver, snapshot):
    """A second bed subsidy for the same hospital, a second claim for the same agreement year: 409."""
    from common.errors import Conflict
    from permissions.services import create_user
    from workflows.services.subsidy import submit_subsidy

    place = hospital(beds=120, opened=date(2024, 6, 1))
    applicant = create_user(username="inst-kangfu", password="x" * 16, roles={"applicant"}, institution=place)
    submit_subsidy(user=applicant, body={"kind": "bed"}, attachments=[])
    before = snapshot()
    with pytest.raises(Conflict) as again:
        submit_subsidy(user=applicant, body={"kind": "bed"}, attachments=[])
    assert again.value.code == "duplicate_application" and snapshot() == before

    home = Institution.objects.get(code="welfare-centre").users.get()
    body = {"kind": "cooperation", "agreement": active_agreement, "agreement_year": 1, "amount_paid": "30000.00"}
    submit_subsidy(user=home, body=body, attachments=[driver.attachment()])
    with pytest.raises(Conflict):
        submit_subsidy(user=home, body={**body, "amount_paid": "20000.00"}, attachments=[driver.attachment()])
