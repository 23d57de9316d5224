"""Puts the client's address (behind the trusted proxies) where audit.services.record finds it."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from common.http import client_address

from .context import client_ip


class AuditClientAddressMiddleware:
    """The same address the log-in lock-out and the throttles use (common.http.client_address)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        address = client_address(request)
        with client_ip(address if _is_ip(address) else None, request):
            return self.get_response(request)


def _is_ip(address: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True
