"""A row's UPDATE written directly (common/update_statement.py) is the one Django would run, and does what it does."""

from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.db.models.sql import UpdateQuery
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from common.update_statement import plain_update
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
