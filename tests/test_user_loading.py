"""A request's user comes in one query with its roles, grants and unit (permissions/loading.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from guardian.shortcuts import assign_perm, remove_perm

from permissions.grants import grants_for
from permissions.loading import load_user, with_jurisdiction
from permissions.models import User
from permissions.roles import HEAD_TOWNSHIP, REVIEW_TOWNSHIP

pytestmark = pytest.mark.django_db


def test_roles_grants_and_unit_come_with_the_user(users):
    plain = User.objects.get(username="twp-anwen-head")
    with CaptureQueriesContext(connection) as queries:
        loaded = with_jurisdiction().get(username="twp-anwen-head")
        roles, grants, unit = loaded.roles, grants_for(loaded), loaded.unit_label
    assert len(queries) == 1
    assert roles == plain.roles
    assert grants.by_permission == grants_for(plain).by_permission
    assert grants.of(REVIEW_TOWNSHIP) and grants.of(HEAD_TOWNSHIP)
    assert unit == plain.unit_label == "安文街道"


def test_a_user_with_no_roles_or_grants_loads_empty(users):
    bare = User.objects.create_user(username="nobody", password="a-long-password-2026")
    loaded = with_jurisdiction().get(pk=bare.pk)
    assert loaded.roles == frozenset()
    assert grants_for(loaded).by_permission == {}


def test_a_page_reads_the_user_once(users, client):
    """Session, user (with roles and grants) — then the page's own queries; no query repeats the user's."""
    client.force_login(User.objects.get(username="twp-anwen"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/tasks/").status_code == 200
    sql = [q["sql"] for q in queries.captured_queries]
    user_queries = [s for s in sql if s.startswith('SELECT "permissions_user"')]
    assert len(user_queries) == 1 and "guardian_userobjectpermission" in user_queries[0]
    # Roles, grants and the township came inside the user's query; none is read on its own.
    assert not [s for s in sql if s.startswith(('SELECT "auth_group"', 'SELECT "auth_permission"'))], sql
    assert not [s for s in sql if s.startswith('SELECT "institutions_township"') and "WHERE" in s], sql


def test_an_api_token_reads_user_and_token_in_one_query(users, client):
    token = client.post(
        "/api/v1/auth/token/",
        {"username": "twp-anwen", "password": "yiyang-demo-2026"},
        content_type="application/json",
    ).json()["token"]
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200
    sql = [q["sql"] for q in queries.captured_queries]
    assert sum("authtoken_token" in s for s in sql) == 1
    assert not [s for s in sql if s.startswith(('SELECT "auth_group"', 'SELECT "auth_permission"'))], sql


# --- the user's SELECT compiled once (permissions.loading.load_user, common/compiled.py) ---------


def _as_loaded(user: User) -> tuple:
    """What a request uses of its user: who, roles, grants, unit and its rows."""
    return (
        user.pk,
        user.username,
        user.roles,
        grants_for(user).by_permission,
        user.unit_label,
        user.institution_id,
        user.township_id,
        user.department_id,
        user.is_active,
    )


@pytest.mark.parametrize(
    "username", ["twp-anwen-head", "health-1", "civil-1", "inst-welfare-centre", "auditor", "finance-head", "admin"]
)
def test_the_compiled_load_gives_the_same_user_as_the_queryset(users, username):
    """A township head, bureaus, an institution's applicant, an auditor, the administrator: each unit's rows."""
    plain = with_jurisdiction().get(username=username)
    load_user(plain.pk)  # compiled by whichever user came first; the next ones reuse it
    with CaptureQueriesContext(connection) as queries:
        by_key = load_user(plain.pk)
        by_name = load_user(username, by="username", text=True)
        loaded = (_as_loaded(by_key), _as_loaded(by_name))
    assert len(queries) == 2, [q["sql"] for q in queries]  # one each: nothing read afterwards for roles, grants, unit
    assert loaded == (_as_loaded(plain), _as_loaded(plain))


def test_one_statement_serves_every_user_and_sees_grants_given_after_it_was_compiled(users):
    first, second = User.objects.get(username="twp-anwen"), User.objects.get(username="health-1")
    with CaptureQueriesContext(connection) as queries:
        load_user(first.pk)
        load_user(second.pk)
    assert queries[0]["sql"].replace(str(first.pk), "?") == queries[1]["sql"].replace(str(second.pk), "?")
    township = first.township
    assert str(township.pk) not in grants_for(load_user(second.pk)).of(REVIEW_TOWNSHIP)

    assign_perm(REVIEW_TOWNSHIP, second, township)
    assert str(township.pk) in grants_for(load_user(second.pk)).of(REVIEW_TOWNSHIP)
    remove_perm(REVIEW_TOWNSHIP, second, township)
    assert str(township.pk) not in grants_for(load_user(second.pk)).of(REVIEW_TOWNSHIP)


@pytest.mark.parametrize("key", [0, -1, 2**63, -(2**63) - 1, 10**30])
def test_a_key_no_user_has_loads_nobody(users, key):
    assert load_user(key) is None


def test_a_name_no_user_has_loads_nobody_even_the_placeholders(users):
    from common.compiled import _TEXT_SLOT

    for name in ("nobody", "", _TEXT_SLOT, "'; DROP TABLE permissions_user; --", "王" * 150):
        assert load_user(name, by="username", text=True) is None
    assert User.objects.filter(username="twp-anwen").exists()


@pytest.mark.parametrize("session_key", ["not-a-number", "", "1.5", "99999999999999999999999", None])
def test_a_session_naming_no_user_signs_nobody_in(users, session_key):
    from permissions.backends import JurisdictionBackend

    assert JurisdictionBackend().get_user(session_key) is None


def test_a_deactivated_account_is_not_loaded_from_its_session(users, client):
    user = User.objects.get(username="twp-anwen")
    client.force_login(user)
    assert client.get("/tasks/").status_code == 200
    User.objects.filter(pk=user.pk).update(is_active=False)
    response = client.get("/tasks/")
    assert response.status_code == 302 and "/login" in response["Location"]
