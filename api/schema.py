"""The OpenAPI schema says what the API really returns on failure, for every operation.

A drf-spectacular post-processing hook: each operation gets the error statuses it can
answer with, each with the one error body of docs/api.md, added from what the
operation is (authenticated or public, reading or writing, with a path parameter or a
page) rather than per view, so a new endpoint is described without anyone adding it.
A status a view documents itself is left as it is. One status is not the
application's: 414, which the web server (gunicorn, nginx) answers with its own HTML
page when the request line is longer than it accepts.
"""

from typing import Any

ERROR_COMPONENT = "Error"
ERROR_REF = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "每个错误都是这一格式（docs/api.md）。",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string", "description": "机器可读的错误代码，如 invalid、not_found、throttled"},
                "message": {"type": "string", "description": "给人看的说明（中文）"},
                "fields": {
                    "type": "object",
                    "description": "出错的字段及其说明",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
            },
        }
    },
}

DESCRIPTIONS = {
    "400": "请求无效：参数或请求体的格式、类型或取值有误（含控制字符），详见 fields",
    "401": "未登录，或令牌无效、已过期（令牌有效期 8 小时，重新获取即可）",
    "403": "无权进行此操作",
    "404": "未找到，或您无权查看",
    "406": "无法按 Accept 请求头给出的格式回答（本 API 只回答 JSON；审计导出另可回答 CSV、XLSX）",
    "409": "状态冲突：办件状态已变化、任务已被领取、正被他人保存，或重复申请",
    "413": "文件或请求体过大",
    "414": "地址（请求行）过长：由 Web 服务器在进入应用之前拒绝（gunicorn 4 KB，nginx 8 KB），回答是服务器自己的 HTML 页面",
    "415": "文件或请求体的类型不受支持（含带脚本、内嵌文件等活动内容的 PDF）",
    "422": "不符合业务规则（如不符合条件、超出预算）",
    "429": "请求过于频繁或账号已被锁定：Retry-After 秒后再试",
}
RETRY_AFTER = {
    "Retry-After": {"description": "多少秒后可以再试", "schema": {"type": "integer"}},
}
UNSAFE = {"post", "put", "patch", "delete"}


def error_statuses(method: str, operation: dict[str, Any]) -> list[str]:
    """The error statuses this operation can answer with."""
    statuses = ["400", "406", "414", "429"]
    authenticated = any(requirement for requirement in operation.get("security", []))
    has_path_parameter = any(parameter.get("in") == "path" for parameter in operation.get("parameters", []))
    paginated = any(parameter.get("name") == "page" for parameter in operation.get("parameters", []))
    if authenticated:
        statuses += ["401", "403"]
    if has_path_parameter or paginated:
        statuses.append("404")  # a foreign or missing object; a page past the last
    if method in UNSAFE:
        statuses += ["413", "415"]
        if authenticated:
            statuses += ["409", "422"]
    return sorted(statuses)


def document_errors(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular POSTPROCESSING_HOOKS entry: the error responses of every operation."""
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for status in error_statuses(method, operation):
                if status in responses:
                    continue
                response: dict[str, Any] = {
                    "description": DESCRIPTIONS[status],
                    "content": {"application/json": {"schema": ERROR_REF}},
                }
                if status == "414":
                    # Said by the web server before any of the application runs, in its own words.
                    response["content"] = {"text/html": {"schema": {"type": "string"}}}
                if status == "429":
                    response["headers"] = RETRY_AFTER
                responses[status] = response
    return result
