"""What a locked-out account is told, at both doors: that it is locked, and for how long.

django-axes counts failed log-ins per (account, client address) and refuses the pair
for ``AXES_COOLOFF_TIME`` after the last counted failure (failures during the lock are
not counted, so the lock does not grow). The web log-in page (``AXES_LOCKOUT_CALLABLE``)
and the API's token endpoint both answer with the time left, never "wrong password".
"""

import math
from datetime import timedelta
from typing import Any

from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from common.http import client_address

LOCKOUT_STATUS = 429


def lockout_remaining(request: Any, username: str) -> timedelta:
    """How long the account stays locked for this client address (the whole cool-off if unknown)."""
    cool_off = get_cool_off(request) or timedelta(0)
    latest = (
        AccessAttempt.objects.filter(username=username, ip_address=client_address(request))
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    if latest is None:
        return cool_off
    return max(timedelta(seconds=1), latest + cool_off - timezone.now())


def minutes_left(remaining: timedelta) -> int:
    return max(1, math.ceil(remaining.total_seconds() / 60))


def lockout_message(remaining: timedelta) -> str:
    return (
        f"登录失败次数过多，该账号已被锁定，请 {minutes_left(remaining)} 分钟后再试；如需立即解锁，请联系系统管理员。"
    )


def lockout_page(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """The web log-in's answer while locked (axes' ``AXES_LOCKOUT_CALLABLE``), with Retry-After."""
    username = get_client_username(request, credentials) or ""
    remaining = lockout_remaining(request, username)
    response = render(
        request,
        "locked_out.html",
        {"message": lockout_message(remaining), "minutes": minutes_left(remaining)},
        status=LOCKOUT_STATUS,
    )
    response["Retry-After"] = str(math.ceil(remaining.total_seconds()))
    return response
