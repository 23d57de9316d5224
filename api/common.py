"""What the API's views share: role checks, pagination, reading a JSON body, answering with a case."""

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.errors import InvalidInput
from permissions.roles import Role
from workflows import scoping

from .serializers import CaseSerializer


class HasRole(BasePermission):
    roles: frozenset = frozenset()

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.roles & self.roles)


class IsAdmin(HasRole):
    roles = frozenset({Role.ADMIN})


class IsAuditor(HasRole):
    roles = frozenset({Role.AUDITOR, Role.ADMIN})


def paginated(request: Request, view: APIView, queryset: QuerySet, serializer_class: type, **context: Any) -> Response:
    """One page of the list in the paginator's envelope (count, next, previous, results).

    The view names its ``pagination_class``: drf-spectacular reads the same attribute
    to describe the envelope in the schema, so the schema cannot say "a bare array"
    for a paginated list again.
    """
    pagination_class = getattr(view, "pagination_class", None)
    if pagination_class is None:
        raise ImproperlyConfigured(
            f"{type(view).__name__} must declare pagination_class = PageNumberPagination "
            "(api/pagination.py) so that the schema describes its page envelope"
        )
    paginator = pagination_class()
    page: list | None = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True, context=context).data)


def body(request) -> dict:
    """The request's JSON object (empty for no body); anything else is a 400."""
    if request.data in (None, "") or request.data == {}:
        return {}
    if not isinstance(request.data, dict):
        raise InvalidInput(_("请求体应为 JSON 对象。"))
    return dict(request.data)


def case_response(request, case, status_code=status.HTTP_200_OK) -> Response:
    """The case as the user may see it (full ID numbers only for the reviewer holding its step)."""
    context = {"reveal_ids": scoping.may_see_id_numbers(request.user, case)}
    return Response(CaseSerializer(case, context=context).data, status=status_code)
