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
                       "schema": {"type": "integer" if converter == "int" else "string"}})
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
            op["requestBody"] = {"required": True,
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
        elif many:
            body = {"type": "array", "items": item}
        else:
            body = item
        op["responses"][str(status)] = {"description": "success",
                                        "content": {"application/json": {"schema": body}}}
    err = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    if input_schema or path_params:
        op["responses"]["400"] = {"description": "invalid input", **err}
    if getattr(view, "requires_login", False):
        op["security"] = [{"bearer": []}, {"session": []}]
        op["responses"]["401"] = {"description": "not logged in", **err}
        op["responses"]["403"] = {"description": "not allowed", **err}
        if getattr(view, "required_roles", None):
            op["description"] = "Roles: " + ", ".join(view.required_roles)
    if path_params:
        op["responses"]["404"] = {"description": "not found", **err}
    if method in ("post", "put", "patch", "delete"):
        op["responses"]["409"] = {"description": "the state does not allow it", **err}
    for status, description in getattr(view, "also_answers", {}).items():
        op["responses"][str(status)] = {"description": description, **err}
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
