"""New steps' rows and their links to the steps before them, written in one statement.

viewflow writes a new task as ``task.save()`` and then ``task.previous.add(prev)``: an
INSERT of the task, and a second INSERT into the many-to-many table that records the
route (the flow chart and viewflow's undo read it). Every step of every case pays both;
when a filing closes, its four automatic steps (its number, the 医保 question, the
closing, the end) paid eight statements. On PostgreSQL a run of new steps, each
following the one before, goes in one statement, each link reading the keys of the
rows it joins through a data-modifying WITH:

    WITH step_0 AS (INSERT INTO workflows_casetask (…) VALUES (…) RETURNING id),
         step_1 AS (INSERT INTO workflows_casetask (…) VALUES (…) RETURNING id),
         route AS (INSERT INTO workflows_casetask_previous (from_casetask_id, to_casetask_id)
                   SELECT step_0.id, %s FROM step_0
                   UNION ALL SELECT step_1.id, step_0.id FROM step_0, step_1)
    SELECT step_0.id, step_1.id FROM step_0, step_1

(PostgreSQL runs every data-modifying WITH exactly once, to completion, whether or not
the main query reads it.) SQLite (the embedded default) cannot put an INSERT inside
WITH, so there each task is saved and linked as viewflow does. Either way each row ends
up as ``save()`` leaves it: its key set, marked as stored, its loaded values remembered
(SavesChangedFields), viewflow's ``flow_task_type`` filled in. No model signal is sent
for these rows; nothing in this project or in viewflow listens to them (pre/post_save
of a task, m2m_changed of ``previous``).
"""

from django.db import connections
from django.db.models.sql import InsertQuery

from common.row_statements import plain_insert

from .models import CaseTask


def insert_task(task: CaseTask, *, previous: CaseTask | None) -> None:
    """INSERT the new ``task`` and, when there is one, its link to the ``previous`` step."""
    if previous is None:
        task.save()
    else:
        insert_route([task], after=previous)


def insert_route(tasks: list[CaseTask], *, after: CaseTask) -> None:
    """INSERT new tasks, each following the one before it and the first following ``after`` (a stored task)."""
    connection = connections[after._state.db or "default"]
    if connection.vendor != "postgresql":
        previous = after
        for task in tasks:
            task.save()
            task.previous.add(previous)
            previous = task
        return
    meta = CaseTask._meta
    quote = connection.ops.quote_name
    route = meta.get_field("previous")
    key = quote(str(meta.pk.column))
    steps, params = [], []
    for index, task in enumerate(tasks):
        if task.flow_task and not task.flow_task_type:
            task.flow_task_type = task.flow_task.task_type  # what viewflow's Task.save() fills in
        sql, step_params = _insert_statement(task, connection)
        steps.append(f"step_{index} AS ({sql})")
        params += step_params
    links = [f"SELECT step_0.{key}, %s FROM step_0"] + [
        f"SELECT step_{index}.{key}, step_{index - 1}.{key} FROM step_{index - 1}, step_{index}"
        for index in range(1, len(tasks))
    ]
    names = [f"step_{index}" for index in range(len(tasks))]
    sql = (
        f"WITH {', '.join(steps)}, route AS ("
        f"INSERT INTO {quote(route.m2m_db_table())} ({quote(route.m2m_column_name())}, {quote(route.m2m_reverse_name())}) "
        f"{' UNION ALL '.join(links)}) "
        f"SELECT {', '.join(f'{name}.{key}' for name in names)} FROM {', '.join(names)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, after.pk])
        keys = cursor.fetchone()
    for task, pk in zip(tasks, keys, strict=True):
        task.pk = pk
        task._state.adding = False
        task._state.db = connection.alias
        task._remember_loaded_values()


def _insert_statement(task: CaseTask, connection) -> tuple[str, list]:
    """The task's INSERT … RETURNING its key: written directly (common/row_statements.py), or as Django compiles it."""
    statement = plain_insert(CaseTask, connection, [task])
    if statement is not None:
        sql, params, _fields = statement
        return sql, params
    meta = CaseTask._meta
    query = InsertQuery(CaseTask)
    query.insert_values([field for field in meta.local_concrete_fields if not field.primary_key], [task])
    compiler = query.get_compiler(connection=connection)
    compiler.returning_fields = [meta.pk]
    [(sql, params)] = compiler.as_sql()
    return sql, list(params)
