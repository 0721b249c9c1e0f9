"""``use_schema`` loads and validates input; ``responds`` dumps output. Both leave notes on
the view that the OpenAPI document reads, so the document cannot drift from the code."""

from __future__ import annotations

from functools import wraps

from flask import Response, g, jsonify, request
from werkzeug.exceptions import BadRequest

from wishboard.core.db import Page
from wishboard.core.schemas import load_or_raise
from wishboard.errors import ValidationFailedError


def _json_body() -> object:
    if not request.get_data(cache=True):
        return {}
    try:
        return request.get_json(force=True)
    except (BadRequest, RecursionError):  # RecursionError: nested past any sense
        raise ValidationFailedError("请求内容不是有效的 JSON", message_en="Malformed JSON",
                                    code="invalid_json") from None


def use_schema(schema_cls, location: str = "json"):
    """Validate the JSON body (``location="json"``) or the query string (``"query"``) and pass
    the result to the view as its first argument."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            raw = _json_body() if location == "json" else request.args.to_dict()
            data = load_or_raise(schema_cls(), raw)
            if "page" in data and "per_page" in data:
                g.api_page = (data["page"], data["per_page"])
            return view(data, *args, **kwargs)

        wrapper.input_schema = (schema_cls, location)
        return wrapper

    return decorator


def _schema(schema_cls):
    """Schemas that mask by viewer get the current user."""
    from flask_login import current_user

    from wishboard.core.schemas import ViewerSchema

    if issubclass(schema_cls, ViewerSchema):
        return schema_cls(viewer=current_user if current_user.is_authenticated else None)
    return schema_cls()


def responds(schema_cls=None, status: int = 200, *, many: bool = False,
             paginated: bool | str = False):
    """Dump what the view returns with ``schema_cls``. A paginated view (its query loaded by
    ``use_schema`` with a ``PageQuerySchema``) returns ``(items, total)`` and answers
    ``{items, page, per_page, total}``; with ``paginated="cursor"`` it returns a ``Page`` and
    the answer adds ``total_capped`` and ``next`` (the cursor for ``after=``)."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            result = view(*args, **kwargs)
            if isinstance(result, Response):
                return result
            if schema_cls is None:
                return Response(status=status)
            if paginated:
                items, total = (result.items, result.total) if isinstance(result, Page) \
                    else result
                page, per_page = g.api_page
                body = {"items": _schema(schema_cls).dump(items, many=True), "page": page,
                        "per_page": per_page, "total": total}
                if paginated == "cursor":
                    body.update(total_capped=result.capped, next=result.next)
            else:
                body = _schema(schema_cls).dump(result, many=many)
            response = jsonify(body)
            response.status_code = status
            return response

        wrapper.response_schema = (schema_cls, status, many, paginated)
        return wrapper

    return decorator


def also_answers(errors: dict[int, str]):
    """Document error answers a view gives beyond the usual ones (the OpenAPI document
    adds 400/401/403/404/409 from the view's input, login and method by itself)."""

    def decorator(view):
        view.also_answers = {**getattr(view, "also_answers", {}), **errors}
        return view

    return decorator


def also_returns(*media_types: str):
    """Document other formats the success answer may come in (a CSV or Excel download)."""

    def decorator(view):
        view.also_returns = (*getattr(view, "also_returns", ()), *media_types)
        return view

    return decorator
