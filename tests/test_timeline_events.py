"""The case timeline that applicants and reviewers read tells the whole story from the audit log (issue #11 item 4):
公示 start and end, an objection (with its text, never its author), deadline reminders and escalations.
"""

from datetime import date

import pytest
from django.test import Client

from workflows import selectors
from workflows.models import Case
from workflows.services.deadline_watch import watch_deadlines
from workflows.timeline_events import TIMELINE_EVENTS

from .test_clinic_filing_api import api_as
from .test_subsidy import HOME, hiring_body, submit, to_notice

pytestmark = pytest.mark.django_db

OBJECTION = "该员工系在编人员，不应享受入职奖补。"


def page_of(users, username: str, case_no: str) -> str:
    client = Client()
    client.force_login(users(username))
    response = client.get(f"/cases/{case_no}/")
    assert response.status_code == 200
    return response.content.decode()


def timeline_text(page: str) -> str:
    return page.split('<ol class="timeline">', 1)[1].split("</ol>", 1)[0]


def test_an_objection_and_the_notice_appear_in_order_without_the_objectors_name(users):
    case_no = submit(api_as(HOME), hiring_body())["case_no"]
    to_notice(case_no)
    objector = users("inst-xinwo-home")
    response = api_as("inst-xinwo-home").post(
        f"/api/v1/cases/{case_no}/objections/", {"text": OBJECTION}, format="json"
    )
    assert response.status_code == 201

    entries = selectors.case_timeline(Case.objects.get(case_no=case_no))
    titles = [entry.title for entry in entries]
    # Cause before effect: the bureau confirms, 公示 starts, an objection ends it, the bureau reviews again.
    assert titles[-4:-1] == ["公示", "公示异议", "公示结束"]
    assert titles[-5] == titles[-1]  # the bureau's step, decided and now open again
    notice = next(e for e in entries if e.title == "公示")
    assert notice.who == "系统" and "期间可提出异议" in notice.comment
    objection = next(e for e in entries if e.title == "公示异议")
    assert objection.who == "公众异议" and objection.comment == f"异议内容：{OBJECTION}" and objection.unit == ""
    ended = next(e for e in entries if e.title == "公示结束")
    assert ended.decision_label == "因异议中止"
    assert entries[-1].state == "open"  # the competent bureau's step again

    for reader in (HOME, "twp-anwen", "civil-1"):
        text = timeline_text(page_of(users, reader, case_no))
        assert OBJECTION in text and "公众异议" in text and "公示开始" in text
        # Anyone may object; who did is not the applicant's (or the timeline's) to show.
        assert objector.display_name not in text and objector.username not in text and "新渥敬老院" not in text


def test_deadline_reminders_and_escalations_sit_with_their_step(driver, users):
    case = driver.submit()
    task = driver.open_task(case, "twp-anwen")
    task.due = date(2026, 11, 30)  # a Monday
    task.save(update_fields=["due"])
    watch_deadlines(today=date(2026, 11, 30))
    watch_deadlines(today=date(2026, 12, 1))

    entries = selectors.case_timeline(case)
    assert [e.title for e in entries] == ["提交申请", "属地初审", "临近时限提醒", "超期上报"]
    reminder, escalation = entries[2], entries[3]
    assert reminder.who == "系统" and reminder.unit == task.unit_label and "2026-11-30" in reminder.comment
    assert "已上报单位负责人" in escalation.comment and escalation.decision_label == "已超期"
    text = timeline_text(page_of(users, "inst-welfare-centre", case.case_no))
    assert "临近时限提醒" in text and "超期上报" in text

    # Once decided, what happened while the step was open comes before its decision.
    driver.decide(case, "twp-anwen")
    titles = [e.title for e in selectors.case_timeline(case)]
    assert titles[:4] == ["提交申请", "临近时限提醒", "超期上报", "属地初审"]


def test_a_reassignment_still_reads_from_whom_to_whom_and_why(driver, users):
    from workflows import services

    case = driver.submit()
    task = driver.open_task(case, "twp-anwen")
    services.claim_task(user=users("twp-anwen"), task_id=task.pk)
    head = users("twp-anwen-head")
    services.reassign_task(user=head, task_id=task.pk, to_username="twp-anwen-head", reason="原办理人休假")
    moved = selectors.case_timeline(case)[-1]
    assert moved.title == "任务改派" and moved.who == (head.display_name or head.username)
    assert moved.comment.startswith("由") and moved.comment.endswith("原因：原办理人休假")


def test_every_timeline_action_has_a_label_in_the_log_vocabulary():
    from audit.actions import ACTION_LABELS

    assert set(TIMELINE_EVENTS) <= set(ACTION_LABELS)


def test_an_unknown_or_malformed_detail_does_not_break_the_timeline(driver):
    from django.db import transaction

    from audit.services import record

    case = driver.submit()
    with transaction.atomic():
        record(action="public_notice_started", case_no=case.case_no, detail={})
        record(action="deadline_reminded", case_no=case.case_no, detail={"task": None, "due": None})
    entries = selectors.case_timeline(case)
    assert {"公示", "临近时限提醒"} <= {e.title for e in entries}
    assert all("None" not in e.comment for e in entries)
    assert next(e for e in entries if e.title == "公示").comment == "公示期—至—，期间可提出异议"
