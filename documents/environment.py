"""What rendering needs from the machine, checked at start-up so a missing piece fails loudly.

Without libharfbuzz-subset0 WeasyPrint silently falls back to fontTools and a two-page
Chinese document takes ~14 s instead of ~0.2 s; without the CJK font every character
renders as a missing-glyph box. Neither shows up as an error unless we look.
"""

import ctypes.util
import shutil
import subprocess

from django.conf import settings
from django.core.checks import Error, register


def missing_document_dependencies() -> list[str]:
    problems = []
    if ctypes.util.find_library("harfbuzz-subset") is None:
        problems.append("libharfbuzz-subset0 is not installed (apt-get install libharfbuzz-subset0)")
    if shutil.which("fc-list") is None:
        problems.append("fontconfig's fc-list is missing, so the CJK fonts cannot be found")
        return problems
    for family, package in (
        (settings.DOCUMENT_FONT_FAMILY, "fonts-arphic-uming"),
        (settings.SEAL_FONT_FAMILY, "fonts-wqy-microhei"),
    ):
        listed = subprocess.run(["fc-list", f":family={family}", "family"], capture_output=True, text=True).stdout
        if not listed.strip():
            problems.append(f"the document font {family!r} is not installed (apt-get install {package})")
    return problems


@register("documents")
def check_document_dependencies(app_configs=None, **kwargs):
    return [
        Error(problem, hint="bash scripts/install-system-packages.sh", id="documents.E001")
        for problem in missing_document_dependencies()
    ]


def require_document_dependencies() -> None:
    """Refuse to start a process that would render documents without what they need."""
    problems = missing_document_dependencies()
    if problems:
        raise RuntimeError("cannot render documents: " + "; ".join(problems))
