"""A row's UPDATE held back and written with the action's last statement.

A claim writes two things: the task's new owner and status, and its audit event. The
event is held to the end of the action anyway (audit.services.batched); holding the
task's UPDATE as well lets both go to the database in one statement,

    WITH held_0 AS (UPDATE workflows_casetask SET owner_id = …, status = … WHERE id = …)
    INSERT INTO audit_auditevent …

one round trip a claim instead of two. Only for a row that nothing later in the action
reads back from the database — the claimed task. A decided task is read again by
viewflow (its Join and End look for open steps), so a decision writes it at once.

``collecting()`` is opened by the batch (PostgreSQL only); outside it ``holding()`` does
nothing and a save writes at once. A held row is one that SavesChangedFields saves
with its changed columns and plain values: the UPDATE is the one Django would run
(row_statements.py); a save with an expression among its values is not held.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections
from django.db.models import Model

from .row_statements import plain_update


class _Held(threading.local):
    updates: list[tuple[str, list]] | None = None  # (sql, params), in the order saved; None: not collecting
    rows: frozenset[int] = frozenset()  # id() of the instances whose saves are held


_held = _Held()


@contextmanager
def collecting() -> Iterator[list[tuple[str, list]]]:
    """Collect the held UPDATEs of this block; the caller writes them before the block's transaction ends."""
    if _held.updates is not None:
        raise RuntimeError("held writes are already being collected")
    updates: list[tuple[str, list]] = []
    _held.updates = updates
    try:
        yield updates
    finally:
        _held.updates, _held.rows = None, frozenset()


@contextmanager
def holding(instance: Model) -> Iterator[None]:
    """Within the block, a save of ``instance``'s changed columns is held, when a collection is open."""
    if _held.updates is None:
        yield
        return
    before = _held.rows
    _held.rows = before | {id(instance)}
    try:
        yield
    finally:
        _held.rows = before


def hold_update(instance: Model, field_names: list[str]) -> bool:
    """Hold the UPDATE of these columns if the instance is held; False: the caller saves it now."""
    if _held.updates is None or id(instance) not in _held.rows:
        return False
    meta = instance._meta
    fields = [field for field in meta.concrete_fields if field.name in field_names and not field.primary_key]
    values = [(field, field.pre_save(instance, False)) for field in fields]
    statement = plain_update(type(instance), connections[instance._state.db or "default"], instance.pk, values)
    if statement is None:  # an expression among the values: not held, the save writes it now, Django's way
        return False
    _held.updates.append(statement)
    return True
