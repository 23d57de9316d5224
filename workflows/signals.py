"""Signals a procedure's own module may listen to, so shared code never has to name it."""

from django.dispatch import Signal

# Sent in the transaction that gives a case its final state (approved, rejected, withdrawn,
# active, terminated …), with ``case`` and ``state``: e.g. a subsidy application gives up
# its "once per" claim when it is rejected or withdrawn.
case_closed = Signal()
