"""Shared fixtures: the demo county's data, users by name, files, database snapshots, service checks."""

import socket
import subprocess

import pytest
from django.apps import apps
from django.conf import settings
from django.db.backends.sqlite3.base import DatabaseOperations as SQLiteOperations

from audit.triggers import SQLITE_CREATE, SQLITE_DROP
from audit.triggers import TABLE as AUDIT_TABLE
from demo.accounts import load_all
from documents.keys import create_root, root_cert_path, write_root
from permissions.models import User

from .helpers import FilingDriver

_sqlite_flush = SQLiteOperations.sql_flush


def _flush_past_audit_triggers(self, style, tables, **options):
    """SQLite empties tables with DELETE, which the audit log's trigger refuses: a transactional
    test's flush drops the trigger for the moment, as only a superuser could (PostgreSQL
    truncates, which the trigger does not cover)."""
    statements = _sqlite_flush(self, style, tables, **options)
    if AUDIT_TABLE in tables:
        statements = SQLITE_DROP + statements + SQLITE_CREATE
    return statements


SQLiteOperations.sql_flush = _flush_past_audit_triggers  # type: ignore[method-assign]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the demo data once (tests run in transactions rolled back over it), and the county's root CA.

    The root certificate is named after the county, so it is made once the county is
    loaded; unit keys are made on demand from it. Tests that touch no database never
    set up either.
    """
    with django_db_blocker.unblock():
        load_all()
        if not root_cert_path().exists():
            write_root(*create_root())


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: a rolled-back test must not leave the county
    data it changed (departments, promised days, holidays — common/cached.py) cached."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="session")
def signing_root(django_db_setup):
    """The root certificate's path, for tests that build a trust store from it."""
    return root_cert_path()


@pytest.fixture
def demo(db):
    """The Panan demo data; reloaded if a transactional test flushed it."""
    if not User.objects.filter(username="admin").exists():
        load_all()


@pytest.fixture
def users(demo):
    def get(username: str) -> User:
        return User.objects.get(username=username)

    return get


@pytest.fixture
def driver(users, django_capture_on_commit_callbacks):
    return FilingDriver(users, django_capture_on_commit_callbacks)


@pytest.fixture
def snapshot():
    """Row counts of every table: a refused request must leave them all as they were."""

    def take() -> dict[str, int]:
        return {model._meta.label: model._default_manager.count() for model in apps.get_models()}

    return take


def service_reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def require_services(*, postgres: bool = False, redis: bool = False) -> None:
    """Skip when a service is missing — unless CI asked for services, then fail."""
    from django.db import connection

    missing = []
    if postgres and connection.vendor != "postgresql":
        missing.append("PostgreSQL (DATABASE_URL)")
    if redis and not (settings.CELERY_BROKER_URL.startswith("redis://") and service_reachable("127.0.0.1", 6379)):
        missing.append("Redis (CELERY_BROKER_URL)")
    if missing:
        message = "needs " + " and ".join(missing)
        if settings.REQUIRE_SERVICES:
            pytest.fail(message + " but REQUIRE_SERVICES=1")
        pytest.skip(message)


@pytest.fixture
def nssdb(tmp_path, signing_root):
    """An NSS database that trusts the county root, as an inspector's pdfsig would be set up."""
    directory = tmp_path / "nss"
    directory.mkdir()
    subprocess.run(["certutil", "-N", "-d", f"sql:{directory}", "--empty-password"], check=True)
    subprocess.run(
        ["certutil", "-A", "-d", f"sql:{directory}", "-n", "county-root", "-t", "CT,C,C", "-i", str(signing_root)],
        check=True,
    )
    return f"sql:{directory}"
