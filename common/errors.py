"""Refusals the services raise; the web UI shows their message, the API maps their status.

Each carries a machine code, a message in the user's language and, for invalid
input, the fields at fault — the API's error format (docs/api-contract.md) one to one.
"""

from django.utils.translation import gettext_lazy as _


class ServiceError(Exception):
    status = 400
    code = "invalid"
    default_message = _("请求无效。")

    def __init__(self, message: object = None, *, fields: dict[str, list[str]] | None = None, code: str | None = None):
        self.message = str(message or self.default_message)
        self.fields = {key: [str(m) for m in value] for key, value in (fields or {}).items()}
        if code:
            self.code = code
        super().__init__(self.message)


class InvalidInput(ServiceError):
    status = 400
    code = "invalid"
    default_message = _("提交的内容有误，请按提示修改。")


class NotFound(ServiceError):
    """Also raised for what exists but is not the user's to see: never reveal it."""

    status = 404
    code = "not_found"
    default_message = _("未找到，或您无权查看。")


class Forbidden(ServiceError):
    status = 403
    code = "forbidden"
    default_message = _("您无权进行此操作。")


class Conflict(ServiceError):
    status = 409
    code = "conflict"
    default_message = _("状态已变化，请刷新后重试。")


class RuleViolation(ServiceError):
    status = 422
    code = "rule_violation"
    default_message = _("不符合政策规定。")


class TooLarge(ServiceError):
    status = 413
    code = "too_large"
    default_message = _("文件过大。")


class UnsupportedType(ServiceError):
    status = 415
    code = "unsupported_type"
    default_message = _("文件类型不受支持。")
