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

    # lock+read, the task's owner and status, the audit event
    assert data_statements(claim) == ["SELECT", "UPDATE", "INSERT"], [q["sql"] for q in claim]
    # lock+read, the audit event, the task's outcome, the next step, its link to this one
    assert data_statements(decide) == ["SELECT", "INSERT", "UPDATE", "INSERT", "INSERT"], [q["sql"] for q in decide]
    updates = [q["sql"] for q in claim.captured_queries + decide.captured_queries if q["sql"].startswith("UPDATE")]
    assert all('"comment"' not in sql for sql in updates[:1])  # the claim writes owner and status only
