"""Rate limits: per client address for anonymous requests, per user for the others.

The API's defaults (``REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]``) and the public
upload page (``documents.views.verify``, through :func:`anonymous_posts_limited`) count
in the same buckets, so an address has one allowance whichever door it uses.

DRF binds a throttle's rates when its module is imported; these read them at each
request (``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``), so the test settings can switch
them off and a test can switch them on with ``override_settings``. The client's
address is the one the lock-out uses (common.http.client_address).
"""

import math
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, cast

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from rest_framework import throttling
from rest_framework.settings import api_settings

from .http import client_address

if TYPE_CHECKING:  # rest_framework.views reads DEFAULT_THROTTLE_CLASSES, which name this module
    from rest_framework.request import Request
    from rest_framework.views import APIView


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


def anonymous_posts_limited(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page whose anonymous POST (an upload) counts against the address's anonymous allowance.

    Past it the page answers 429 with Retry-After, as the API does; reading the page is not counted.
    """

    @wraps(view)
    def limited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "POST":
            throttle = AnonymousRateThrottle()
            # DRF's throttle reads only the address and request.user, which a page's request has too.
            if not throttle.allow_request(cast("Request", request), cast("APIView", None)):
                seconds = math.ceil(throttle.wait())
                response = render(request, "429.html", {"seconds": seconds}, status=429)
                response["Retry-After"] = str(seconds)
                return response
        return view(request, *args, **kwargs)

    return limited
