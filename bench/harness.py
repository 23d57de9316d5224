"""What the benchmarks share: a throwaway database and percentile arithmetic."""

import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")


class ThrowawayDatabase:
    """Django's test-database machinery on a dedicated name; the real database is never opened."""

    def __init__(self, *, sqlite_memory: bool):
        from django.db import connection

        self.connection = connection
        self.settings = connection.settings_dict
        self.real_name = self.settings["NAME"]
        self.tempdir = None
        test = self.settings.setdefault("TEST", {})
        if connection.vendor == "sqlite":
            if sqlite_memory:
                test["NAME"] = None  # Django: shared-cache in-memory database
            else:
                self.tempdir = tempfile.mkdtemp(prefix="yiyang-bench-db-")
                test["NAME"] = os.path.join(self.tempdir, "bench.sqlite3")
        else:
            # Not test_<name>: that one may be a developer's kept pytest database.
            test["NAME"] = f"{self.real_name}_bench"
        if test["NAME"] and str(test["NAME"]) == str(self.real_name):
            raise SystemExit("refusing to run: the throwaway database name equals the real one")
        self.name = None

    def create(self) -> str:
        self.name = self.connection.creation.create_test_db(
            verbosity=0, autoclobber=True, serialize=False, keepdb=False
        )
        return self.name

    def destroy(self) -> None:
        if self.name is not None:
            self.connection.creation.destroy_test_db(self.real_name, verbosity=0, keepdb=False)
            self.name = None
        if self.tempdir:
            shutil.rmtree(self.tempdir, ignore_errors=True)


def request_user(username: str):
    """A fresh user as the authentication back-ends load one per request: unit, roles and grants in one query."""
    from permissions.loading import load_user

    user = load_user(username, by="username", text=True)  # compiled once, as the session's and the token's look-ups
    if user is None:
        raise LookupError(f"no user {username!r}")
    return user


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (p95 of 20 runs is the 19th smallest)."""
    ordered = sorted(values)
    rank = max(1, -(-int(fraction * 100) * len(ordered) // 100))
    return ordered[min(rank, len(ordered)) - 1]


def median(values: list[float]) -> float:
    return statistics.median(values)
