"""Each log record is printed once: the logging set-up of config/settings.py, as Django applies it.

Django configures logging in two passes at start-up (its DEFAULT_LOGGING, then
settings.LOGGING through logging.config.dictConfig); the duplicate came from the two
together, so each case runs `django.setup()` in a fresh interpreter, exactly as
`manage.py runserver` or gunicorn would, and counts the lines on stderr, where every
handler writes.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = """
import logging, django
django.setup()
logging.getLogger("django.request").warning("Not Found: /probe-request/")
logging.getLogger("django.server").info('"GET /probe-server/ HTTP/1.1" 404 179')
logging.getLogger("workflows.probe").warning("probe-app-warning")
logging.getLogger("django.db.backends").debug("probe-sql-debug")
"""


def run_probe(*, debug: bool) -> list[str]:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings_test", DEBUG="1" if debug else "0")
    env.pop("LOG_LEVEL", None)
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
    )
    return result.stderr.splitlines()


@pytest.mark.parametrize("debug", [True, False], ids=["DEBUG on", "DEBUG off"])
def test_each_record_is_printed_once(debug):
    lines = run_probe(debug=debug)
    assert len([line for line in lines if "/probe-request/" in line]) == 1, lines
    assert len([line for line in lines if "probe-app-warning" in line]) == 1, lines


@pytest.mark.parametrize("debug", [True, False], ids=["DEBUG on", "DEBUG off"])
def test_request_lines_are_kept_and_sql_debug_is_not_printed(debug):
    lines = run_probe(debug=debug)
    server = [line for line in lines if "/probe-server/" in line]
    assert len(server) == 1, lines
    assert server[0].startswith("["), "runserver's request line keeps Django's [time] format"
    assert not [line for line in lines if "probe-sql-debug" in line]


def test_warning_line_says_level_and_logger():
    (line,) = [line for line in run_probe(debug=False) if "/probe-request/" in line]
    assert "WARNING django.request: Not Found: /probe-request/" in line
