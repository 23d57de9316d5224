"""Timers: everything that falls due with time rather than with someone's click.

A timer is a handler ``handler(now) -> {count name: count}`` registered under a name by
the module that owns it, at import time:

    from workflows.timers import register_timer

    def end_notices(now: datetime) -> dict[str, int]:
        ...
        return {"ended": n}

    register_timer("subsidy_notice_end", end_notices)

``run_due_timers(now)`` runs every registered handler with the same instant; the Celery
beat (``workflows.tasks.run_due_timers``, every minute) and ``manage.py run_due_timers
[--now …]`` both call it. A handler fires what is due *as of* ``now`` and must be
idempotent — running it twice, late, or in two processes at once changes nothing more
(a conditional UPDATE that only one run wins, or a unique row per fact) — because beats
overlap and a missed minute is caught up by the next. It takes the date it acts on
from ``now`` (``timezone.localdate(now)``), never from the clock, so tests and
``--now`` can move time.

The modules that register are imported at start-up: a procedure's flow module (which
``workflows/flows.py`` imports) or a module it imports; the shared ones are imported by
``WorkflowsConfig.ready``.
"""

import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime

from django.utils import timezone

logger = logging.getLogger(__name__)

TimerHandler = Callable[[datetime], Mapping[str, int]]

_timers: dict[str, TimerHandler] = {}


class TimersFailed(Exception):
    """Some handlers raised; the others ran. Carries what each failed one raised."""

    def __init__(self, failures: dict[str, BaseException], results: dict[str, dict[str, int]]):
        self.failures = failures
        self.results = results
        super().__init__("; ".join(f"{name}: {error!r}" for name, error in failures.items()))


def register_timer(name: str, handler: TimerHandler) -> None:
    """Register `handler` under `name`; registering the same handler again is harmless.

    A second, different handler under a taken name is a programming error (two modules
    would fight over one timer) and raises ValueError at import.
    """
    known = _timers.get(name)
    if known is not None and known is not handler and _qualname(known) != _qualname(handler):
        raise ValueError(f"timer {name!r} is already registered to {_qualname(known)}")
    _timers[name] = handler


def unregister_timer(name: str) -> None:
    """For tests that register a timer of their own."""
    _timers.pop(name, None)


def registered_timers() -> dict[str, TimerHandler]:
    return dict(_timers)


def _qualname(handler: TimerHandler) -> str:
    return f"{getattr(handler, '__module__', '?')}.{getattr(handler, '__qualname__', repr(handler))}"


def run_due_timers(now: datetime | None = None, *, only: Iterable[str] | None = None) -> dict[str, dict[str, int]]:
    """Fire everything due as of `now` (aware; default: the current instant), once each.

    Each handler runs even if an earlier one failed (one broken timer must not stop the
    deadlines); failures are logged and raised together at the end as TimersFailed.
    `only` restricts the run to the named timers (the old single-purpose commands).
    """
    now = now or timezone.now()
    if timezone.is_naive(now):
        raise ValueError("run_due_timers needs an aware instant")
    names = list(_timers) if only is None else list(only)
    unknown = [name for name in names if name not in _timers]
    if unknown:
        raise KeyError(f"no timer registered as {', '.join(unknown)}")
    results: dict[str, dict[str, int]] = {}
    failures: dict[str, BaseException] = {}
    for name in names:
        try:
            results[name] = dict(_timers[name](now))
        except Exception as error:  # noqa: BLE001 - reported below, after the other timers ran
            logger.exception("timer %s failed at %s", name, now.isoformat())
            failures[name] = error
    if failures:
        raise TimersFailed(failures, results)
    return results
