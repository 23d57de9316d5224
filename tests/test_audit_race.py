"""Two writers of one audit chain at the same instant, on PostgreSQL: neither forks the chain nor fails."""

import threading
import time

import pytest
from django.db import connections, transaction

from audit.models import AuditEvent
from audit.services import record
from documents.audit_statements import verify_audit

from .conftest import require_services

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgres_only():
    require_services(postgres=True)


def test_a_writer_waiting_on_the_other_s_uncommitted_event_appends_after_it():
    """A holds seq 1 uncommitted; B, having read the same empty head, inserts seq 1 too: the
    unique (chain, seq) makes B wait, then its ON CONFLICT DO NOTHING lets it read the new
    head and append seq 2 — inside the same transaction, no error, no fork."""
    a_inserted, outcomes = threading.Event(), {}

    def writer_a():
        try:
            with transaction.atomic():
                record(action="task_claimed", case_no="PA-RACE-PG", detail={"by": "a"})
                a_inserted.set()
                time.sleep(0.5)  # B now waits on this uncommitted row
            outcomes["a"] = "ok"
        finally:
            connections.close_all()

    def writer_b():
        try:
            a_inserted.wait(5)
            with transaction.atomic():
                # B read the head before A's event existed: it tries seq 1 first.
                event = record(action="task_claimed", case_no="PA-RACE-PG", detail={"by": "b"}, previous=(0, "0" * 64))
            outcomes["b"] = event.seq
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer_a), threading.Thread(target=writer_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert outcomes == {"a": "ok", "b": 2}
    rows = list(AuditEvent.objects.filter(chain="PA-RACE-PG").order_by("seq").values_list("seq", "detail"))
    assert rows == [(1, {"by": "a"}), (2, {"by": "b"})]
    assert verify_audit().ok
