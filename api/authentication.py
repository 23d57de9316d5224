"""API tokens that expire: good for ``API_TOKEN_TTL`` (8 hours) from the log-in that issued them."""

import re
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

# DRF's keys are 40 hexadecimal characters; anything else is refused before it reaches
# the database (a NUL in it would be an exception there, not "no such token").
TOKEN_KEY = re.compile(r"[0-9a-f]{40}")


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token, refused once older than the TTL (each log-in issues a new one: api.views.TokenView)."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        if not TOKEN_KEY.fullmatch(key):
            raise AuthenticationFailed(_("令牌无效。"))
        user, token = super().authenticate_credentials(key)
        if token.created < timezone.now() - settings.API_TOKEN_TTL:
            raise AuthenticationFailed(_("令牌已过期，请重新登录获取新令牌。"))
        return user, token
