import logging
import re
from collections import defaultdict

from apispec.ext.marshmallow.common import resolve_schema_cls
from helpers import error_of

from wishboard.blueprints.api import openapi


def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.is_json
    assert error_of(response)["code"] == "not_found"


def test_wrong_method_is_json_405_with_allow_header(client):
    response = client.put("/api/v1/categories")
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"
    assert "GET" in response.headers["Allow"]


def test_unexpected_error_is_a_logged_500_without_a_traceback(make_app, caplog):
    app = make_app()

    @app.get("/api/v1/explode")
    def explode():
        raise RuntimeError("secret internals")

    client = app.test_client()
    with caplog.at_level(logging.ERROR):
        response = client.get("/api/v1/explode", headers={"X-Request-ID": "req-abc-123"})
    assert response.status_code == 500
    error = error_of(response)
    assert error["code"] == "internal_error"
    assert "secret internals" not in response.get_data(as_text=True)
    assert response.headers["X-Request-ID"] == "req-abc-123"
    assert any("req-abc-123" in r.getMessage() and r.exc_info for r in caplog.records)


def test_web_errors_are_chinese_pages(make_app):
    app = make_app()

    @app.get("/explode")
    def explode():
        raise RuntimeError("secret internals")

    client = app.test_client()
    missing = client.get("/no-such-page")
    assert missing.status_code == 404
    assert "找不到这个页面" in missing.get_data(as_text=True)
    broken = client.get("/explode")
    page = broken.get_data(as_text=True)
    assert broken.status_code == 500
    assert "系统出了点问题" in page and "secret internals" not in page
    assert broken.headers["X-Request-ID"] in page


def test_a_forged_request_id_is_replaced(client):
    response = client.get("/api/v1/categories", headers={"X-Request-ID": "bad id <script>"})
    assert response.headers["X-Request-ID"] != "bad id <script>"
    assert len(response.headers["X-Request-ID"]) == 16


def test_openapi_document_describes_every_api_route(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    documented = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint == "api.openapi":
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule[len("/api/v1"):])
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method.lower()) in documented, (path, method)


def test_openapi_document_carries_the_schemas(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    register = spec["paths"]["/auth/register"]["post"]
    body = register["requestBody"]["content"]["application/json"]["schema"]
    schema = spec["components"]["schemas"][body["$ref"].split("/")[-1]]
    assert {"username", "password", "name", "phone", "role", "community_id"} <= set(
        schema["required"])
    assert "201" in register["responses"] and "400" in register["responses"]
    me = spec["paths"]["/me"]["get"]
    assert me["security"] and "401" in me["responses"]
    assert "Error" in spec["components"]["schemas"]


def test_no_two_schemas_share_a_name_in_the_openapi_document(client, monkeypatch):
    """apispec names a component after its schema's class, less "Schema": two classes of one
    name became one component, and an answer was documented with the other one's fields
    (the organisation's member list as a project's member)."""
    named = defaultdict(set)
    resolve = openapi._schema_name

    def recording(schema):
        name = resolve(schema)
        named[name].add(resolve_schema_cls(schema))
        return name

    monkeypatch.setattr(openapi, "_schema_name", recording)
    spec = client.get("/api/v1/openapi.json").get_json()
    shared = {name: sorted(f"{cls.__module__}.{cls.__qualname__}" for cls in classes)
              for name, classes in named.items() if len(classes) > 1}
    assert shared == {}
    assert len(named) > 50 and set(named) <= set(spec["components"]["schemas"])


def test_the_member_list_is_documented_with_the_fields_it_answers(
        client, community, make_org, make_user, token_for):
    spec = client.get("/api/v1/openapi.json").get_json()
    answer = spec["paths"]["/organizations/{organization_id}/members"]["get"]["responses"]
    page = answer["200"]["content"]["application/json"]["schema"]
    item = page["properties"]["items"]["items"]["$ref"].split("/")[-1]
    documented = spec["components"]["schemas"][item]["properties"]
    org = make_org(community)
    make_user("volunteer", community, organization=org, name="陈志强")
    listed = client.get(f"/api/v1/organizations/{org.id}/members",
                        headers=token_for(make_user("secretary", community)))
    assert listed.status_code == 200
    (member,) = listed.get_json()["items"]
    assert set(member) == set(documented)
    assert documented["phone"]["type"] == "string" and documented["in_full"]["type"] == "boolean"
