"""A row's UPDATE written directly (common.row_statements.py) is the one Django would run, and does what it does."""

from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q, Value
from django.db.models.sql import UpdateQuery
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from common.row_statements import insert_rows, plain_insert, plain_update
from workflows.models import Case, CaseTask

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(driver) -> Case:
    return driver.submit("inst-welfare-centre")


def _as_django_builds_it(model, pk, values) -> tuple[str, list]:
    query = UpdateQuery(model)
    query.add_update_fields([(field, None, value) for field, value in values])
    query.add_q(Q(pk=pk))
    sql, params = query.get_compiler(connection=connection).as_sql()
    return sql, list(params)


def test_the_statement_is_django_s_own_for_plain_values(case):
    fields = {field.name: field for field in Case._meta.concrete_fields}
    values = [
        (fields["state"], "approved"),
        (fields["decided_at"], timezone.now()),
        (fields["amount"], Decimal("12345.67")),
        (fields["returned_times"], 2),
    ]
    ours = plain_update(Case, connection, case.pk, values)
    assert ours is not None
    django_sql, django_params = _as_django_builds_it(Case, case.pk, values)
    assert ours[0] == django_sql
    assert [str(p) for p in ours[1]] == [str(p) for p in django_params]


def test_an_expression_or_a_model_instance_is_left_to_django(case):
    fields = {field.name: field for field in Case._meta.concrete_fields}
    assert plain_update(Case, connection, case.pk, [(fields["returned_times"], F("returned_times") + 1)]) is None
    assert plain_update(Case, connection, case.pk, [(fields["institution"], case.institution)]) is None
    assert plain_update(Case, connection, case.pk, []) is None
    case.returned_times = F("returned_times") + 1
    case.save(update_fields=["returned_times"])  # Django's own path
    case.refresh_from_db()
    assert case.returned_times == 1


def test_saved_values_read_back_the_same_json_null_decimal_and_chinese_text(case):
    case.refresh_from_db()
    case.data = {"说明": "补正材料：消防验收意见书", "金额": "3,280.50", "列表": [1, None]}
    case.amount = Decimal("3280.50")
    case.decided_at = None
    with CaptureQueriesContext(connection) as queries:
        case.save()  # only the changed columns (SavesChangedFields), written directly
    assert len([q for q in queries if q["sql"].startswith("UPDATE")]) == 1
    again = Case.objects.get(pk=case.pk)
    assert again.data == case.data and again.amount == Decimal("3280.50") and again.decided_at is None


def test_a_row_deleted_under_a_save_with_update_fields_is_django_s_error(case):
    task = CaseTask.objects.filter(process=case).latest("id")
    CaseTask.objects.filter(pk=task.pk).update(comment="")  # still there: the save reports a row
    task.comment = "已核实"
    task.save(update_fields=["comment"])
    ghost = CaseTask.objects.get(pk=task.pk)
    with transaction.atomic():
        CaseTask.objects.filter(pk=task.pk).delete()
        ghost.comment = "不存在的行"
        with pytest.raises(DatabaseError, match="did not affect any rows"):
            ghost.save(update_fields=["comment"])
        transaction.set_rollback(True)
    assert CaseTask.objects.get(pk=task.pk).comment == "已核实"


# --- INSERT (plain_insert, insert_rows) ---------------------------------------------------------


def _documents(case, *kinds, number="磐卫医养备〔2026〕{}号"):
    from documents.models import Document

    return [
        Document(
            case=case,
            kind=kind,
            number=number.format(900 + index),
            issuers=[{"name": "磐安县卫生健康局"}],
            number_issuer={"name": "磐安县卫生健康局"},
        )
        for index, kind in enumerate(kinds)
    ]


def test_the_insert_is_django_s_own_for_a_plain_row(case):
    from django.db.models.sql import InsertQuery

    from documents.models import Document

    [document] = _documents(case, "filing_certificate")
    ours = plain_insert(Document, connection, [document])
    assert ours is not None
    query = InsertQuery(Document)
    query.insert_values(ours[2], [document])
    compiler = query.get_compiler(connection=connection)
    compiler.returning_fields = [Document._meta.pk]
    [(django_sql, django_params)] = compiler.as_sql()
    assert ours[0] == django_sql
    moment = [field.name for field in ours[2]].index("requested_at")  # auto_now_add: each pre_save its own now()
    assert [str(p) for i, p in enumerate(ours[1]) if i != moment] == [
        str(p) for i, p in enumerate(django_params) if i != moment
    ]


def test_rows_inserted_together_get_their_own_keys_and_read_back_as_written(case):
    from documents.models import Document

    rows = _documents(case, "filing_certificate", "approval_record", "rejection_notice")
    with CaptureQueriesContext(connection) as queries:
        insert_rows(rows)
    assert len(queries) == 1
    for row in rows:
        stored = Document.objects.get(pk=row.pk)
        assert (stored.kind, stored.number, stored.issuers, stored.status) == (
            row.kind,
            row.number,
            row.issuers,
            "pending",
        )
        assert row.requested_at is not None and stored.requested_at == row.requested_at  # auto_now_add, as save()
        assert stored.verify_token == row.verify_token and not row._state.adding


def test_an_insert_that_breaks_a_constraint_writes_none_of_its_rows(case):
    from django.db import IntegrityError

    from documents.models import Document

    before = Document.objects.count()
    rows = _documents(case, "filing_certificate", "approval_record", number="磐卫医养备〔2026〕1号")  # one number twice
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(rows)
    assert Document.objects.count() == before


def test_an_expression_or_a_stored_row_goes_through_bulk_create(case):

    from documents.models import Document

    [timed] = _documents(case, "filing_certificate")
    timed.attempts = Value(0)
    assert plain_insert(Document, connection, [timed]) is None
    insert_rows([timed])
    assert Document.objects.filter(pk=timed.pk).exists()
    [stored] = _documents(case, "approval_record", number="磐卫医养审记〔2026〕{}号")
    stored.save()
    assert plain_insert(Document, connection, [stored]) is None
    assert plain_insert(Document, connection, []) is None
