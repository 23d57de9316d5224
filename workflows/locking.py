"""The process lock every flow uses: viewflow's SELECT … FOR UPDATE lock, waiting instead of sleeping.

viewflow's ``select_for_update_lock`` asks for the row with NOWAIT and, when it is
taken, sleeps a random back-off and tries again, five times: a reviewer whose
colleague is saving the same case waits up to ~10 s of sleeps before a 409. Here the
request waits on the row lock itself, so it proceeds the moment the other
transaction commits (milliseconds), and only a lock held longer than
``FLOW_LOCK_TIMEOUT_MS`` (PostgreSQL ``lock_timeout``, set once per connection in
config/settings.py) becomes ``FlowLockFailed`` — which the services turn into a 409,
never a 500. The error aborts the transaction and is raised out of it, never caught
inside it, so the lock needs no savepoint of its own.

SQLite has no row locks; the embedded set-up opens every transaction with
BEGIN IMMEDIATE (config/settings.py), which serialises writers on the database lock.
"""

from contextlib import contextmanager

from django.db import DatabaseError, transaction
from viewflow.workflow.exceptions import FlowLockFailed
from viewflow.workflow.lock import SelectForUpdateLock


class WaitingSelectForUpdateLock(SelectForUpdateLock):
    def __init__(self):
        super().__init__(nowait=False, attempts=1)

    @contextmanager
    def __call__(self, flow_class, process_pk):
        with transaction.atomic():
            try:
                flow_class.process_class._default_manager.filter(pk=process_pk).select_for_update().exists()
            except DatabaseError as error:  # lock_timeout: the whole transaction is rolled back
                raise FlowLockFailed(f"Lock failed for {flow_class}: {error}") from error
            yield


process_lock = WaitingSelectForUpdateLock()
