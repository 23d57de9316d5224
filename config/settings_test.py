"""Settings for the test-suite and benchmarks: the real settings plus a throwaway key and directories."""

import atexit
import os
import shutil
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
# The suite runs with DEBUG off, like production, so it names its QR base URL as
# production must (documents.E002); the Celery worker a test starts inherits it.
os.environ.setdefault("PUBLIC_BASE_URL", "http://127.0.0.1:8000")
# Uploads, documents and signing keys of a test run live in a scratch directory; child
# processes (the Celery worker a test starts) inherit these variables and share it.
if "YIYANG_TEST_SCRATCH" not in os.environ:
    os.environ["YIYANG_TEST_SCRATCH"] = tempfile.mkdtemp(prefix="yiyang-test-")
    # The process that made the directory removes it; child processes only borrow it.
    atexit.register(shutil.rmtree, os.environ["YIYANG_TEST_SCRATCH"], ignore_errors=True)
_scratch = os.environ["YIYANG_TEST_SCRATCH"]
os.environ.setdefault("PRIVATE_STORAGE_DIR", os.path.join(_scratch, "private"))
os.environ.setdefault("SIGNING_KEYS_DIR", os.path.join(_scratch, "keys"))

from .settings import *  # noqa: E402,F401,F403

# Password hashing at production strength costs ~0.5 s a user; tests create hundreds.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tasks run in-process by default so each test sees its documents at once; the test
# that exercises a real Celery worker (tests/test_celery_worker.py) switches this off.
CELERY_TASK_ALWAYS_EAGER = True
# ...and in the test's own thread, so it can assert on them; tests/test_document_timing.py
# switches the embedded background thread on to prove the click does not wait.
DOCUMENTS_IN_BACKGROUND_THREAD = False

# Threads of the live server and of the race tests must not keep connections open
# past a test, or the test database cannot be dropped at the end.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405

# A made-up procedure registered only for the tests: it proves a new procedure needs no
# change to shared code (tests/test_made_up_procedure.py, the generated isolation test).
INSTALLED_APPS = [*INSTALLED_APPS, "tests.made_up_procedure"]  # noqa: F405

# The test client and the live server speak plain HTTP. Production's redirect to HTTPS
# and its secure-only cookies are proven by tests/test_security_settings.py (`check
# --deploy` with the production environment of docs/operations.md), not by every test.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

# No rate limits for the suite (a module logs in dozens of times a minute from one
# address); tests/test_throttling.py turns them on with override_settings.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": None, "user": None}}  # noqa: F405
