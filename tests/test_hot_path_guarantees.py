"""The decision's shortcuts keep every guarantee (issue #13; docs/performance.md, "The decision's hot path").

- automatic steps run without viewflow's savepoints and are written once, DONE
  (workflows/automatic_nodes.py): a failure anywhere in a closing still rolls the whole
  decision back, and viewflow's own path is kept where exceptions do not propagate;
- record() appends after the head it remembers only if that event is still the head
  (audit/services.py): a remembered head that was rolled back or overtaken is read again;
- the locking read is compiled once per scope (common/compiled.py): a changed scope is a
  new statement, and a key no row can have is 404, not a database error.
"""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from viewflow.workflow.context import Context

from audit import services as audit_services
from audit.models import AuditEvent
from audit.verification import verify_log
from common.errors import NotFound
from common.models import NumberSequence
from documents.models import Document
from institutions.models import Township
from permissions.services import sync_jurisdiction
from workflows import clinic_filing, services
from workflows.models import Case, CaseTask

from .test_decision_queries import request_user

pytestmark = pytest.mark.django_db


def _at_health_filing(driver) -> tuple[Case, CaseTask]:
    case = driver.to_step(driver.submit("inst-anwen-qinchunyuan", medical_insurance=False), "health_filing")
    task = driver.open_task(case, "health-1")
    services.claim_task(user=request_user("health-1"), task_id=task.pk)
    return case, task


def _snapshot(case: Case) -> dict:
    case.refresh_from_db()
    return {
        "case": (case.state, case.status, case.finished),
        "tasks": list(case.task_set.order_by("id").values_list("id", "status", "owner_id")),
        "events": AuditEvent.objects.count(),
        "numbers": list(NumberSequence.objects.order_by("series", "year").values_list("series", "year", "last")),
        "documents": Document.objects.count(),
        "filing_no": case.clinic_filing.filing_no,
    }


def test_a_failure_late_in_a_closing_leaves_nothing_behind(demo, driver, monkeypatch):
    """The last document request fails after the number, the closing and a first document were written."""
    case, task = _at_health_filing(driver)
    before = _snapshot(case)
    request_document = clinic_filing.request_document

    def fail_on_the_record(*, case, kind, issuers, **kwargs):
        if kind == clinic_filing.APPROVAL_RECORD.code:
            raise RuntimeError("signing service refused")
        return request_document(case=case, kind=kind, issuers=issuers, **kwargs)

    monkeypatch.setattr(clinic_filing, "request_document", fail_on_the_record)
    with pytest.raises(RuntimeError):
        services.decide_task(user=request_user("health-1"), task_id=task.pk, decision="approve")

    assert _snapshot(case) == before
    monkeypatch.setattr(clinic_filing, "request_document", request_document)
    services.decide_task(user=request_user("health-1"), task_id=task.pk, decision="approve")  # then it goes through
    case.refresh_from_db()
    assert case.state == "approved" and case.clinic_filing.filing_no


def test_where_exceptions_do_not_propagate_viewflow_runs_the_steps_its_own_way(demo, driver):
    """Context(propagate_exception=False): each automatic step in its savepoint, inserted NEW, then DONE."""
    case, task = _at_health_filing(driver)
    decider = request_user("health-1")
    with Context(propagate_exception=False), CaptureQueriesContext(connection) as decide:
        services.decide_task(user=decider, task_id=task.pk, decision="approve")

    sql = [query["sql"] for query in decide.captured_queries]
    assert sum(statement.startswith("SAVEPOINT") for statement in sql) == 1 + 4, sql
    case.refresh_from_db()
    assert case.state == "approved" and case.status == "DONE"
    assert list(case.task_set.order_by("-id").values_list("status", flat=True)[:4]) == ["DONE"] * 4


def _chain_is_whole(chain: str) -> None:
    rows = list(AuditEvent.objects.filter(chain=chain).order_by("seq").values_list("seq", "prev_hash", "hash"))
    assert [seq for seq, _, _ in rows] == list(range(1, len(rows) + 1))
    assert all(prev == rows[i - 1][2] for i, (_, prev, _) in enumerate(rows) if i)
    assert verify_log(use_latest=False).ok


def test_a_remembered_head_that_was_rolled_back_is_read_again(db):
    chain = "PA-2026-BA-999001"
    with transaction.atomic():
        audit_services.record(action="case_note", case_no=chain)
    try:
        with transaction.atomic():
            audit_services.record(action="case_note", case_no=chain)  # remembered as the head …
            raise RuntimeError("… and rolled back")
    except RuntimeError:
        pass
    with CaptureQueriesContext(connection) as appended, transaction.atomic():
        event = audit_services.record(action="case_note", case_no=chain)

    assert event.seq == 2
    reads = [q["sql"] for q in appended.captured_queries if q["sql"].startswith("SELECT")]
    assert len(reads) == 1, reads  # the guarded INSERT found nothing to follow; the head was read once
    _chain_is_whole(chain)


def test_a_remembered_head_that_another_writer_overtook_is_read_again(db):
    chain = "PA-2026-BA-999002"
    with transaction.atomic():
        first = audit_services.record(action="case_note", case_no=chain)
        audit_services.record(action="case_note", case_no=chain)
    audit_services._written[chain] = (first.seq, first.hash)  # as another process saw it
    with transaction.atomic():
        event = audit_services.record(action="case_note", case_no=chain)
    assert event.seq == 3
    _chain_is_whole(chain)


def test_a_closing_appends_its_events_after_each_other_without_reading_the_chain(demo, driver):
    case, task = _at_health_filing(driver)
    decider = request_user("health-1")
    with CaptureQueriesContext(connection) as decide:
        services.decide_task(user=decider, task_id=task.pk, decision="approve")
    head_reads = [q["sql"] for q in decide.captured_queries if q["sql"].startswith('SELECT "audit_auditevent"')]
    assert head_reads == []
    assert AuditEvent.objects.filter(chain=case.case_no, action="document_requested").count() == 2
    _chain_is_whole(case.case_no)


def test_a_reviewer_moved_to_another_township_no_longer_reaches_the_old_queue(demo, driver):
    """The compiled locking read is keyed by the user's grants: new grants, new statement."""
    first = driver.submit("inst-anwen-qinchunyuan")
    second = driver.submit("inst-welfare-centre")
    reviewer = request_user("twp-anwen")
    services.claim_task(user=reviewer, task_id=driver.open_task(first, "twp-anwen").pk)  # compiled for anwen
    waiting = driver.open_task(second, "twp-anwen")

    reviewer.township = Township.objects.exclude(pk=reviewer.township_id).order_by("code").first()
    reviewer.save()
    sync_jurisdiction(reviewer)

    with pytest.raises(NotFound):
        services.claim_task(user=request_user("twp-anwen"), task_id=waiting.pk)
    assert CaseTask.objects.get(pk=waiting.pk).owner_id is None


@pytest.mark.parametrize("task_id", [2**63, -(2**63) - 1, 10**30, "9" * 40])
def test_a_key_no_row_can_have_is_not_found(demo, task_id):
    with pytest.raises(NotFound):
        services.claim_task(user=request_user("twp-anwen"), task_id=task_id)
