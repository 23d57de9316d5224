"""Who is asking, from where: the current request's client address and user, for the events it records.

Context variables rather than parameters: about forty call sites record events deep
inside services that never see the request, signal receivers (a role changed) see no
request at all, and timers and document workers have none (their events carry no
address).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_client_ip: ContextVar[str | None] = ContextVar("audit_client_ip", default=None)
_request: ContextVar[Any] = ContextVar("audit_request", default=None)


def current_ip() -> str | None:
    return _client_ip.get()


def current_user() -> Any:
    """The request's authenticated user (session or API token), or None outside a request."""
    request = _request.get()
    user = getattr(request, "user", None) if request is not None else None
    return user if user is not None and user.is_authenticated else None


@contextmanager
def client_ip(address: str | None, request: Any = None) -> Iterator[None]:
    """Record ``address`` (and ``request``'s user, where asked) on every event appended inside the block."""
    token = _client_ip.set(address or None)
    request_token = _request.set(request)
    try:
        yield
    finally:
        _request.reset(request_token)
        _client_ip.reset(token)
