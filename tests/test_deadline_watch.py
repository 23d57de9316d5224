"""承诺时限: a step due by the next working day is reminded to its holder, an overdue one is
escalated to the unit's head — once each, at the boundary days, seen only by the right people."""

from datetime import date

import pytest
from django.core.management import call_command
from django.utils import timezone

from audit.models import AuditEvent
from tests.web import WebUser
from workflows import services
from workflows.models import TaskAlert
from workflows.services.deadline_watch import watch_deadlines

pytestmark = pytest.mark.django_db

# Week of 2026-11-23: Mon 23 … Fri 27, weekend 28–29, Mon 30 (working days per chinese-calendar).
THURSDAY, FRIDAY, SATURDAY = date(2026, 11, 26), date(2026, 11, 27), date(2026, 11, 28)
MONDAY, TUESDAY = date(2026, 11, 30), date(2026, 12, 1)


def township_task_due(driver, due: date, username: str = "inst-welfare-centre", township: str = "twp-anwen"):
    case = driver.submit(username)
    task = driver.open_task(case, township)
    task.due = due
    task.save(update_fields=["due"])
    return case, task


def alerts_box(username: str) -> str:
    page = WebUser(username).get("/tasks/").content.decode()
    if 'id="deadline-alerts"' not in page:
        return ""
    return page.split('id="deadline-alerts"', 1)[1].split("</div>", 1)[0]


def test_reminded_from_the_working_day_before_the_due_date(driver):
    case, task = township_task_due(driver, MONDAY)
    assert watch_deadlines(today=THURSDAY).reminded == 0  # Friday is still a whole working day away
    assert watch_deadlines(today=FRIDAY).reminded == 1  # Monday is the next working day
    assert watch_deadlines(today=SATURDAY).reminded == 0  # once, however often the beat runs
    assert watch_deadlines(today=MONDAY).reminded == 0
    alert = TaskAlert.objects.get(task=task)
    assert (alert.kind, alert.due) == (TaskAlert.Kind.DUE_SOON, MONDAY)
    assert AuditEvent.objects.filter(action="deadline_reminded", case_no=case.case_no).count() == 1


def test_a_step_due_today_and_never_reminded_is_reminded_today(driver):
    _, task = township_task_due(driver, MONDAY)
    report = watch_deadlines(today=MONDAY)
    assert (report.reminded, report.escalated) == (1, 0)  # the due date is the last day, not overdue


def test_overdue_from_the_day_after_the_due_date_escalated_once(driver):
    case, task = township_task_due(driver, MONDAY)
    assert watch_deadlines(today=MONDAY).escalated == 0
    assert watch_deadlines(today=TUESDAY).escalated == 1
    assert watch_deadlines(today=TUESDAY).escalated == 0
    assert TaskAlert.objects.filter(task=task, kind=TaskAlert.Kind.OVERDUE).count() == 1
    assert AuditEvent.objects.filter(action="deadline_escalated", case_no=case.case_no).count() == 1


def test_finished_steps_and_the_applicants_turn_are_not_watched(driver):
    case, task = township_task_due(driver, MONDAY)
    driver.decide(case, "twp-anwen", "return")
    supplement = case.task_set.get(flow_task__endswith="supplement", status="NEW")
    assert watch_deadlines(today=TUESDAY).escalated == 0  # the clock stops while the case is with the applicant
    assert not TaskAlert.objects.filter(task__in=[task, supplement]).exists()


def test_who_sees_the_reminder_and_the_escalation(driver):
    case, task = township_task_due(driver, timezone.localdate())
    other_case, _ = township_task_due(driver, timezone.localdate(), "inst-xinwo-home", "twp-xinwo")
    watch_deadlines()
    # The holder (the township's reviewers, while it waits in 待领取) sees the reminder.
    assert case.case_no in alerts_box("twp-anwen")
    assert case.case_no not in alerts_box("twp-xinwo") and other_case.case_no in alerts_box("twp-xinwo")
    assert alerts_box("civil-1") == "" and alerts_box("inst-welfare-centre") == ""
    assert case.case_no in alerts_box("twp-anwen-head")  # a head may claim from 待领取 too

    # Once claimed, the reminder is the claimer's alone; the head sees nothing until it is overdue.
    services.claim_task(user=driver.users("twp-anwen"), task_id=task.pk)
    assert case.case_no in alerts_box("twp-anwen")
    assert alerts_box("twp-anwen-head") == ""

    # Overdue: escalated to the township's head, who sees who holds it; not to other heads.
    task.due = date(2020, 1, 6)
    task.save(update_fields=["due"])
    watch_deadlines()
    head = alerts_box("twp-anwen-head")
    assert case.case_no in head and "已超期" in head and "安文街道审核员" in head
    assert case.case_no not in alerts_box("twp-xinwo-head") and case.case_no not in alerts_box("civil-head")
    assert case.case_no not in alerts_box("twp-anwen")  # an overdue step is no longer "due soon"

    # Once the step is decided, the alerts go away.
    services.decide_task(user=driver.users("twp-anwen"), task_id=task.pk, decision="approve")
    assert case.case_no not in alerts_box("twp-anwen-head")


def test_the_command_runs_the_watch(driver, capsys):
    township_task_due(driver, date(2020, 1, 6))
    call_command("deadline_watch")
    assert "escalated 1" in capsys.readouterr().out
