"""A decision — claim, then decide — costs a fixed, small number of SQL statements (issue #13).

The hot path (workflows/services/tasks.py locked_task): one statement locks and reads the
task with its case under the user's scope; the writes touch only changed columns; the next
step is inserted already labelled and dated; county data comes from the cache; the audit
event is one INSERT on the case's own chain. Inside a test the transaction shows as a
savepoint; outside, each action adds BEGIN and COMMIT — 12 statements for the two on
PostgreSQL (bench/decisions.py --show-sql prints them).
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from permissions.loading import with_jurisdiction
from permissions.models import User
from workflows import services

pytestmark = pytest.mark.django_db

TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE", "ROLLBACK")


def data_statements(captured) -> list[str]:
    """The kind of each statement that reads or writes rows, in order."""
    kinds = [query["sql"].lstrip("(").split()[0].upper() for query in captured]
    return [kind for kind in kinds if kind not in TRANSACTION_CONTROL]


def request_user(username: str) -> User:
    """The user as a request loads it: roles, grants and unit in the one query of authentication."""
    return with_jurisdiction(User.objects.filter(username=username)).get()


def test_a_township_decision_reads_once_and_writes_what_changed(demo, driver):
    driver.decide(driver.submit("inst-welfare-centre"), "twp-anwen")  # warms the cached county data
    case = driver.submit("inst-anwen-qinchunyuan")
    task = driver.open_task(case, "twp-anwen")

    claimer = request_user("twp-anwen")
    with CaptureQueriesContext(connection) as claim:
        services.claim_task(user=claimer, task_id=task.pk)
    decider = request_user("twp-anwen")
    with CaptureQueriesContext(connection) as decide:
        services.decide_task(user=decider, task_id=task.pk, decision="approve")

    if connection.vendor == "postgresql":
        # lock+read; the task's owner and status with the audit event (common/held_writes.py)
        assert data_statements(claim) == ["SELECT", "WITH"], [q["sql"] for q in claim]
        assert claim.captured_queries[-2]["sql"].startswith('WITH held_0 AS (UPDATE "workflows_casetask" SET')
    else:
        # lock+read, the task's owner and status, the audit event
        assert data_statements(claim) == ["SELECT", "UPDATE", "INSERT"], [q["sql"] for q in claim]
    if connection.vendor == "postgresql":
        # lock+read, the task's outcome, the next step with its link to this one (workflows/task_rows.py),
        # the audit event (held back to the end of the action: audit.services.batched)
        assert data_statements(decide) == ["SELECT", "UPDATE", "WITH", "INSERT"], [q["sql"] for q in decide]
    else:
        # lock+read, the audit event, the task's outcome, the next step, its link to this one
        assert data_statements(decide) == ["SELECT", "INSERT", "UPDATE", "INSERT", "INSERT"], [q["sql"] for q in decide]
    claim_update = next(q["sql"] for q in claim.captured_queries if 'UPDATE "workflows_casetask"' in q["sql"])
    assert '"comment"' not in claim_update and '"owner_id"' in claim_update  # the claim writes owner and status only


def test_closing_a_filing_writes_each_automatic_step_once_without_savepoints(demo, driver):
    """The filing number, the 医保 question, the closing and the end: one row and one link each (automatic_nodes).

    On PostgreSQL the four rows, their links and the five audit events are two statements.
    """
    driver.file(driver.submit("inst-welfare-centre", medical_insurance=False))  # warms the cache
    case = driver.to_step(driver.submit("inst-anwen-qinchunyuan", medical_insurance=False), "health_filing")
    task = driver.open_task(case, "health-1")
    services.claim_task(user=request_user("health-1"), task_id=task.pk)

    decider = request_user("health-1")
    with CaptureQueriesContext(connection) as decide:
        services.decide_task(user=decider, task_id=task.pk, decision="approve")

    sql = [query["sql"] for query in decide.captured_queries]
    # Inside the test's transaction the decision's own atomic block is the one savepoint.
    assert sum(statement.startswith("SAVEPOINT") for statement in sql) == 1, sql
    text = "\n".join(sql)
    assert text.count('UPDATE "workflows_casetask" SET') == 1, sql  # the health step: decided
    # assign_filing_number, insurance_requested, filed, end: one row each, never written twice
    assert text.count('INSERT INTO "workflows_casetask" (') == 4, sql
    assert 'UPDATE "workflows_casetask"' not in text.split('INSERT INTO "workflows_casetask" (', 1)[1], sql
    if connection.vendor == "postgresql":
        assert data_statements(decide) == [
            "SELECT",  # the task and its case, locked, in the reviewer's scope, with the audit chain's head
            "UPDATE",  # the health step: decided
            "SELECT",  # the filing
            "INSERT",  # its number (an upsert of the series)
            "UPDATE",  # the filing's number
            "UPDATE",  # the case: approved
            "SELECT",  # documents already requested (none)
            "INSERT",  # both documents' numbers (common.numbering.take_next_many)
            "INSERT",  # both documents
            "UPDATE",  # the case: finished (no look-up of other open steps: the flow has no Split)
            "WITH",  # the four automatic steps with their links (workflows/task_rows.py insert_route)
            "WITH",  # the five audit events (audit.services.batched)
        ], sql
    else:  # SQLite: each step and its link apart, each audit event apart
        assert len(data_statements(decide)) == 23, sql
    case.refresh_from_db()
    assert case.state == "approved" and case.status == "DONE" and case.finished is not None
    steps = list(case.task_set.order_by("id").values_list("flow_task", "status", "previous__flow_task"))
    assert [(step.name, status) for step, status, _ in steps[-4:]] == [
        ("assign_filing_number", "DONE"),
        ("insurance_requested", "DONE"),
        ("filed", "DONE"),
        ("end", "DONE"),
    ]
    # each automatic step keeps its link to the step before it, as viewflow writes it
    assert [previous.name for _, _, previous in steps[-4:]] == [
        "health_filing",
        "assign_filing_number",
        "insurance_requested",
        "filed",
    ]
