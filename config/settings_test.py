"""Settings for the test-suite and benchmarks: the real settings plus a throwaway key and directories."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
# Uploads, documents and signing keys of a test run live in a scratch directory; child
# processes (the Celery worker a test starts) inherit these variables and share it.
_scratch = tempfile.mkdtemp(prefix="yiyang-test-") if "YIYANG_TEST_SCRATCH" not in os.environ else os.environ["YIYANG_TEST_SCRATCH"]
os.environ.setdefault("YIYANG_TEST_SCRATCH", _scratch)
os.environ.setdefault("PRIVATE_STORAGE_DIR", os.path.join(_scratch, "private"))
os.environ.setdefault("SIGNING_KEYS_DIR", os.path.join(_scratch, "keys"))

from .settings import *  # noqa: E402,F401,F403

# Password hashing at production strength costs ~0.5 s a user; tests create hundreds.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tasks run in-process by default so each test sees its documents at once; the test
# that exercises a real Celery worker (tests/test_celery_worker.py) switches this off.
CELERY_TASK_ALWAYS_EAGER = True
