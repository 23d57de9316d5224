"""A queryset's SQL compiled once and run again with another primary key.

Django builds and compiles a queryset's SQL each time it is evaluated. For the
decision's locking read (workflows/services/tasks.py: the task, its case, the user's
scope and the case's audit chain head in one SELECT … FOR UPDATE) that took 1.4 ms on
this project's 2-core box, nearly three times the statement's round trip to PostgreSQL
(0.5 ms) — the largest single cost of a claim. Its SQL depends on nothing but the
user's scope (the grants it embeds) and the task's key, so it is compiled once per
scope, kept in a small per-process table, and run again with the key put in its place.

The rows become model instances the way Django's own ``ModelIterable`` makes them —
``Model.from_db``, the ``select_related`` populators, the annotations as attributes,
Django's converters — so a read through here gives the same objects as ``.get()``.
The statement still goes through the connection's cursor (its execute wrappers, the
query log, ``CaptureQueriesContext``).
"""

from collections.abc import Callable, Hashable

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators

# A primary key no row has (keys are positive): it marks where the real key goes in the params.
_KEY_SLOT = -7_391_046_285_117
_BIGINT_MIN, _BIGINT_MAX = -(2**63), 2**63 - 1
# Entries are a few kilobytes; a county has hundreds of reviewers, not thousands.
_MAX_ENTRIES = 2048


class CompiledGet:
    """``queryset.get(pk=…)``, its SQL compiled once; build it inside the transaction it runs in."""

    def __init__(self, queryset: QuerySet):
        query = queryset.filter(pk=_KEY_SLOT)[:2].query  # at most 2 rows, like .get() asks for at most 21
        self.alias = queryset.db
        self.compiler = query.get_compiler(using=self.alias)
        self.sql, params = self.compiler.as_sql()
        slots = [index for index, value in enumerate(params) if value == _KEY_SLOT]
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

    def get(self, pk: int) -> Model | None:
        """The row with this key (None if the scope does not reach it); two rows are an error, as in .get()."""
        if not _BIGINT_MIN <= pk <= _BIGINT_MAX:
            return None  # as Django's integer lookups answer a value out of the column's range: no row
        params = list(self.params)
        params[self.slot] = pk
        with connections[self.alias].cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        if len(rows) > 1:
            raise self.model.MultipleObjectsReturned(f"{len(rows)} rows for key {pk}")
        for row in self.compiler.results_iter(results=[rows]):
            instance = self.model.from_db(self.alias, self.init_list, row[self.fields])
            for populator in self.populators:
                populator.populate(row, instance)
            for name, position in self.annotations.items():
                setattr(instance, name, row[position])
            return instance
        return None


_compiled: dict[Hashable, CompiledGet] = {}


def compiled_get(key: Hashable, build: Callable[[], QuerySet]) -> CompiledGet:
    """The CompiledGet kept under `key` (which must name everything the SQL depends on), built on first use."""
    entry = _compiled.get(key)
    if entry is None:
        if len(_compiled) >= _MAX_ENTRIES:
            _compiled.clear()  # rare; every entry is rebuilt on its next use
        entry = _compiled[key] = CompiledGet(build())
    return entry
