"""Request hygiene before any view runs, no-store on every answer, and the session's time limits.

Every page and endpoint is covered by these without knowing about them: a procedure
added tomorrow cannot forget to refuse a control character, to keep its personal data
out of caches, or to end an idle session.
"""

import re
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.template import loader
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from .http import error_json, is_api

# C0 controls and DEL: no filter, search or identifier of the product contains one, and
# PostgreSQL refuses NUL in a text value (an exception, so a 500 before this check).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")

# The session's own clock: when it was started (by the log-in) and when it was last used.
SESSION_STARTED = "_yiyang_started"
SESSION_SEEN = "_yiyang_seen"
# Writing the session on every request would be one UPDATE per click; a minute's
# precision for a 30-minute idle limit is plenty.
SEEN_PRECISION_SECONDS = 60


class RequestHygieneMiddleware:
    """Refuse what no view should have to check, and keep every answer out of shared caches.

    - NUL or another control character in the path, a query parameter's name or value,
      or NUL in a header: 400 (the API's error JSON under /api/, the 400 page elsewhere).
    - An API body that is not a multipart upload and exceeds ``DATA_UPLOAD_MAX_MEMORY_SIZE``:
      413. DRF reads a JSON body as a stream, past Django's own limit on ``request.body``.
    - Every response without its own Cache-Control gets ``no-store``: pages, PDFs and API
      answers carry people's names and ID numbers, and a shared or back-button cache
      must not keep them. (Static files are served by the proxy, outside Django.)
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.refusal(request) or self.get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True, private=True)
        return response

    def refusal(self, request: HttpRequest) -> HttpResponse | None:
        bad: dict[str, list[str]] = {}
        if CONTROL_CHARACTERS.search(request.path_info):
            bad["path"] = [_("地址中含有不允许的控制字符。")]
        for name, values in request.GET.lists():
            if CONTROL_CHARACTERS.search(name) or any(CONTROL_CHARACTERS.search(value) for value in values):
                bad[_printable(name)] = [_("不得包含控制字符（如 NUL）。")]
        if any("\x00" in str(value) for key, value in request.META.items() if key.startswith("HTTP_")):
            bad["headers"] = [_("请求头中含有 NUL 字符。")]
        if bad:
            if is_api(request):
                return error_json(400, "invalid", _("请求中含有不允许的控制字符。"), bad)
            return HttpResponseBadRequest(loader.render_to_string("400.html"))
        if is_api(request) and _body_too_large(request):
            limit_kb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024
            return error_json(413, "too_large", _("请求体过大：不得超过 %(n)d KB。") % {"n": limit_kb})
        return None


def _printable(name: str) -> str:
    """A parameter's name as it can be shown back: its control characters escaped."""
    return CONTROL_CHARACTERS.sub(lambda match: f"\\x{ord(match.group()):02x}", name)


def _body_too_large(request: HttpRequest) -> bool:
    if request.content_type == "multipart/form-data":
        return False  # uploads are bounded by each upload view (UPLOAD_MAX_BYTES, VERIFY_MAX_BYTES)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class SessionTimeoutMiddleware:
    """End a session 30 minutes after its last request or 12 hours after its log-in (ASVS 3.3.2).

    Django's own expiry is one cookie age; this keeps both limits in the session itself,
    so neither depends on the browser honouring the cookie's expiry. A timed-out session
    is logged out (flushed) before the view runs: a page then sends the user to the
    log-in, the API answers as to anyone without credentials.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if SESSION_KEY in session:
            now = int(time.time())
            started = int(session.get(SESSION_STARTED, now))
            seen = int(session.get(SESSION_SEEN, now))
            idle = settings.SESSION_IDLE_TIMEOUT.total_seconds()
            absolute = settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds()
            if now - seen > idle or now - started > absolute:
                logout(request)
            else:
                if SESSION_STARTED not in session:
                    session[SESSION_STARTED] = started
                if SESSION_SEEN not in session or now - seen >= SEEN_PRECISION_SECONDS:
                    session[SESSION_SEEN] = now
        return self.get_response(request)


@receiver(user_logged_in)
def start_session_clock(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    """A log-in starts both clocks, also when it reuses the session of an earlier log-in."""
    session = getattr(request, "session", None)
    if session is not None:
        now = int(time.time())
        session[SESSION_STARTED] = now
        session[SESSION_SEEN] = now
