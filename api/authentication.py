"""API tokens that expire: good for ``API_TOKEN_TTL`` (8 hours) from the log-in that issued them."""

import re
from typing import Any

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from common.compiled import compiled_get
from permissions.loading import with_jurisdiction
from permissions.models import User

# DRF's keys are 40 hexadecimal characters; anything else is refused before it reaches
# the database (a NUL in it would be an exception there, not "no such token").
TOKEN_KEY = re.compile(r"[0-9a-f]{40}")


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token, refused once older than the TTL (each log-in issues a new one: api.views.TokenView)."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        if not TOKEN_KEY.fullmatch(key):
            raise AuthenticationFailed(_("令牌无效。"))
        user, token = self._user_and_token(key)
        if token.created < timezone.now() - settings.API_TOKEN_TTL:
            raise AuthenticationFailed(_("令牌已过期，请重新登录获取新令牌。"))
        return user, token

    def _user_and_token(self, key: str) -> tuple[Any, Token]:
        """DRF's lookup, as one query that also reads the user's roles, grants and unit."""
        reader = compiled_get(  # compiled once per process, as permissions.loading.load_user
            ("token_user", "default"),
            lambda: with_jurisdiction(User._default_manager.annotate(token_created=F("auth_token__created"))),
            by="auth_token__key",
            text=True,
        )
        user: Any = reader.get(key)  # a User, with token_created
        if user is None:
            raise AuthenticationFailed(_("令牌无效。"))
        if not user.is_active:
            raise AuthenticationFailed(_("账号已停用。"))
        return user, Token(key=key, user=user, created=user.token_created)
