"""Every API error in one shape: {"error": {"code", "message", "fields"}} (docs/api-contract.md)."""

import math

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from common.errors import ServiceError

_CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "too_large",
    415: "unsupported_type",
    422: "rule_violation",
    429: "throttled",
}


def error_response(status_code: int, message: str, *, code: str | None = None, fields=None) -> Response:
    return Response(
        {"error": {"code": code or _CODES.get(status_code, "error"), "message": str(message), "fields": fields or {}}},
        status=status_code,
    )


def _flatten(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            if isinstance(value, dict):
                for sub, messages in _flatten(value).items():
                    flat[f"{key}.{sub}"] = messages
            else:
                flat[str(key)] = [str(m) for m in (value if isinstance(value, list) else [value])]
        return flat
    return {}


def exception_handler(exc, context):
    if isinstance(exc, ServiceError):
        return error_response(exc.status, exc.message, code=exc.code, fields=exc.fields)
    if isinstance(exc, Http404):
        return error_response(404, _("未找到，或您无权查看。"))
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        message = _("提交的内容有误，请按提示修改。")
        if isinstance(exc.detail, list):
            message = "；".join(str(m) for m in exc.detail)
        return error_response(status.HTTP_400_BAD_REQUEST, message, fields=fields)
    detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
    message = detail if isinstance(detail, str) else _("请求无效。")
    if isinstance(exc, exceptions.Throttled):
        # DRF's own text mixes Chinese and English ("Expected available in 12 seconds").
        message = _("请求过于频繁，请 %(n)d 秒后再试。") % {"n": math.ceil(getattr(exc, "wait", None) or 1)}
    code = _CODES.get(response.status_code)
    if isinstance(exc, exceptions.NotAuthenticated) or isinstance(exc, exceptions.AuthenticationFailed):
        code = "not_authenticated"
    error = error_response(response.status_code, message, code=code)
    for header in ("WWW-Authenticate", "Retry-After"):
        if header in response:
            error[header] = response[header]
    if isinstance(exc, exceptions.Throttled):
        error["Retry-After"] = str(math.ceil(getattr(exc, "wait", None) or 1))  # the same whole seconds as the message
    return error
