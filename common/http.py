"""What the HTTP layers share: the client's address behind the trusted proxies, and the error body.

The login lock-out (django-axes, ``AXES_CLIENT_IP_CALLABLE``) and the API throttles
(common/throttling.py) both ask :func:`client_address`, so an address that is locked out
is the address that is throttled, and neither can be chosen by the client.
"""

from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse


def client_address(request: Any) -> str:
    """The client's address: the socket's, or the one the trusted proxies put in X-Forwarded-For.

    With ``TRUSTED_PROXY_COUNT = n`` the n-th address from the right of X-Forwarded-For
    is the client (each trusted proxy appends the address it received the request from;
    anything further left was written by the client and proves nothing). This is DRF's
    ``NUM_PROXIES`` rule, so the throttles' own reading agrees.
    """
    meta = request.META
    remote = str(meta.get("REMOTE_ADDR") or "")
    proxies = settings.TRUSTED_PROXY_COUNT
    forwarded = meta.get("HTTP_X_FORWARDED_FOR")
    if proxies <= 0 or not forwarded:
        return remote
    addresses = [part.strip() for part in str(forwarded).split(",") if part.strip()]
    if not addresses:
        return remote
    return addresses[-min(proxies, len(addresses))]


def is_api(request: HttpRequest) -> bool:
    """Requests to the REST API answer in its JSON error format, pages with the product's pages."""
    return request.path_info.startswith("/api/")


def error_json(status: int, code: str, message: str, fields: dict[str, list[str]] | None = None) -> JsonResponse:
    """The API's error body (docs/api.md) for answers given outside DRF (middleware, error handlers)."""
    body = {"error": {"code": code, "message": str(message), "fields": fields or {}}}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
