"""The audit log's chains, triggers and signed statements: tampering of every kind is caught and named.

The tamper tests do what someone with the database's superuser could: switch the
append-only trigger off, change rows with raw SQL, switch it on again.
"""

import json
import subprocess
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from audit.hashing import GENESIS, digest
from audit.models import AuditEvent, AuditStatement
from audit.services import chain_head, record
from audit.triggers import TABLE, create_sql, drop_sql
from documents.audit_statements import issue_statement, verify_audit

pytestmark = pytest.mark.django_db


@contextmanager
def triggers_off():
    """As a superuser would: PostgreSQL disables the trigger, SQLite drops and recreates it."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER audit_event_append_only")
        else:
            for statement in drop_sql(connection.vendor):
                cursor.execute(statement)
        try:
            yield cursor
        finally:
            if connection.vendor == "postgresql":
                cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER audit_event_append_only")
            else:
                for statement in create_sql(connection.vendor):
                    cursor.execute(statement)


def events(case_no: str, count: int, actor=None) -> list[AuditEvent]:
    with transaction.atomic():
        return [record(action="task_claimed", actor=actor, case_no=case_no, detail={"n": n}) for n in range(count)]


@pytest.fixture
def anchored(users):
    """Two cases' chains of six and two events, then a signed statement of them."""
    first = events("PA-T-1", 6, users("twp-anwen"))
    second = events("PA-T-2", 2)
    statement = issue_statement()
    assert verify_audit().ok
    return first, second, statement


def verdict() -> dict:
    return verify_audit().as_json()


def test_two_cases_share_no_row_and_each_chain_starts_at_its_genesis(demo):
    a, b = events("PA-A", 2), events("PA-B", 1)
    assert [(e.chain, e.seq) for e in a + b] == [("PA-A", 1), ("PA-A", 2), ("PA-B", 1)]
    assert a[0].prev_hash == GENESIS and b[0].prev_hash == GENESIS and a[1].prev_hash == a[0].hash
    assert "audit_auditchainhead" not in connection.introspection.table_names()


def test_a_writer_with_a_stale_head_appends_after_the_winner_and_never_forks(demo):
    first = events("PA-RACE", 1)[0]
    with transaction.atomic():  # it read the head before the other writer appended
        late = record(action="task_unclaimed", case_no="PA-RACE", previous=(0, GENESIS))
    assert (late.seq, late.prev_hash) == (2, first.hash)
    assert chain_head("PA-RACE") == (2, late.hash)
    twin = AuditEvent(chain="PA-RACE", seq=2, action="x", prev_hash=first.hash, hash="f" * 64)
    with pytest.raises(DatabaseError), transaction.atomic():
        twin.save()
    assert verdict()["ok"]


def test_the_database_refuses_update_and_delete(demo):
    event = events("PA-TRIG", 1)[0]
    for sql in (f"UPDATE {TABLE} SET action = 'x' WHERE id = %s", f"DELETE FROM {TABLE} WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "task_claimed"


def test_the_orm_refuses_bulk_update_and_delete_and_saving_again(demo):
    event = events("PA-ORM", 1)[0]
    with pytest.raises(RuntimeError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(RuntimeError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(RuntimeError):
        event.save()


def test_a_changed_event_is_named(anchored):
    victim = anchored[0][2]
    with triggers_off() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET unit = '别处' WHERE id = %s", [victim.pk])
    result = verdict()
    assert not result["ok"] and result["first_bad"] == victim.pk and "哈希不符" in result["reason"]


def test_the_last_three_events_of_a_chain_deleted_are_named_by_the_statement(anchored):
    chain, statement = anchored[0], anchored[2]
    with triggers_off() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE chain = %s AND seq > 3", ["PA-T-1"])
    result = verdict()
    assert not result["ok"] and result["statement"] == statement.pk
    assert result["first_bad"] == chain[-1].pk and "其后事件被删除" in result["reason"]


def test_an_event_deleted_inside_a_chain_is_a_gap(anchored):
    chain = anchored[0]
    with triggers_off() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [chain[1].pk])
    result = verdict()
    assert not result["ok"] and result["first_bad"] == chain[2].pk and "缺少" in result["reason"]


def test_an_inserted_event_is_named(anchored):
    chain = anchored[0]
    with triggers_off() as cursor:
        # Make room after seq 2 (highest first: (chain, seq) is unique), then insert a well-hashed event there.
        for event in reversed(chain[2:]):
            cursor.execute(f"UPDATE {TABLE} SET seq = seq + 1 WHERE id = %s", [event.pk])
    with transaction.atomic():
        forged = record(action="task_approve", case_no="PA-T-1", previous=(2, chain[1].hash))
    result = verdict()
    assert forged.seq == 3
    assert not result["ok"] and result["first_bad"] == forged.pk and "插入" in result["reason"]


def test_reordered_events_are_named(anchored):
    chain = anchored[0]
    with triggers_off() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET seq = 0 WHERE id = %s", [chain[3].pk])
        cursor.execute(f"UPDATE {TABLE} SET seq = 4 WHERE id = %s", [chain[2].pk])
        cursor.execute(f"UPDATE {TABLE} SET seq = 3 WHERE id = %s", [chain[3].pk])
    result = verdict()
    assert not result["ok"] and result["first_bad"] == chain[3].pk


def rewrite(case_no: str) -> None:
    """Change every event's detail and recompute every hash and link: the chain is consistent in itself."""
    prev = GENESIS
    fields = "chain, seq, at, actor_id, actor_name, role, unit, ip, action, case_no, detail, id"
    rows = AuditEvent.objects.filter(chain=case_no).order_by("seq")
    with triggers_off() as cursor:
        for event in rows.values_list(*[f.strip() for f in fields.split(",")]):
            chain, seq, at, actor_id, actor_name, role, unit, ip, action, case, detail, pk = event
            detail = {**detail, "n": 100}
            new = digest(chain, seq, prev, at, actor_id, actor_name, role, unit, ip, action, case, detail)
            cursor.execute(
                f"UPDATE {TABLE} SET detail = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [json.dumps(detail), prev, new, pk],
            )
            prev = new


def test_a_wholly_rewritten_chain_is_caught_by_the_statement(anchored):
    statement = anchored[2]
    rewrite("PA-T-1")
    result = verdict()
    assert not result["ok"] and result["statement"] == statement.pk and "被改写" in result["reason"]
    assert result["first_bad"] == anchored[0][-1].pk


def test_a_rewrite_with_the_statement_row_rewritten_too_is_caught_by_its_signed_pdf(anchored):
    from audit.statements import statement_facts

    statement = anchored[2]
    rewrite("PA-T-1")
    facts = statement_facts()
    AuditStatement.objects.filter(pk=statement.pk).update(heads=facts.heads, head=facts.head)
    result = verdict()
    assert not result["ok"] and result["statement"] == statement.pk and "签名文件" in result["reason"]


def test_events_after_the_statement_are_checked_for_links(anchored):
    late = events("PA-T-1", 1)[0]
    assert verdict()["ok"]
    with triggers_off() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET action = 'task_approve' WHERE id = %s", [late.pk])
    assert verdict()["first_bad"] == late.pk


def test_the_statement_pdf_is_signed_and_states_the_root(anchored, tmp_path, nssdb):
    statement = anchored[2]
    path = tmp_path / "statement.pdf"
    path.write_bytes(statement.pdf.read())
    checked = subprocess.run(["pdfsig", "-nssdir", nssdb, str(path)], capture_output=True, text=True)
    assert "Signature is Valid" in checked.stdout and "Certificate is Trusted" in checked.stdout
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "审计日志锚定声明" in text and statement.head in text.replace("\n", "")
    assert statement.event_count == AuditEvent.objects.filter(id__lte=statement.last_event_id).count()


def test_the_commands_print_json_and_exit_1_on_failure(anchored, capsys):
    call_command("audit_statement")
    assert json.loads(capsys.readouterr().out)["last_event_id"] == AuditEvent.objects.latest("id").pk
    call_command("verify_audit")
    assert json.loads(capsys.readouterr().out)["ok"] is True
    with triggers_off() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET unit = 'x' WHERE id = %s", [anchored[1][0].pk])
    with pytest.raises(SystemExit) as exit_status:
        call_command("verify_audit")
    assert exit_status.value.code == 1
    assert json.loads(capsys.readouterr().out)["first_bad"] == anchored[1][0].pk


def test_the_api_lists_statements_and_verifies_for_auditors_only(anchored):
    from .test_clinic_filing_api import api_as

    auditor = api_as("auditor")
    listed = auditor.get("/api/v1/audit/statements/")
    assert listed.status_code == 200
    body = listed.json()
    assert set(body) == {"count", "next", "previous", "results"}
    statement = anchored[2]
    row = body["results"][0]
    assert (row["last_event_id"], row["head"], row["document_id"]) == (
        statement.last_event_id,
        statement.head,
        statement.pk,
    )
    pdf = auditor.get(row["pdf"])
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF-")
    verified = auditor.get("/api/v1/audit/verify/").json()
    assert verified["ok"] and verified["first_bad"] is None and verified["anchored_through"]
    assert verified["checked"] == AuditEvent.objects.count()
    for outsider in ("civil-1", "inst-welfare-centre"):
        client = api_as(outsider)
        for url in ("/api/v1/audit/statements/", row["pdf"], "/api/v1/audit/verify/"):
            assert client.get(url).status_code == 403, (outsider, url)
