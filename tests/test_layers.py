"""The build checks the habits: shared code never names a procedure; the apps stay layered.

A comparison against a procedure's code (``procedure == CODE``, ``procedure=CODE``,
a literal code) may only appear in that procedure's own modules: those named after it
(workflows/cooperation.py, web/cooperation.py, api/cooperation.py …) or that import its
CODE from its flow module (the agreement lifecycle, services/agreements.py).
"""

import re
import subprocess
from pathlib import Path

from common import procedures

ROOT = Path(__file__).resolve().parent.parent
SOURCES = (
    "api",
    "common",
    "demo",
    "documents",
    "forms",
    "institutions",
    "permissions",
    "web",
    "workflows",
    "templates",
)
COMPARISON = re.compile(r"procedure\s*(==|!=)|procedure(__in)?\s*=\s*(?!models|procedures|read|filters|p\b|procedure)")


def source_files():
    for top in SOURCES:
        for path in (ROOT / top).rglob("*"):
            if path.suffix in (".py", ".html") and "migrations" not in path.parts:
                yield path


def owner_of(path: Path, text: str) -> str | None:
    """The procedure a module belongs to: named after it, or importing its CODE."""
    codes = procedures.codes()
    for code in codes:
        if path.stem.startswith(code):
            return code
    imported = re.search(r"from \S*?(\w+) import [^\n]*\bCODE\b", text)
    if imported and imported.group(1) in codes:
        return imported.group(1)
    return None


def test_no_shared_module_compares_against_a_procedure_code():
    codes = procedures.codes()
    offences = []
    for path in source_files():
        text = path.read_text(encoding="utf-8")
        owner = owner_of(path, text)
        for number, line in enumerate(text.splitlines(), 1):
            if not COMPARISON.search(line):
                continue
            literal = [code for code in codes if f'"{code}"' in line or f"'{code}'" in line]
            named = "CODE" in line
            if (literal or named) and owner is None:
                offences.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
            elif literal and any(code != owner for code in literal):
                offences.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offences, "shared code names a procedure:\n" + "\n".join(offences)


def test_the_import_contracts_hold():
    """import-linter (.importlinter): the apps are layered, and nothing below the doors imports them."""
    result = subprocess.run(
        [str(Path(__file__).resolve().parent.parent / ".venv" / "bin" / "lint-imports"), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"DJANGO_SETTINGS_MODULE": "config.settings_test", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stdout[-3000:]
