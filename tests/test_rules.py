"""Every numbered rule of DOMAIN.md procedure 1, tested at, below and above its boundary."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from institutions.models import Institution
from workflows.calendar import add_working_days, working_days_between
from workflows.clinic_filing import staffing_warnings
from workflows.facts import review_warnings
from workflows.models import CalendarDay

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("beds, required", [(99, False), (100, True), (101, True), (None, False)])
def test_100_beds_or_more_must_have_a_clinic(beds, required):
    """ "100张以上" includes 100 (民法典 第1259条)."""
    home = Institution(kind=Institution.Kind.ELDERLY_CARE, beds=beds)
    assert home.must_have_clinic is required


def test_the_100_bed_rule_is_about_elderly_care_institutions_only():
    assert Institution(kind=Institution.Kind.MEDICAL, beds=300).must_have_clinic is False


@pytest.mark.parametrize(
    "roles, expected",
    [
        (["doctor", "nurse"], []),
        (["nurse"], ["医师"]),
        (["doctor"], ["护士"]),
        ([], ["医师", "护士"]),
        (["doctor", "doctor", "nurse", "other"], []),
    ],
)
def test_clinic_room_needs_one_doctor_and_one_nurse(roles, expected):
    warnings = staffing_warnings("clinic_room", roles)
    assert len(warnings) == len(expected)
    for word, warning in zip(expected, warnings, strict=True):
        assert word in warning


@pytest.mark.parametrize("nurses, warned", [(1, True), (2, False), (3, False)])
def test_nursing_station_needs_two_nurses(nurses, warned):
    assert bool(staffing_warnings("nursing_station", ["nurse"] * nurses + ["doctor"])) is warned


def test_staffing_is_a_warning_shown_to_the_reviewer_not_a_refusal(driver):
    case = driver.submit(clinic_type="nursing_station")  # one nurse only: below the minimum
    warnings = review_warnings(case)
    assert any("护理站应至少有2名注册护士" in w for w in warnings)
    # 县社会福利中心 has 600 beds: the reviewer is reminded it must have a clinic.
    assert any("600张" in w for w in warnings)


# --- working days -------------------------------------------------------------------------


def test_working_days_skip_weekends():
    friday = date(2026, 11, 20)
    assert add_working_days(friday, 1) == date(2026, 11, 23)  # Monday
    assert add_working_days(friday, 3) == date(2026, 11, 25)
    assert add_working_days(friday, 0) == friday


def test_national_day_holiday_and_make_up_working_day():
    # 2026: 10月1日–7日 off (chinese-calendar); Saturday 10月10日 is a make-up working day.
    assert add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert add_working_days(date(2026, 10, 9), 1) == date(2026, 10, 10)


def test_administrator_calendar_overrides_and_covers_unknown_years():
    # chinese-calendar has no data for 2027: weekdays count until the administrator enters holidays.
    assert add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 1)
    CalendarDay.objects.create(date=date(2027, 1, 1), is_workday=False, name="元旦")
    assert add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)
    CalendarDay.objects.create(date=date(2027, 1, 2), is_workday=True, name="调休上班")
    assert add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 2)


def test_working_days_between_counts_the_end_not_the_start():
    assert working_days_between(date(2026, 11, 20), date(2026, 11, 23)) == 1
    assert working_days_between(date(2026, 11, 23), date(2026, 11, 23)) == 0


# --- case numbers and deadlines on the route ------------------------------------------------


def test_case_numbers_are_unique_readable_and_sequential(driver):
    first = driver.submit("inst-welfare-centre")
    second = driver.submit("inst-xinwo-home")
    year = timezone.localdate().year
    assert first.case_no.startswith(f"PA-{year}-BA-")
    prefix, number = second.case_no.rsplit("-", 1)
    assert int(number) == int(first.case_no.rsplit("-", 1)[1]) + 1
    assert len(number) == 6


def test_township_step_is_due_in_three_working_days(driver):
    case = driver.submit()
    task = driver.open_task(case, "twp-anwen")
    assert task.due == add_working_days(timezone.localdate(), 3)


def test_clock_stops_while_the_case_is_with_the_applicant(driver):
    """A step that comes back after a return gets only the working days it had left."""
    case = driver.submit()
    driver.decide(case, "twp-anwen", "return")
    first = case.task_set.get(flow_task_type="HUMAN", decision="return")
    # Pretend the township had the case for two working days before returning it.
    first.created = first.finished - timedelta(days=2)
    while working_days_between(timezone.localdate(first.created), timezone.localdate(first.finished)) < 2:
        first.created -= timedelta(days=1)
    first.save(update_fields=["created"])
    from workflows import services

    services.resubmit_clinic_filing(
        user=driver.users("inst-welfare-centre"),
        case_no=case.case_no,
        filing={
            k: getattr(case.clinic_filing, k)
            for k in (
                "clinic_name",
                "clinic_type",
                "services",
                "floor_area",
                "equipment",
                "opening_date",
                "medical_insurance",
            )
        },
        staff=list(case.clinic_filing.staff.values("name", "id_number", "role", "licence_no")),
        attachments=[],
    )
    again = driver.open_task(case, "twp-anwen")
    assert again.due == add_working_days(timezone.localdate(), 1)
