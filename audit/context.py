"""Who is asking, from where: the client address of the current request, for the events it records.

A context variable rather than a parameter: about forty call sites record events deep
inside services that never see the request, and timers and document workers have no
request at all (their events carry no address).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_client_ip: ContextVar[str | None] = ContextVar("audit_client_ip", default=None)


def current_ip() -> str | None:
    return _client_ip.get()


@contextmanager
def client_ip(address: str | None) -> Iterator[None]:
    """Record ``address`` on every event appended inside the block (a request, a test)."""
    token = _client_ip.set(address or None)
    try:
        yield
    finally:
        _client_ip.reset(token)
