"""Working days: one calendar (chinese-calendar + the administrator's overrides), counted as 民法典 第201条 says.

2026 as chinese-calendar 1.11 has it: 国庆节 10月1日（周四）–7日 off, Sunday 9月20日 and
Saturday 10月10日 worked; 春节 2月15日（周日）–23日 off, Saturdays 2月14日 and 2月28日 worked;
元旦 1月1日–3日 off. The library stops at 2026: 2027 is known only once the
administrator marks it entered.
"""

from datetime import date

import pytest
from django.core.checks import Warning as CheckWarning
from django.utils import timezone

from audit.models import AuditEvent
from workflows import calendar, checks
from workflows.calendar import add_working_days, working_days_between, working_period, year_calendar
from workflows.models import CalendarDay, CalendarYear
from workflows.services import calendar as changes

from .test_admin_chinese import admin_client
from .test_clinic_filing_api import api_as, assert_error

pytestmark = pytest.mark.django_db

WARNING_2027 = "2027年的法定节假日尚未录入，按周一至周五计算"


# --- the service at its boundaries ---------------------------------------------------------


def test_the_library_years_and_the_unknown_ones():
    assert 2026 in calendar.LIBRARY_YEARS and 2027 not in calendar.LIBRARY_YEARS
    assert calendar.WorkingCalendar().is_known(2026)
    assert not calendar.WorkingCalendar().is_known(2027)


def test_a_period_spanning_national_day_counts_the_make_up_saturday():
    # Tue 9-29 event; 9-30 (1), 10-1…7 off, 10-8 (2), 10-9 (3), Sat 10-10 worked (4), Mon 10-12 (5).
    period = working_period(date(2026, 9, 29), 5)
    assert period.end == date(2026, 10, 12) and period.warnings == ()
    assert add_working_days(date(2026, 9, 29), 4) == date(2026, 10, 10)
    assert working_days_between(date(2026, 9, 29), date(2026, 10, 12)) == 5


def test_a_period_starting_the_day_before_a_holiday_ends_after_it():
    assert add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    # The event day itself is never counted, holiday or not.
    assert add_working_days(date(2026, 10, 1), 1) == date(2026, 10, 8)
    assert add_working_days(date(2026, 10, 7), 1) == date(2026, 10, 8)


def test_a_make_up_working_day_counts():
    assert add_working_days(date(2026, 10, 9), 1) == date(2026, 10, 10)  # Saturday, worked
    assert add_working_days(date(2026, 9, 18), 1) == date(2026, 9, 20)  # Sunday, worked
    assert add_working_days(date(2026, 10, 10), 1) == date(2026, 10, 12)  # Sunday 10-11 is off again


def test_spring_festival_2026():
    # Thu 2-12 event: Fri 2-13 (1), Sat 2-14 worked (2), 2-15…23 off, Tue 2-24 (3).
    assert add_working_days(date(2026, 2, 12), 3) == date(2026, 2, 24)
    assert add_working_days(date(2026, 2, 18), 1) == date(2026, 2, 24)
    # (2-13, 2-28]: Sat 2-14, 2-24…27 and Sat 2-28 worked.
    assert working_days_between(date(2026, 2, 13), date(2026, 2, 28)) == 6


def test_zero_days_ends_on_the_event_day_and_negative_days_are_refused():
    assert working_period(date(2026, 12, 31), 0) == calendar.Period(date(2026, 12, 31), 0, date(2026, 12, 31), ())
    with pytest.raises(ValueError):
        working_period(date(2026, 12, 1), -1)


def test_into_2027_without_entries_counts_weekdays_and_warns():
    # Wed 12-30 event: Thu 12-31 (1), Fri 2027-01-01 (2: nobody said it is 元旦), Mon 01-04 (3).
    period = working_period(date(2026, 12, 30), 3)
    assert period.end == date(2027, 1, 4)
    assert len(period.warnings) == 1 and period.warnings[0].startswith(WARNING_2027)
    # A period that stays in 2026 does not warn, even when it ends on 12-31.
    assert working_period(date(2026, 12, 30), 1).warnings == ()


def test_into_2027_with_the_administrators_entries(users):
    admin = users("admin")
    changes.set_calendar_day(user=admin, day=date(2027, 1, 1), kind="holiday", name="元旦")
    period = working_period(date(2026, 12, 30), 3)
    assert period.end == date(2027, 1, 5)  # one day later: 元旦 does not count
    assert period.warnings and period.warnings[0].startswith(WARNING_2027)  # the rest of 2027 is still unknown
    changes.mark_year_entered(user=admin, year=2027)
    assert working_period(date(2026, 12, 30), 3) == calendar.Period(date(2026, 12, 30), 3, date(2027, 1, 5), ())
    # A make-up working day entered for 2027 counts, too.
    changes.set_calendar_day(user=admin, day=date(2027, 1, 2), kind="workday", name="元旦调休上班")
    assert add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 2)


def test_an_override_corrects_a_known_year(users):
    changes.set_calendar_day(user=users("admin"), day=date(2026, 10, 10), kind="holiday", name="临时调整")
    assert add_working_days(date(2026, 10, 9), 1) == date(2026, 10, 12)
    changes.remove_calendar_day(user=users("admin"), day=date(2026, 10, 10))
    assert add_working_days(date(2026, 10, 9), 1) == date(2026, 10, 10)


def test_a_year_lists_weekday_holidays_and_weekend_working_days():
    known = year_calendar(2026)
    assert known.known
    days = {day.date: day for day in known.days}
    assert (days[date(2026, 10, 1)].kind, days[date(2026, 10, 1)].name) == ("holiday", "国庆节")
    assert (days[date(2026, 10, 10)].kind, days[date(2026, 10, 10)].name) == ("workday", "国庆节调休上班")
    assert days[date(2026, 2, 16)].name == "春节" and days[date(2026, 2, 14)].kind == "workday"
    assert date(2026, 10, 3) not in days  # a Saturday off is no news
    assert all((day.date.weekday() < 5) == (day.kind == "holiday") for day in known.days)
    assert year_calendar(2027) == calendar.YearCalendar(2027, False, ())


def test_a_year_merges_the_overrides(users):
    admin = users("admin")
    changes.set_calendar_day(user=admin, day=date(2027, 1, 1), kind="holiday", name="元旦")
    changes.set_calendar_day(user=admin, day=date(2027, 1, 9), kind="workday", name="")  # a Saturday
    changes.set_calendar_day(user=admin, day=date(2027, 1, 2), kind="holiday", name="元旦")  # Saturday off: no news
    changes.set_calendar_day(user=admin, day=date(2026, 10, 10), kind="holiday", name="")  # cancels the make-up day
    assert [(d.date, d.kind, d.name) for d in year_calendar(2027).days] == [
        (date(2027, 1, 1), "holiday", "元旦"),
        (date(2027, 1, 9), "workday", "调休上班日"),
    ]
    assert date(2026, 10, 10) not in {d.date for d in year_calendar(2026).days}


# --- telling the administrator --------------------------------------------------------------


def test_notices_name_this_year_and_the_next_until_entered(users):
    assert calendar.calendar_notices(date(2026, 3, 1))[0].startswith("2027年的法定节假日尚未录入完毕（尚未标记")
    assert [n[:6] for n in calendar.calendar_notices(date(2027, 3, 1))] == ["2027年的", "2028年的"]
    changes.set_calendar_day(user=users("admin"), day=date(2027, 1, 1), kind="holiday", name="元旦")
    assert "已录入1天调整" in calendar.calendar_notices(date(2026, 3, 1))[0]
    changes.mark_year_entered(user=users("admin"), year=2027)
    assert calendar.calendar_notices(date(2026, 3, 1)) == []


def test_the_system_check_warns_when_the_coming_year_is_unknown(users, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: date(2026, 11, 30))
    assert checks.holiday_calendar_entered(databases=None) == []  # only when the database is checked
    warnings = checks.holiday_calendar_entered(databases=["default"])
    assert [type(w) for w in warnings] == [CheckWarning] and warnings[0].id == "workflows.W001"
    assert "2027年" in warnings[0].msg
    changes.mark_year_entered(user=users("admin"), year=2027)
    assert checks.holiday_calendar_entered(databases=["default"]) == []


def test_the_admin_list_shows_the_notice_and_its_changes_are_audited(demo, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: date(2026, 11, 30))
    client = admin_client()
    page = client.get("/admin/workflows/calendarday/").content.decode()
    assert "2027年的法定节假日尚未录入完毕" in page
    response = client.post(
        "/admin/workflows/calendarday/add/", {"date": "2027-01-01", "is_workday": "", "name": "元旦"}
    )
    assert response.status_code == 302, response.content.decode()
    event = AuditEvent.objects.get(action="calendar_day_set")
    assert event.actor_name == "admin" and event.detail["after"] == {"kind": "holiday", "name": "元旦"}
    override = CalendarDay.objects.get(date=date(2027, 1, 1))
    client.post(f"/admin/workflows/calendarday/{override.pk}/delete/", {"post": "yes"})
    assert not CalendarDay.objects.exists()
    assert AuditEvent.objects.get(action="calendar_day_removed").detail["before"] == {"kind": "holiday", "name": "元旦"}
    client.post("/admin/workflows/calendaryear/add/", {"year": "2027"})
    assert (
        CalendarYear.objects.filter(year=2027).exists()
        and AuditEvent.objects.filter(action="calendar_year_entered").exists()
    )
    assert "尚未录入完毕" not in client.get("/admin/workflows/calendarday/").content.decode()


# --- the API -------------------------------------------------------------------------------


def test_add_working_days(demo):
    client = api_as("inst-welfare-centre")  # anyone signed in may count
    response = client.get("/api/v1/calendar/add-working-days/", {"start": "2026-09-29", "days": "5"})
    assert response.status_code == 200
    assert response.json() == {"start": "2026-09-29", "days": 5, "end": "2026-10-12", "warnings": []}
    into_2027 = client.get("/api/v1/calendar/add-working-days/?start=2026-12-30&days=3").json()
    assert into_2027["end"] == "2027-01-04" and into_2027["warnings"][0].startswith(WARNING_2027)
    assert client.get("/api/v1/calendar/add-working-days/?start=2026-12-30&days=0").json()["end"] == "2026-12-30"
    assert client.get("/api/v1/calendar/add-working-days/?start=2026-01-01&days=366").status_code == 200


@pytest.mark.parametrize(
    "query, field",
    [
        ("days=5", "start"),
        ("start=2026-09-29", "days"),
        ("start=2026-13-01&days=5", "start"),
        ("start=2026-02-30&days=5", "start"),
        ("start=20260929&days=5", "start"),
        ("start=2026-9-29&days=5", "start"),
        ("start=1999-12-31&days=5", "start"),
        ("start=2026-09-29&days=-1", "days"),
        ("start=2026-09-29&days=367", "days"),
        ("start=2026-09-29&days=99999999999999999999", "days"),
        ("start=2026-09-29&days=abc", "days"),
        ("start=2026-09-29&days=1.5", "days"),
        ("start=2026-09-29&days=", "days"),
    ],
)
def test_add_working_days_refuses_bad_input(demo, snapshot, query, field):
    client = api_as("health-1")
    before = snapshot()
    error = assert_error(client.get(f"/api/v1/calendar/add-working-days/?{query}"), 400, "invalid")
    assert list(error["fields"]) == [field]
    assert snapshot() == before


def test_the_calendar_needs_a_login(demo):
    from rest_framework.test import APIClient

    assert_error(APIClient().get("/api/v1/calendar/add-working-days/?start=2026-09-29&days=5"), 401)
    assert_error(APIClient().get("/api/v1/calendar/2026/"), 401)


def test_a_year(demo):
    client = api_as("twp-anwen")
    body = client.get("/api/v1/calendar/2026/").json()
    assert body["year"] == 2026 and body["known"] is True
    assert {"date": "2026-10-01", "kind": "holiday", "name": "国庆节"} in body["days"]
    assert {"date": "2026-10-10", "kind": "workday", "name": "国庆节调休上班"} in body["days"]
    assert "2026-10-03" not in {day["date"] for day in body["days"]}
    assert client.get("/api/v1/calendar/2027/").json() == {"year": 2027, "known": False, "days": []}
    assert_error(client.get("/api/v1/calendar/1999/"), 400, "invalid")
    assert_error(client.get("/api/v1/calendar/20270/"), 400, "invalid")


def test_the_administrator_sets_and_removes_an_override(demo):
    client = api_as("admin")
    url = "/api/v1/calendar/days/2027-01-01/"
    response = client.put(url, {"kind": "holiday", "name": "元旦"}, format="json")
    assert response.status_code == 200 and response.json() == {"date": "2027-01-01", "kind": "holiday", "name": "元旦"}
    assert client.get("/api/v1/calendar/2027/").json()["days"] == [
        {"date": "2027-01-01", "kind": "holiday", "name": "元旦"}
    ]
    assert client.get("/api/v1/calendar/add-working-days/?start=2026-12-30&days=3").json()["end"] == "2027-01-05"
    event = AuditEvent.objects.get(action="calendar_day_set")
    assert event.detail == {"date": "2027-01-01", "before": None, "after": {"kind": "holiday", "name": "元旦"}}
    assert event.actor_name == "admin"

    # The same again changes nothing and records nothing; a new name is a change.
    assert client.put(url, {"kind": "holiday", "name": "元旦"}, format="json").status_code == 200
    assert AuditEvent.objects.filter(action="calendar_day_set").count() == 1
    client.put(url, {"kind": "holiday", "name": "元旦节"}, format="json")
    change = AuditEvent.objects.filter(action="calendar_day_set").latest("id")
    assert change.detail["before"] == {"kind": "holiday", "name": "元旦"}
    assert change.detail["after"] == {"kind": "holiday", "name": "元旦节"}

    assert client.delete(url).status_code == 204
    assert not CalendarDay.objects.exists()
    removed = AuditEvent.objects.get(action="calendar_day_removed")
    assert removed.detail == {"date": "2027-01-01", "before": {"kind": "holiday", "name": "元旦节"}, "after": None}
    assert_error(client.delete(url), 404, "not_found")


def test_the_administrator_marks_a_year_entered(demo):
    client = api_as("admin")
    assert client.put("/api/v1/calendar/2027/entered/").json() == {"year": 2027, "known": True}
    assert client.get("/api/v1/calendar/2027/").json()["known"] is True
    assert client.get("/api/v1/calendar/add-working-days/?start=2026-12-30&days=3").json()["warnings"] == []
    client.put("/api/v1/calendar/2027/entered/")  # again: nothing more
    assert AuditEvent.objects.filter(action="calendar_year_entered").count() == 1
    assert client.delete("/api/v1/calendar/2027/entered/").json() == {"year": 2027, "known": False}
    assert AuditEvent.objects.filter(action="calendar_year_reopened").count() == 1


@pytest.mark.parametrize(
    "url, payload, field",
    [
        ("/api/v1/calendar/days/2027-01-01/", {"kind": "day-off", "name": "元旦"}, "kind"),
        ("/api/v1/calendar/days/2027-01-01/", {"name": "元旦"}, "kind"),
        ("/api/v1/calendar/days/2027-01-01/", {"kind": "holiday", "name": "元" * 41}, "name"),
        ("/api/v1/calendar/days/2027-01-01/", ["holiday"], None),
        ("/api/v1/calendar/days/2027-02-30/", {"kind": "holiday"}, "date"),
        ("/api/v1/calendar/days/tomorrow/", {"kind": "holiday"}, "date"),
        ("/api/v1/calendar/days/2101-01-01/", {"kind": "holiday"}, "date"),
    ],
)
def test_a_bad_override_is_refused_and_changes_nothing(demo, snapshot, url, payload, field):
    client = api_as("admin")
    before = snapshot()
    error = assert_error(client.put(url, payload, format="json"), 400, "invalid")
    if field:
        assert field in error["fields"]
    assert snapshot() == before


@pytest.mark.parametrize("username", ["health-1", "health-head", "twp-anwen", "inst-welfare-centre", "auditor"])
def test_only_an_administrator_changes_the_calendar(demo, users, snapshot, username):
    changes.set_calendar_day(user=users("admin"), day=date(2027, 1, 1), kind="holiday", name="元旦")
    client = api_as(username)
    before = snapshot()
    assert_error(client.put("/api/v1/calendar/days/2027-01-04/", {"kind": "holiday"}, format="json"), 403)
    assert_error(client.delete("/api/v1/calendar/days/2027-01-01/"), 403)
    assert_error(client.put("/api/v1/calendar/2027/entered/"), 403)
    assert_error(client.delete("/api/v1/calendar/2027/entered/"), 403)
    assert snapshot() == before
    assert CalendarDay.objects.get().name == "元旦"
