"""A row's INSERT or UPDATE as Django writes it, without building a query to get there.

Django saves a row by building a QuerySet filtered on the key, chaining an UpdateQuery
and compiling it — 0.47 ms for a two-column UPDATE that PostgreSQL runs in 0.30 ms on
this project's box, and a decision writes four or five rows (the step, the case, the
filing); an INSERT's InsertQuery costs as much again (the closing's steps, its
documents). For the common case — plain values into plain columns — the statement is
the one Django's compilers would produce:

    UPDATE t SET "a" = %s, … WHERE t."id" = %s
    INSERT INTO t ("a", …) VALUES (%s, …), (%s, …) RETURNING t."id"

each value taken by its field's ``pre_save`` and prepared by its ``get_db_prep_save``, as
Django's SQLUpdateCompiler and SQLInsertCompiler do. For anything else (an expression,
a field with its own placeholder) these return None and the caller takes Django's path.
"""

from collections.abc import Sequence
from typing import Any

from django.db import connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model

_NOT_PLAIN = object()


def _prepared(field: Field, value: Any, connection: BaseDatabaseWrapper) -> Any:
    """The value as Django's compilers send it for this column, or _NOT_PLAIN when Django must compile it."""
    if hasattr(value, "resolve_expression") or hasattr(value, "prepare_database_save"):
        return _NOT_PLAIN  # F(), Value(), a model instance
    if hasattr(field, "get_placeholder") or field.column is None:
        return _NOT_PLAIN
    prepared = field.get_db_prep_save(value, connection=connection)
    return _NOT_PLAIN if hasattr(prepared, "as_sql") else prepared


def plain_update(
    model: type[Model], connection: BaseDatabaseWrapper, pk: Any, values: list[tuple[Field, Any]]
) -> tuple[str, list] | None:
    """(sql, params) updating these (field, value) pairs of the row with key `pk`; None when Django must build it."""
    quote = connection.ops.quote_name
    assignments, params = [], []
    for field, value in values:
        prepared = _prepared(field, value, connection)
        if prepared is _NOT_PLAIN:
            return None
        assignments.append(f"{quote(str(field.column))} = %s")
        params.append(prepared)
    if not assignments:
        return None
    key = model._meta.pk
    if key is None or key.column is None:
        return None
    table = quote(model._meta.db_table)
    params.append(key.get_db_prep_value(pk, connection, prepared=False))
    return f"UPDATE {table} SET {', '.join(assignments)} WHERE {table}.{quote(key.column)} = %s", params


def plain_insert(
    model: type[Model], connection: BaseDatabaseWrapper, rows: Sequence[Model]
) -> tuple[str, list, list[Field]] | None:
    """(sql, params, fields) inserting these new rows of `model`, RETURNING their keys; None when Django must build it.

    The columns are Django's for an INSERT: the model's own concrete ones but an
    automatic key and generated columns. ``pre_save(add=True)`` is run on each row, as
    Django's does (``auto_now_add`` sets the instance's value).
    """
    meta = model._meta
    key = meta.pk
    if not rows or key is None or key.column is None or any(row.pk is not None for row in rows):
        return None
    fields = [field for field in meta.local_concrete_fields if field is not meta.auto_field and not field.generated]
    quote = connection.ops.quote_name
    placeholders, params = [], []
    for row in rows:
        row._prepare_related_fields_for_save(operation_name="save")  # type: ignore[attr-defined]  # Django's, as save() runs it
        for field in fields:
            prepared = _prepared(field, field.pre_save(row, add=True), connection)
            if prepared is _NOT_PLAIN:
                return None
            params.append(prepared)
        placeholders.append(f"({', '.join(['%s'] * len(fields))})")
    table = quote(meta.db_table)
    columns = ", ".join(quote(str(field.column)) for field in fields)
    sql = f"INSERT INTO {table} ({columns}) VALUES {', '.join(placeholders)} RETURNING {table}.{quote(key.column)}"
    return sql, params, fields


def insert_rows(rows: Sequence[Model], *, using: str = "default") -> None:
    """INSERT new rows of one model in one statement and give each its key, as ``bulk_create`` leaves them.

    For plain values (plain_insert); otherwise, or where the database cannot return the
    keys of a multi-row INSERT, through Django's ``bulk_create``. No model signal is sent,
    as bulk_create sends none.
    """
    if not rows:
        return
    model = type(rows[0])
    connection = connections[using]
    statement = plain_insert(model, connection, rows) if connection.features.can_return_rows_from_bulk_insert else None
    if statement is None:
        model._default_manager.using(using).bulk_create(list(rows))
        return
    sql, params, _fields = statement
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        keys = [key for (key,) in cursor.fetchall()]
    for row, key in zip(rows, keys, strict=True):
        row.pk = key
        row._state.adding = False
        row._state.db = using


class UpdatesByKey(models.Model):
    """A model whose saves of an existing row write their UPDATE directly when the values are plain."""

    class Meta:
        abstract = True

    def _do_update(  # type: ignore[override]  # Django 5.2's signature; the stubs follow 6.0
        self, base_qs: Any, using: str, pk_val: Any, values: list, update_fields: Any, forced_update: bool
    ) -> bool:
        """Django's UPDATE by key (the same statement, the same "did it find the row" answer)."""
        connection = connections[using]
        statement = None
        if values and not self._meta.select_on_save:
            statement = plain_update(base_qs.model, connection, pk_val, [(field, value) for field, _, value in values])
        if statement is None:
            return super()._do_update(base_qs, using, pk_val, values, update_fields, forced_update)  # type: ignore[call-arg, return-value]
        with connection.cursor() as cursor:
            cursor.execute(*statement)
            return cursor.rowcount > 0
