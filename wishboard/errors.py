"""The error hierarchy services raise, and its two renderings: JSON (API.md's shape) and HTML.

Every error carries a stable ``code``, a Chinese message and an English one; the client's
``Accept-Language`` picks which message it gets.
"""

from __future__ import annotations

import logging
import re
import uuid

from flask import Flask, Response, g, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException

from wishboard.extensions import db

log = logging.getLogger(__name__)


class WishboardError(Exception):
    status_code = 400
    code = "bad_request"
    message_zh = "请求有误"
    message_en = "Bad request"

    def __init__(
        self,
        message: str | None = None,
        *,
        message_en: str | None = None,
        code: str | None = None,
        fields: dict | None = None,
    ):
        self.message = message or self.message_zh
        self.english = message_en or (self.message_en if message is None else None)
        if code:
            self.code = code
        self.fields = fields or {}
        super().__init__(self.message)

    def message_for(self, lang: str) -> str:
        if lang == "en" and self.english:
            return self.english
        return self.message


class ValidationFailedError(WishboardError):
    status_code, code = 400, "validation_failed"
    message_zh, message_en = "提交的内容有误，请检查后再试", "Some fields are invalid"


class UnauthorizedError(WishboardError):
    status_code, code = 401, "unauthorized"
    message_zh, message_en = "请先登录", "Please log in"


class ForbiddenError(WishboardError):
    status_code, code = 403, "forbidden"
    message_zh, message_en = "您没有权限这样做", "You are not allowed to do that"


class NotFoundError(WishboardError):
    status_code, code = 404, "not_found"
    message_zh, message_en = "找不到您要的内容", "Not found"


class ConflictError(WishboardError):
    status_code, code = 409, "conflict"
    message_zh, message_en = "当前状态不允许这样做", "The current state does not allow this"


class IllegalTransitionError(ConflictError):
    """409 from the wish state machine, with a code that names the state that refused the
    move (``wishboard.wishes.states.state_refusal``)."""


# Plain-language texts for the HTTP errors that Flask and its extensions raise themselves.
HTTP_MESSAGES = {
    400: ("bad_request", "请求有误", "Bad request"),
    401: ("unauthorized", "请先登录", "Please log in"),
    403: ("forbidden", "您没有权限这样做", "You are not allowed to do that"),
    404: ("not_found", "找不到您要的页面", "Not found"),
    405: ("method_not_allowed", "不支持这种请求方式", "Method not allowed"),
    413: ("payload_too_large", "提交的内容太大", "Request too large"),
    415: ("unsupported_media_type", "请用 JSON 格式提交", "Send JSON"),
    429: ("rate_limited", "尝试次数太多，请稍后再试", "Too many attempts, try again later"),
    500: ("internal_error", "系统出了点问题，请稍后再试", "Something went wrong on our side"),
}

# Field messages in English, for clients that ask for it. Messages not listed stay Chinese.
FIELD_MESSAGES_EN = {
    "必填": "Required.", "不能为空": "May not be null.", "填写有误": "Invalid value.",
    "请填写文字": "Not a valid string.", "请填写整数": "Not a valid integer.",
    "数字太大": "Number too large.", "请填写数字": "Not a valid number.",
    "请填写是或否": "Not a valid boolean.", "日期时间格式不对": "Not a valid datetime.",
    "请带上时区": "Include a time zone.", "格式不对": "Invalid format.",
    "应为列表": "Not a valid list.", "不认识这个字段": "Unknown field.",
    "提交的内容应为 JSON 对象": "Send a JSON object.", "已有人使用": "Already taken.",
    "已存在": "Already exists.", "请填写11位手机号，或带区号的座机号":
        "Enter an 11-digit mobile number or a landline with area code.",
    "日期格式不对，例如 2026-12-01": "Not a valid date, e.g. 2026-12-01.",
    "日期格式不对，例如 2026-11-22": "Not a valid date, e.g. 2026-11-22.",
}
FIELD_PATTERNS_EN = [
    (re.compile(r"^长度应在(\d+)到(\d+)个字之间$"), r"Length must be between \1 and \2."),
    (re.compile(r"^最多(\d+)个字$"), r"At most \1 characters."),
    (re.compile(r"^至少(\d+)个字$"), r"At least \1 characters."),
    (re.compile(r"^应在(.+)到(.+)之间$"), r"Must be between \1 and \2."),
    (re.compile(r"^只能是：(.+)$"), r"Must be one of: \1."),
]


def _english(message: str) -> str:
    if message in FIELD_MESSAGES_EN:
        return FIELD_MESSAGES_EN[message]
    for pattern, replacement in FIELD_PATTERNS_EN:
        if pattern.match(message):
            return pattern.sub(replacement, message)
    return message


def localize_fields(fields: dict, lang: str) -> dict:
    """Field messages for the client's language (nested schemas keep their nesting)."""
    if lang != "en":
        return fields

    def walk(value):
        if isinstance(value, dict):
            return {key: walk(item) for key, item in value.items()}
        if isinstance(value, list):
            return [walk(item) for item in value]
        return _english(value) if isinstance(value, str) else value
    return walk(fields)


_REQUEST_ID_OK = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes[
        "text/html"
    ]


def client_language() -> str:
    """English for a JSON client that asks for it; a page is Chinese throughout, whatever
    the browser's languages (its headings and links are)."""
    if not wants_json():
        return "zh"
    return request.accept_languages.best_match(["zh", "en"], default="zh") or "zh"


def error_response(status: int, code: str, message: str, fields: dict | None = None) -> Response:
    if wants_json():
        body = {"error": {"code": code, "message": message, "fields": fields or {}}}
        response = jsonify(body)
    else:
        response = make_response(render_template(
            "errors/error.html", status=status, code=code, message=message,
            request_id=g.get("request_id"),
        ))
    response.status_code = status
    return response


def _handle_wishboard_error(error: WishboardError):
    db.session.rollback()
    lang = client_language()
    return error_response(error.status_code, error.code, error.message_for(lang),
                          localize_fields(error.fields, lang))


def _handle_http_exception(error: HTTPException):
    status = error.code or 500
    code, zh, en = HTTP_MESSAGES.get(status, ("http_error", error.name, error.name))
    # CSRF failures are 400s with their own code, so a client knows to fetch a fresh token.
    if error.__class__.__name__ == "CSRFError":
        code, zh, en = "csrf_failed", "页面已过期，请刷新后再提交", "CSRF token missing or invalid"
    response = error_response(status, code, en if client_language() == "en" else zh)
    # Keep the headers the exception carries (Allow on 405, Retry-After on 429).
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _handle_unexpected(error: Exception):
    db.session.rollback()
    log.exception("unhandled error request_id=%s path=%s", g.get("request_id"), request.path)
    code, zh, en = HTTP_MESSAGES[500]
    return error_response(500, code, en if client_language() == "en" else zh)


def request_id_from(incoming: str | None) -> str:
    """The id the proxy gave this request (``X-Request-ID``) when it is a sane one, else a
    new one."""
    return incoming if incoming and _REQUEST_ID_OK.match(incoming) else uuid.uuid4().hex[:16]


def assign_request_id():
    g.request_id = request_id_from(request.headers.get("X-Request-ID"))


def _echo_request_id(response):
    if "request_id" in g:
        response.headers["X-Request-ID"] = g.request_id
    return response


def register_error_handlers(app: Flask) -> None:
    app.before_request(assign_request_id)
    app.after_request(_echo_request_id)
    app.register_error_handler(WishboardError, _handle_wishboard_error)
    app.register_error_handler(HTTPException, _handle_http_exception)
    app.register_error_handler(Exception, _handle_unexpected)
