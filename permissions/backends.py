"""Django's model back-end, loading the signed-in user with its roles, grants and unit in one query."""

from typing import Any

from django.contrib.auth.backends import ModelBackend

from .loading import with_jurisdiction
from .models import User


class JurisdictionBackend(ModelBackend):
    """Checks passwords like ModelBackend; ``get_user`` (every request's session) reads everything at once."""

    def get_user(self, user_id: Any) -> User | None:
        user = with_jurisdiction().filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
