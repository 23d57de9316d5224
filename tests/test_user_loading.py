"""A request's user comes in one query with its roles, grants and unit (permissions/loading.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from permissions.grants import grants_for
from permissions.loading import with_jurisdiction
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
