"""GET /api/v1/openapi.json: built from the routes themselves and the notes ``use_schema``,
``responds`` and the access decorators leave on each view."""

from __future__ import annotations

import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app, jsonify

from wishboard.blueprints.api import bp

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "object", "required": ["code", "message", "fields"],
                             "properties": {
                                 "code": {"type": "string"},
                                 "message": {"type": "string"},
                                 "fields": {"type": "object",
                                            "additionalProperties": True}}}},
}


def _path(rule: str) -> tuple[str, list[dict]]:
    params = []

    def repl(match):
        converter, name = match.group(1), match.group(2)
        params.append({"name": name, "in": "path", "required": True,
                       "schema": ({"type": "integer", "minimum": 0, "maximum": 2 ** 31 - 1}
                                  if converter == "int" else {"type": "string"})})
        return "{" + name + "}"

    path = re.sub(r"<(?:(\w+):)?(\w+)>", repl, rule)
    return path, params


def _operation(view, method: str, path_params: list[dict]) -> dict:
    doc = (view.__doc__ or "").strip()
    op: dict = {"summary": doc.splitlines()[0] if doc else view.__name__,
                "operationId": view.__name__, "parameters": list(path_params), "responses": {}}
    input_schema = getattr(view, "input_schema", None)
    if input_schema:
        schema_cls, location = input_schema
        if location == "json":
            required = any(f.required for f in schema_cls().fields.values())
            op["requestBody"] = {"required": required,
                                 "content": {"application/json": {"schema": schema_cls}}}
        else:
            op["parameters"].append({"in": "query", "schema": schema_cls})
    schema_cls, status, many, paginated = getattr(view, "response_schema",
                                                  (None, 200, False, False))
    if schema_cls is None:
        op["responses"][str(status)] = {"description": "done, no content"}
    else:
        item = {"$ref": f"#/components/schemas/{_schema_name(schema_cls)}"}
        if paginated:
            body = {"type": "object", "properties": {
                "items": {"type": "array", "items": item}, "page": {"type": "integer"},
                "per_page": {"type": "integer"}, "total": {"type": "integer"}}}
            if paginated == "cursor":
                body["properties"].update(
                    total_capped={"type": "boolean", "description": "counting stopped at "
                                  "total: there are at least that many"},
                    next={"type": "string", "nullable": True, "description": "pass as after= "
                          "for the page after this one; null on the last page"})
        elif many:
            body = {"type": "array", "items": item}
        else:
            body = item
        content = {"application/json": {"schema": body}}
        for media_type in getattr(view, "also_returns", ()):
            content[media_type] = {"schema": {"type": "string", "format": "binary"}}
        op["responses"][str(status)] = {"description": "success", "content": content}
    err = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    answers = {}
    if input_schema or path_params:
        answers[400] = "invalid input"
    if getattr(view, "requires_login", False):
        op["security"] = [{"bearer": []}, {"session": []}]
        answers[401] = "not logged in"
        answers[403] = "not allowed"
        if getattr(view, "required_roles", None):
            op["description"] = "Roles: " + ", ".join(view.required_roles)
    if path_params:
        answers[404] = "not found"
    if method in ("post", "put", "patch", "delete"):
        answers[409] = "the state does not allow it"
    if "requestBody" in op:
        answers[413] = "the request is too large"
    answers |= getattr(view, "also_answers", {})
    answers[500] = "unexpected error (recorded with the request id; never an answer to input)"
    for code, description in sorted(answers.items()):
        op["responses"][str(code)] = {"description": description, **err}
    return op


def _schema_name(schema) -> str:
    schema_cls = schema if isinstance(schema, type) else type(schema)
    name = schema_cls.__name__
    return name[:-6] if name.endswith("Schema") else name


def build_spec() -> dict:
    spec = APISpec(title="Wishboard API", version="1", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin(schema_name_resolver=_schema_name)],
                   info={"description": "微心愿 board: needs, wishes, claims, ratings, points."},
                   servers=[{"url": "/api/v1"}])
    spec.components.schema("Error", ERROR_SCHEMA)
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.security_scheme("session", {"type": "apiKey", "in": "cookie",
                                                "name": "session"})
    paths: dict[str, dict] = {}
    for rule in current_app.url_map.iter_rules():
        if not rule.endpoint.startswith("api.") or rule.endpoint == "api.openapi":
            continue
        view = current_app.view_functions[rule.endpoint]
        path, params = _path(rule.rule[len("/api/v1"):])
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            schema_cls = getattr(view, "response_schema", (None,))[0]
            if schema_cls is not None and _schema_name(schema_cls) not in spec.components.schemas:
                spec.components.schema(_schema_name(schema_cls), schema=schema_cls)
            paths.setdefault(path, {})[method.lower()] = _operation(view, method.lower(), params)
    for path, operations in sorted(paths.items()):
        spec.path(path=path, operations=operations)
    return spec.to_dict()


@bp.get("/openapi.json")
def openapi():
    """This document."""
    return jsonify(build_spec())
