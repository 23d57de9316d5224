"""Auditors read everything and change nothing — enforced at both doors, not only by each action's checks.

A user whose only role is a reading one (审计员) is refused every unsafe request
(POST, PUT, PATCH, DELETE) on the web pages and in the API, whatever the page or
endpoint; only signing out and checking a document by upload stay open. Each
action's own service still checks who may act: this guard makes sure that a page or
endpoint added tomorrow cannot forget it for the auditor.
"""

from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.urls import resolve
from rest_framework.permissions import SAFE_METHODS, BasePermission

from .roles import Role

READ_ONLY_ROLES = frozenset({Role.AUDITOR})
# What a reader may still POST: leaving, and checking a document (no case changes).
ALLOWED_URL_NAMES = frozenset({"logout", "documents:verify", "api:document-verify", "api:token"})
MESSAGE = "审计员只能查阅，不能办理或修改。"


def reads_only(user) -> bool:
    roles = getattr(user, "roles", frozenset()) if user is not None and user.is_authenticated else frozenset()
    return bool(roles) and roles <= READ_ONLY_ROLES


def _allowed(request) -> bool:
    try:
        return resolve(request.path_info).view_name in ALLOWED_URL_NAMES
    except Exception:
        return False


class ReadOnlyRolesMiddleware:
    """The web pages (and API calls made with the browser's session)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in SAFE_METHODS and reads_only(request.user) and not _allowed(request):
            if request.path_info.startswith("/api/"):
                return JsonResponse({"error": {"code": "forbidden", "message": MESSAGE, "fields": {}}}, status=403)
            raise PermissionDenied(MESSAGE)
        return self.get_response(request)


class ActsOnlyWithAnActingRole(BasePermission):
    """The API (token authentication happens in the view, after the middleware)."""

    message = MESSAGE

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS or not reads_only(request.user) or _allowed(request)
