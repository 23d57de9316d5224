"""The documentation stands alone in a clone and says what the code does.

- No link leads outside the repository (a clone has no ../shared), and every relative
  link in README.md and docs/ resolves.
- Every environment variable the code reads is in docs/operations.md.
- The curl session of docs/api.md runs, as written, against a live server — twice, since
  it must work on a database that already has cases and attachments.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def source_files():
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0] in {".venv", "tests", "var"}:
            continue
        yield path


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_docs_do_not_point_outside_the_repository(doc):
    text = doc.read_text(encoding="utf-8")
    assert not re.findall(r"\.\./shared|\bshared/", text)
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text):
        if re.match(r"[a-z]+://", target):
            continue
        assert not target.startswith(".."), f"{doc.name} links outside the repository: {target}"
        assert (doc.parent / target).exists(), f"{doc.name} links to a missing file: {target}"


def environment_variables_read() -> dict[str, str]:
    pattern = re.compile(
        r"""(?:os\.environ\.get|os\.getenv|env_bool|os\.environ\.setdefault)\(\s*["']([A-Z][A-Z0-9_]+)["']"""
        r"""|os\.environ\[\s*["']([A-Z][A-Z0-9_]+)["']\s*\]"""
    )
    found = {}
    for path in source_files():
        for match in pattern.finditer(path.read_text(encoding="utf-8")):
            found[match.group(1) or match.group(2)] = str(path.relative_to(ROOT))
    return found


def test_every_environment_variable_is_documented():
    variables = environment_variables_read()
    assert {"SECRET_KEY", "DATABASE_URL", "LOG_LEVEL", "YIYANG_VAR_DIR", "SIGNING_KEY_PASSPHRASE"} <= set(variables)
    operations = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    missing = {name: where for name, where in variables.items() if f"`{name}`" not in operations}
    assert not missing, f"document these in docs/operations.md: {missing}"


def api_md_session() -> str:
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, flags=re.S)
    assert len(blocks) == 1, "docs/api.md has one shell session"
    return blocks[0]


def test_api_md_uses_the_ids_the_api_returns():
    session = api_md_session()
    assert '"attachments": [1]' not in session and "attachments: [1]" not in session
    assert "ATTACHMENT=$(" in session and "$attachment" in session


@pytest.mark.django_db(transaction=True)
def test_api_md_session_runs_against_a_live_server(live_server, demo, tmp_path):
    if not (shutil.which("curl") and shutil.which("jq")):
        pytest.skip("needs curl and jq, as docs/api.md says")
    script = tmp_path / "session.sh"
    script.write_text("set -euo pipefail\n" + api_md_session(), encoding="utf-8")
    env = dict(os.environ, API=f"{live_server.url}/api/v1", DEMO_PASSWORD=settings.DEMO_PASSWORD)
    for run in (1, 2):
        result = subprocess.run(
            ["bash", str(script)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, f"run {run}: {result.stdout}\n{result.stderr}"
        assert re.search(r"submitted PA-\d{4}-BA-\d{6}", result.stdout), result.stdout
        assert '"title": "民政局确认养老机构登记"' in result.stdout and '"decision": "approve"' in result.stdout
        assert result.stdout.rstrip().endswith("withdrawn"), result.stdout
