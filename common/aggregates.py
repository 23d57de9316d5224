"""A string aggregate both databases have: PostgreSQL's STRING_AGG, SQLite's GROUP_CONCAT.

Django 5.2 has StringAgg only in django.contrib.postgres; the embedded SQLite set-up
needs the same query to run, so the one aggregate the product uses is written here.
"""

from typing import Any

from django.db.models import Aggregate, CharField, Value


class JoinedText(Aggregate):
    """The group's values joined by ``separator`` (no order promised), NULL for no rows."""

    function = "STRING_AGG"
    output_field = CharField()

    def __init__(self, expression: Any, separator: str = ",", **extra: Any) -> None:
        super().__init__(expression, Value(separator), **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)
