"""Django's model back-end, loading the signed-in user with its roles, grants and unit in one query."""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError

from .loading import load_user
from .models import User


class JurisdictionBackend(ModelBackend):
    """Checks passwords like ModelBackend; ``get_user`` (every request's session) reads everything at once."""

    def get_user(self, user_id: Any) -> User | None:
        try:  # the session keeps the key as text
            key = User._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        user = load_user(key) if key is not None else None
        return user if user is not None and self.user_can_authenticate(user) else None
