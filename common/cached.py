"""County data that every decision reads and almost nobody changes, kept in Django's cache.

A decision reads the next step's department (its name labels the task), the step's
promised days (StepDeadline) and the year's holiday overrides. Each is a row or two
that an administrator edits a few times a year, so the hot path reads them from the
shared cache (Redis in production: every web and worker process sees the same entry)
and a change drops the entry — at once and again when its transaction commits, so a
reader that refilled it in between cannot keep the old value. ``TIMEOUT`` bounds what a
change made outside the ORM (raw SQL, ``QuerySet.update``) could leave stale.
"""

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")
TIMEOUT = 300  # seconds
_MISSING = object()


def cached(key: str, load: Callable[[], T]) -> T:
    """The cached value under `key`, loaded (and stored) on a miss; None is a value too."""
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = load()
        cache.set(key, value, TIMEOUT)
    return value


def forget(keys: Iterable[str]) -> None:
    keys = list(keys)
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


def forget_on_change(model: type[models.Model], keys: Callable[[Any], Iterable[str]]) -> None:
    """Drop `keys(instance)` whenever a row of `model` is saved or deleted."""

    def drop(sender: Any, instance: Any, **kwargs: Any) -> None:
        forget(keys(instance))

    uid = f"cached:{model._meta.label}"
    post_save.connect(drop, sender=model, weak=False, dispatch_uid=uid + ":save")
    post_delete.connect(drop, sender=model, weak=False, dispatch_uid=uid + ":delete")
