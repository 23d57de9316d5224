"""A queryset's SQL compiled once and run again with another key.

Django builds and compiles a queryset's SQL each time it is evaluated. For the
decision's locking read (workflows/services/tasks.py: the task, its case, the user's
scope and the case's audit chain head in one SELECT … FOR UPDATE) that took 1.4 ms on
this project's 2-core box, nearly three times the statement's round trip to PostgreSQL
(0.5 ms) — the largest single cost of a claim. Its SQL depends on nothing but the
user's scope (the grants it embeds) and the task's key, so it is compiled once per
scope, kept in a small per-process table, and run again with the key put in its place.
The same holds for every request's user (permissions/loading.py: the account with its
unit, roles and grants — 1.6 ms to compile, 0.7 ms to run) and for a closing's look-up
of documents already requested.

The key is one column compared for equality (``by``: the primary key by default, or
any other lookup, a text one with ``text=True``). The rows become model instances the
way Django's own ``ModelIterable`` makes them — ``Model.from_db``, the
``select_related`` populators, the annotations as attributes, Django's converters — so
a read through here gives the same objects as ``.get()`` or ``list()``. The statement
still goes through the connection's cursor (its execute wrappers, the query log,
``CaptureQueriesContext``).
"""

from collections.abc import Callable, Hashable
from typing import Any

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators

# A key no row has (keys are positive; no text key is this string): it marks where the real key goes in the params.
_KEY_SLOT = -7_391_046_285_117
_TEXT_SLOT = "~ 编译占位 compiled-key-slot ~"
_BIGINT_MIN, _BIGINT_MAX = -(2**63), 2**63 - 1
# Entries are a few kilobytes; a county has hundreds of reviewers, not thousands.
_MAX_ENTRIES = 2048


class CompiledGet:
    """``queryset.get(<by>=…)`` (or its rows), its SQL compiled once; build it inside the transaction it runs in.

    ``limit`` bounds the rows read (2 for a get, so that a second row is an error as in
    ``.get()``); None reads them all (``rows``).
    """

    def __init__(self, queryset: QuerySet, *, by: str = "pk", text: bool = False, limit: int | None = 2):
        self.text = text
        slot_value = _TEXT_SLOT if text else _KEY_SLOT
        queryset = queryset.filter(**{by: slot_value})
        query = (queryset[:limit] if limit is not None else queryset).query
        self.alias = queryset.db
        self.compiler = query.get_compiler(using=self.alias)
        self.sql, params = self.compiler.as_sql()
        slots = [index for index, value in enumerate(params) if value == slot_value]
        if len(slots) != 1:
            raise ValueError(f"expected the key once among the params, found it {len(slots)} times")
        self.params = list(params)
        self.slot = slots[0]
        klass_info, select = self.compiler.klass_info, self.compiler.select
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        self.model = klass_info["model"]
        self.fields = slice(start, end)
        self.init_list = [column[0].target.attname for column in select[start:end]]
        self.populators = get_related_populators(klass_info, select, self.alias)  # type: ignore[call-arg]  # Django 5.2's 3 arguments; the stubs follow 6.0
        self.annotations = dict(self.compiler.annotation_col_map or {})

    def get(self, key: Any) -> Model | None:
        """The row with this key (None if the scope does not reach it); two rows are an error, as in .get()."""
        found = self.rows(key)
        if len(found) > 1:
            raise self.model.MultipleObjectsReturned(f"{len(found)} rows for key {key}")
        return found[0] if found else None

    def rows(self, key: Any) -> list[Model]:
        """The rows with this key, as model instances."""
        if not self.text and not _BIGINT_MIN <= key <= _BIGINT_MAX:
            return []  # as Django's integer lookups answer a value out of the column's range: no row
        params = list(self.params)
        params[self.slot] = key
        with connections[self.alias].cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        return [self._instance(row) for row in self.compiler.results_iter(results=[rows])]

    def _instance(self, row: Any) -> Model:
        instance = self.model.from_db(self.alias, self.init_list, row[self.fields])
        for populator in self.populators:
            populator.populate(row, instance)
        for name, position in self.annotations.items():
            setattr(instance, name, row[position])
        return instance


_compiled: dict[Hashable, CompiledGet] = {}


def compiled_get(key: Hashable, build: Callable[[], QuerySet], **options: Any) -> CompiledGet:
    """The CompiledGet kept under `key` (which must name everything the SQL depends on), built on first use.

    ``options`` (``by``, ``text``, ``limit``) go to CompiledGet; `key` must tell apart
    entries built with different ones.
    """
    entry = _compiled.get(key)
    if entry is None:
        if len(_compiled) >= _MAX_ENTRIES:
            _compiled.clear()  # rare; every entry is rebuilt on its next use
        entry = _compiled[key] = CompiledGet(build(), **options)
    return entry
