"""The API's rate limits: per client address for anonymous calls, per user for the others.

DRF binds a throttle's rates when its module is imported; these read them at each
request (``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``), so the test settings can switch
them off and a test can switch them on with ``override_settings``. The client's
address is the one the lock-out uses (common.http.client_address).
"""

from typing import Any

from rest_framework import throttling
from rest_framework.settings import api_settings

from common.http import client_address


class _RatesFromSettings:
    """Rate read now, not at import; the address behind the trusted proxies; Retry-After always given."""

    scope: str
    duration: float
    now: float
    history: list[float]

    def get_rate(self) -> str | None:
        rates: dict[str, Any] = api_settings.DEFAULT_THROTTLE_RATES
        rate = rates.get(self.scope)
        return None if rate is None else str(rate)

    def get_ident(self, request: Any) -> str:
        return client_address(request)

    def wait(self) -> float:
        """Seconds until the oldest request in the window leaves it (never "unknown": Retry-After needs a number)."""
        if not self.history:
            return float(self.duration)
        return max(1.0, self.duration - (self.now - self.history[-1]))


class AnonymousRateThrottle(_RatesFromSettings, throttling.AnonRateThrottle):
    scope = "anon"


class UserRateThrottle(_RatesFromSettings, throttling.UserRateThrottle):
    scope = "user"
