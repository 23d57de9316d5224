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

from .conftest import require_services
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
    """The closing fails after the number, the case's state and both documents were written, its events held back."""
    case, task = _at_health_filing(driver)
    before = _snapshot(case)
    request_documents = clinic_filing.request_documents

    def fail_after_the_documents(**kwargs):
        request_documents(**kwargs)
        raise RuntimeError("signing service refused")

    monkeypatch.setattr(clinic_filing, "request_documents", fail_after_the_documents)
    with pytest.raises(RuntimeError):
        services.decide_task(user=request_user("health-1"), task_id=task.pk, decision="approve")

    assert _snapshot(case) == before
    monkeypatch.setattr(clinic_filing, "request_documents", request_documents)
    services.decide_task(user=request_user("health-1"), task_id=task.pk, decision="approve")  # then it goes through
    case.refresh_from_db()
    assert case.state == "approved" and case.clinic_filing.filing_no
    assert verify_log().ok


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


# --- the writes held back to one statement (docs/performance.md, "Third pass") ------------------


@pytest.fixture
def postgresql():
    """SQLite writes each event and step apart: it has no INSERT inside WITH."""
    require_services(postgres=True)


def test_held_events_go_in_as_one_statement_after_the_head_they_were_given(db, postgresql):
    chain = "PA-2026-BA-999003"
    with CaptureQueriesContext(connection) as appended, transaction.atomic(), audit_services.batched():
        events = [audit_services.record(action="case_note", case_no=chain, detail={"n": n}) for n in range(3)]
        assert all(event.pk is None for event in events)  # held until the block ends
    inserts = [q["sql"] for q in appended.captured_queries if "audit_auditevent" in q["sql"]]
    assert len(inserts) == 2, inserts  # the head read once (a new chain), then the three in one statement
    assert [event.seq for event in events] == [1, 2, 3] and all(event.pk for event in events)
    _chain_is_whole(chain)


def test_held_events_whose_head_moved_are_all_appended_after_the_new_head(db, postgresql):
    """Another writer took the seq the first held event was given: none of them goes in, then all after the new head."""
    chain = "PA-2026-BA-999004"
    with transaction.atomic():
        audit_services.record(action="case_note", case_no=chain)
    with transaction.atomic(), audit_services.batched():
        for n in range(3):
            audit_services.record(action="case_note", case_no=chain, detail={"n": n}, previous=(0, "0" * 64))
    assert list(AuditEvent.objects.filter(chain=chain).order_by("seq").values_list("seq", flat=True)) == [1, 2, 3, 4]
    _chain_is_whole(chain)


def test_an_event_in_a_nested_block_that_rolls_back_takes_only_itself_back(db, postgresql):
    chain = "PA-2026-BA-999005"
    with transaction.atomic(), audit_services.batched():
        audit_services.record(action="case_note", case_no=chain, detail={"n": "before"})
        try:
            with transaction.atomic():  # a savepoint the caller rolls back alone
                audit_services.record(action="case_note", case_no=chain, detail={"n": "rolled back"})
                raise RuntimeError
        except RuntimeError:
            pass
        audit_services.record(action="case_note", case_no=chain, detail={"n": "after"})
    notes = list(AuditEvent.objects.filter(chain=chain).order_by("seq").values_list("detail", flat=True))
    assert notes == [{"n": "before"}, {"n": "after"}]
    _chain_is_whole(chain)


def test_an_exception_in_a_batch_writes_none_of_its_events(db):
    chain = "PA-2026-BA-999006"
    with pytest.raises(RuntimeError), transaction.atomic(), audit_services.batched():
        audit_services.record(action="case_note", case_no=chain)
        raise RuntimeError("the action failed")
    assert not AuditEvent.objects.filter(chain=chain).exists()
    with transaction.atomic(), audit_services.batched():
        audit_services.record(action="case_note", case_no=chain)
    assert AuditEvent.objects.filter(chain=chain).count() == 1  # a batch left open would have held it forever


def test_numbers_of_several_series_are_taken_together_in_the_order_asked(db):
    from common.numbering import take_next, take_next_many

    with transaction.atomic():
        assert take_next("doc:b", 2026) == 1
        assert take_next_many(["doc:b", "doc:a"], 2026) == [2, 1]
        assert take_next_many(["doc:a", "doc:a", "doc:c"], 2026) == [2, 3, 1]  # a series twice: consecutive
        assert take_next_many(["doc:a"], 2027) == [1]  # a new year starts at 1


def test_a_run_of_automatic_steps_before_a_person_s_step_is_linked_step_by_step(demo, driver):
    """With 医保 asked for, the If hands the run to the 医保局's step: the If's row is written before it links to it."""
    case = driver.to_step(driver.submit("inst-anwen-qinchunyuan", medical_insurance=True), "health_filing")
    driver.decide(case, "health-1")
    steps = list(case.task_set.order_by("id").values_list("flow_task", "status", "previous__flow_task"))
    assert [(step.name, status, previous.name) for step, status, previous in steps[-3:]] == [
        ("assign_filing_number", "DONE", "health_filing"),
        ("insurance_requested", "DONE", "assign_filing_number"),
        ("insurance_review", "NEW", "insurance_requested"),
    ]


def test_a_claim_whose_event_meets_a_moved_head_still_writes_its_owner_once(demo, driver, monkeypatch):
    """The held UPDATE runs with the first try of the event; the retry after the moved head inserts only the event."""
    from workflows.services import tasks as task_services

    case = driver.submit("inst-anwen-qinchunyuan")
    task = driver.open_task(case, "twp-anwen")
    events_before = AuditEvent.objects.filter(chain=case.case_no).count()
    monkeypatch.setattr(task_services, "chain_head_of", lambda task: (0, "0" * 64))  # a head long gone
    claimer = request_user("twp-anwen")
    with CaptureQueriesContext(connection) as claim:
        services.claim_task(user=claimer, task_id=task.pk)

    task.refresh_from_db()
    assert task.owner_id == claimer.pk and task.status == "ASSIGNED"
    assert sum('UPDATE "workflows_casetask"' in q["sql"] for q in claim.captured_queries) == 1
    assert AuditEvent.objects.filter(chain=case.case_no).count() == events_before + 1
    _chain_is_whole(case.case_no)


def test_a_held_update_of_an_action_that_fails_is_never_written(demo, driver):
    from common import held_writes

    case = driver.submit("inst-anwen-qinchunyuan")
    task = CaseTask.objects.get(pk=driver.open_task(case, "twp-anwen").pk)
    with pytest.raises(RuntimeError), transaction.atomic(), audit_services.batched():
        with held_writes.holding(task):
            task.comment = "不应写入"
            task.save()
        raise RuntimeError("the action failed after the save")
    assert CaseTask.objects.get(pk=task.pk).comment == ""


def test_holding_outside_an_action_saves_at_once(demo, driver):
    from common import held_writes

    case = driver.submit("inst-anwen-qinchunyuan")
    task = CaseTask.objects.get(pk=driver.open_task(case, "twp-anwen").pk)
    with transaction.atomic(), held_writes.holding(task):
        task.comment = "立即写入"
        task.save()
        assert CaseTask.objects.get(pk=task.pk).comment == "立即写入"


def test_asking_again_for_a_closing_s_documents_returns_the_first_rows_and_takes_no_number(demo, driver):
    """request_documents' look-up is compiled once per kinds and version: a retry finds the rows, a correction does not."""
    from documents.services import Wanted, request_documents
    from institutions.models import Department

    case = driver.file(driver.submit("inst-anwen-qinchunyuan", medical_insurance=False))
    health = Department.objects.get(code="health")
    first = {document.kind: document.pk for document in case.documents.all()}
    numbers = set(NumberSequence.objects.values_list("series", "year", "last"))
    with transaction.atomic():
        again = request_documents(
            case=case, wanted=[Wanted("approval_record", [health]), Wanted("filing_certificate", [health])]
        )
        alone = request_documents(case=case, wanted=[Wanted("filing_certificate", [health])])
    assert [document.pk for document in again] == [first["approval_record"], first["filing_certificate"]]
    assert [document.pk for document in alone] == [first["filing_certificate"]]
    assert set(NumberSequence.objects.values_list("series", "year", "last")) == numbers  # no number taken
    assert case.documents.count() == len(first)
    other = driver.file(driver.submit("inst-welfare-centre", medical_insurance=False))  # same statement, other case
    assert {d.pk for d in request_documents(case=other, wanted=[Wanted("filing_certificate", [health])])} == {
        other.documents.get(kind="filing_certificate").pk
    }
    with transaction.atomic():
        correction = request_documents(
            case=case,
            wanted=[Wanted("filing_certificate", [health])],
            supersedes=case.documents.get(kind="filing_certificate"),
            reason="更正备案凭证",
        )
    assert correction[0].version == 2 and correction[0].pk not in first.values()


def test_a_case_s_detail_read_by_the_compiled_statement_is_django_s_row_and_cached(demo, driver):
    """Case.detail_row: the same row as the accessor, kept on the case both ways; a case without one raises as Django does."""
    from django.core.exceptions import ObjectDoesNotExist

    first, second = driver.submit("inst-welfare-centre"), driver.submit("inst-anwen-qinchunyuan")
    for case in (first, second):
        fresh = Case.objects.get(pk=case.pk)
        with CaptureQueriesContext(connection) as queries:
            filing = fresh.detail_row("clinic_filing")
            assert (
                fresh.clinic_filing is filing and filing.case is fresh and fresh.detail_row("clinic_filing") is filing
            )
        assert len(queries) == 1
        expected = Case.objects.get(pk=case.pk).clinic_filing
        assert (filing.pk, filing.clinic_name, filing.staff.count()) == (
            expected.pk,
            expected.clinic_name,
            expected.staff.count(),
        )
    with pytest.raises(ObjectDoesNotExist):
        Case.objects.get(pk=first.pk).detail_row("cooperation")
