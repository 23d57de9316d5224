"""What documents need from the machine and the configuration, checked at start-up so a missing piece fails loudly.

Without libharfbuzz-subset0 WeasyPrint silently falls back to fontTools and a two-page
Chinese document takes ~14 s instead of ~0.2 s; without the CJK font every character
renders as a missing-glyph box; without PUBLIC_BASE_URL every QR code printed in
production would point at the developer's 127.0.0.1. None shows up as an error unless
we look.
"""

import ctypes.util
import shutil
import subprocess
from urllib.parse import urlsplit

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


def public_base_url_problem() -> str | None:
    """Why the QR codes' base URL is unusable in this configuration, or None.

    With DEBUG on, settings fall back to the local development address; with DEBUG off
    there is no fallback (config/settings.py), so an empty value means the variable was
    not set. The URL is printed on paper that outlives the deployment: it must be an
    absolute http(s) address with a host.
    """
    if settings.DEBUG:
        return None
    url = settings.PUBLIC_BASE_URL
    if not url:
        return "PUBLIC_BASE_URL is not set; it is printed in every document's QR code"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        return f"PUBLIC_BASE_URL {url!r} is not an http(s) URL such as https://yiyang.example.gov.cn"
    return None


@register("documents")
def check_public_base_url(app_configs=None, **kwargs):
    problem = public_base_url_problem()
    if problem is None:
        return []
    return [
        Error(
            problem,
            hint="set PUBLIC_BASE_URL to the address the public verification pages are served from (docs/operations.md)",
            id="documents.E002",
        )
    ]
