"""Production defaults and response headers (ASVS 3.4, 8.2.1, 14.3, 14.4).

- `manage.py check --deploy` reports nothing with the production environment written
  in docs/operations.md, and the same settings with DEBUG on (make run) stay on HTTP.
- Every page sends a strict Content-Security-Policy, and no template needs to break it.
- Pages, downloads and API answers with personal data are `Cache-Control: no-store`.
- A real gunicorn started with config/gunicorn.conf.py sends no `Server` header.
"""

import base64
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from .test_clinic_filing_api import api_as, create_case
from .web import WebUser

ROOT = Path(settings.BASE_DIR)


def production_environment() -> dict[str, str]:
    """The ```env block of docs/operations.md, its <placeholders> filled with random values."""
    text = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```env\n(.*?)```", text, flags=re.S)
    assert len(blocks) == 1, "docs/operations.md writes the production environment once"
    env = {}
    for line in blocks[0].splitlines():
        if line.strip() and not line.startswith("#"):
            name, value = line.split("=", 1)
            env[name] = re.sub(r"<[^>]*>", lambda _: base64.urlsafe_b64encode(os.urandom(48)).decode(), value)
    return env


def run_manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "YIYANG_TEST"))}
    # Only what the block sets: none of the suite's own variables may help the check pass.
    for name in ("SECRET_KEY", "PUBLIC_BASE_URL", "PRIVATE_STORAGE_DIR", "SIGNING_KEYS_DIR", "DEBUG", "DATABASE_URL"):
        clean.pop(name, None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_the_documented_production_environment():
    env = production_environment()
    assert env["DEBUG"] == "0" and env["TRUSTED_PROXY_COUNT"] == "1"
    result = run_manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout, result.stdout + result.stderr


SETTINGS_PROBE = (
    "from django.conf import settings as s; import json; print(json.dumps({"
    "'redirect': s.SECURE_SSL_REDIRECT, 'hsts': s.SECURE_HSTS_SECONDS, 'session_secure': s.SESSION_COOKIE_SECURE, "
    "'csrf_secure': s.CSRF_COOKIE_SECURE, 'proxy_header': s.SECURE_PROXY_SSL_HEADER, "
    "'session_age': s.SESSION_COOKIE_AGE, 'min_password': s.AUTH_PASSWORD_VALIDATORS[1]['OPTIONS']['min_length']}))"
)


def probe(env: dict[str, str]) -> dict:
    result = run_manage(env, "shell", "-c", SETTINGS_PROBE)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_is_https_only_and_make_run_is_not():
    production = probe(production_environment())
    assert production["redirect"] and production["hsts"] >= 31536000
    assert production["session_secure"] and production["csrf_secure"]
    assert production["proxy_header"] == ["HTTP_X_FORWARDED_PROTO", "https"]  # TRUSTED_PROXY_COUNT=1
    assert production["session_age"] == 12 * 3600 and production["min_password"] == 12
    development = probe({"DEBUG": "1"})  # what `make run` sets
    assert not development["redirect"] and development["hsts"] == 0
    assert not development["session_secure"] and development["proxy_header"] is None


def test_without_a_trusted_proxy_x_forwarded_proto_is_not_believed():
    assert probe({**production_environment(), "TRUSTED_PROXY_COUNT": "0"})["proxy_header"] is None


# --- Content-Security-Policy ------------------------------------------------------------


def policy(response) -> dict[str, set[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: set(part.split()[1:]) for part in header.split(";") if part.strip()}


@pytest.mark.django_db
def test_every_kind_of_answer_carries_the_strict_policy(users):
    answers = [
        Client().get("/accounts/login/"),
        WebUser("inst-welfare-centre").get("/cases/"),
        Client().get("/api/v1/docs/"),
        api_as("twp-anwen").get("/api/v1/tasks/"),
    ]
    for response in answers:
        directives = policy(response)
        assert directives["script-src"] == {"'self'"} and directives["style-src"] == {"'self'"}
        assert directives["object-src"] == {"'none'"} and directives["frame-ancestors"] == {"'none'"}
        assert directives["default-src"] == {"'self'"} and directives["base-uri"] == {"'none'"}
        assert response["X-Frame-Options"] == "DENY" and response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"


def test_the_standalone_error_pages_allow_exactly_their_own_inline_style(db):
    response = Client(raise_request_exception=False).get("/cases/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    css = re.search(r"<style>(.*?)</style>", response.content.decode(), flags=re.S).group(1)
    digest = "'sha256-" + base64.b64encode(hashlib.sha256(css.encode()).digest()).decode() + "'"
    assert policy(response)["style-src"] == {"'self'", digest}


# Templates rendered to PDF by WeasyPrint are never served as pages: they may style inline.
# (Those that do not extend documents/base.html say so in a comment.)
PDF_TEMPLATES = re.compile(r"\{%\s*extends\s+\"documents/base.html\"|\{#\s*rendered to PDF only")


def served_templates() -> list[Path]:
    found = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        if path == ROOT / "templates" / "documents" / "base.html" or PDF_TEMPLATES.search(text):
            continue
        found.append(path)
    return found


@pytest.mark.parametrize("path", served_templates(), ids=lambda p: str(p.relative_to(ROOT / "templates")))
def test_no_served_template_has_inline_script_or_style(path):
    text = re.sub(r"\{% comment %\}.*?\{% endcomment %\}|\{#.*?#\}", "", path.read_text(encoding="utf-8"), flags=re.S)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), "inline <script>: move it to static/js/app.js"
    assert not re.search(r"\son[a-z]+\s*=", text), "an inline event handler"
    assert not re.search(r"\sstyle\s*=", text), "a style attribute: use a class in static/css/app.css"
    if path.name not in {"400.html", "500.html"}:  # allowed by hash (config/urls.py)
        assert "<style" not in text, "an inline <style>"


# --- no-store -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_pages_downloads_and_api_answers_are_not_stored(users, driver, django_capture_on_commit_callbacks):
    case = driver.submit()
    with django_capture_on_commit_callbacks(execute=True):
        driver.file(case)
    document = case.documents.get(kind="filing_certificate")
    attachment = case.attachments.get()
    web = WebUser("inst-welfare-centre")
    api = api_as("inst-welfare-centre")
    answers = {
        "case page": web.get(f"/cases/{case.case_no}/"),
        "certificate PDF (web)": web.get(f"/documents/{document.pk}/pdf"),
        "attachment": web.get(f"/attachments/{attachment.pk}/"),
        "certificate PDF (API)": api.get(f"/api/v1/documents/{document.pk}/pdf"),
        "case (API)": api.get(f"/api/v1/cases/{case.case_no}/"),
        "log-in page": Client().get("/accounts/login/"),
    }
    for name, response in answers.items():
        assert response.status_code == 200, name
        assert "no-store" in response["Cache-Control"], name
    assert create_case(api)["case_no"]


# --- the server banner --------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def served(*config: str, path: str = "/") -> tuple[int, dict[str, str]]:
    """Status and headers of a real gunicorn (this repository's config or none) serving a one-line WSGI app."""
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
    if gunicorn is None:
        pytest.fail("gunicorn is a dependency (pyproject.toml); install the project")
    port = free_port()
    process = subprocess.Popen(
        [gunicorn, *config, "-b", f"127.0.0.1:{port}", "-w", "1", "tests.wsgi_probe:application"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as response:
                    return response.status, dict(response.headers)
            except urllib.error.HTTPError as error:
                return error.code, dict(error.headers)
            except OSError:
                time.sleep(0.1)
        pytest.fail("gunicorn did not answer")
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_gunicorn_with_the_repository_config_sends_no_server_banner():
    assert "Server" in served("--config", "/dev/null")[1]  # what gunicorn does by itself
    status, headers = served("-c", "config/gunicorn.conf.py")
    assert status == 200 and "Server" not in headers


def test_an_over_long_request_line_is_the_servers_414_as_the_schema_says():
    """gunicorn refuses a request line over 4 KB itself, with its HTML page: api/schema.py documents it so."""
    status, headers = served("-c", "config/gunicorn.conf.py", path="/?q=" + "x" * 5000)
    assert status == 414 and headers["Content-Type"].startswith("text/html") and "Server" not in headers


def test_the_api_answers_over_the_proxy_only_with_https(db, settings):
    """With SSL redirect on (production) a request nginx marks https is served; plain http is redirected."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    plain = APIClient().get("/api/v1/schema/")
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    secure = APIClient().get("/api/v1/schema/", HTTP_X_FORWARDED_PROTO="https")
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")


def test_security_md_names_only_tests_that_exist():
    """docs/security.md proves each requirement with a test: each one it names is there."""
    text = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    named = re.findall(r"`((?:e2e/)?test_[a-z_]+\.py)(?:::(test_[a-z0-9_]+))?`", text)
    named += [(None, name) for name in re.findall(r"`::(test_[a-z0-9_]+)`", text)]
    assert len(named) > 30
    sources = {
        path.relative_to(ROOT / "tests").as_posix(): path.read_text() for path in (ROOT / "tests").rglob("test_*.py")
    }
    for module, function in named:
        if module:
            assert module in sources, f"docs/security.md names a missing test module: {module}"
        if function:
            assert any(f"def {function}(" in source for source in sources.values()), function
