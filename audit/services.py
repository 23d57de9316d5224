"""Appending to the audit log and checking that nobody changed it."""

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from .models import AuditChainHead, AuditEvent

GENESIS = "0" * 64


def _digest(prev_hash: str, event: AuditEvent) -> str:
    body = json.dumps(
        [
            prev_hash,
            event.at.isoformat(),
            event.actor_name,
            event.role,
            event.unit,
            event.action,
            event.case_no,
            event.detail,
        ],
        ensure_ascii=False,
        sort_keys=True,
        cls=DjangoJSONEncoder,
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode()).hexdigest()


def record(*, action: str, actor=None, case_no: str = "", detail: dict | None = None) -> AuditEvent:
    """Append one event inside the caller's transaction (it commits or rolls back with it)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record() must run inside the transaction that does the work")
    try:
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    except AuditChainHead.DoesNotExist:  # created by a migration; only a flushed test database lacks it
        AuditChainHead.objects.bulk_create([AuditChainHead(pk=1)], ignore_conflicts=True)
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    roles = ",".join(sorted(actor.roles)) if actor is not None else "system"
    event = AuditEvent(
        actor=actor,
        actor_name=actor.username if actor is not None else "system",
        role=roles,
        unit=actor.unit_label if actor is not None else "",
        action=action,
        case_no=case_no,
        detail=json.loads(json.dumps(detail or {}, cls=DjangoJSONEncoder, ensure_ascii=False)),
        prev_hash=head.last_hash,
    )
    event.hash = _digest(head.last_hash, event)
    event.save()
    head.last_hash = event.hash
    head.save(update_fields=["last_hash"])
    return event


def verify_chain(batch_size: int = 2000) -> dict:
    """Recompute every hash in order; report the first event whose content or link is wrong."""
    prev = GENESIS
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=batch_size):
        if event.prev_hash != prev or _digest(prev, event) != event.hash:
            return {"ok": False, "checked": checked, "first_bad": event.pk}
        prev = event.hash
        checked += 1
    return {"ok": True, "checked": checked, "first_bad": None}
