"""Bad input never gets a 500: every operation in the OpenAPI document, with bodies and
query strings of the wrong shape, as a visitor and as each kind of staff."""

import json

import pytest

from wishboard.cli import demo

WRONG_VALUES = [None, "文字", -1, 10**12, 3.5, True, [], {"x": 1}, "2026-13-45", "' OR 1=1 --"]


@pytest.fixture
def seeded(app):
    demo.seed_demo()


def _operations(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            properties = []
            if body:
                name = body["schema"]["$ref"].split("/")[-1]
                properties = list(spec["components"]["schemas"][name].get("properties", {}))
            query = [p for p in operation.get("parameters", []) if p.get("in") == "query"]
            yield path, method, properties, query


def _login(client, username):
    if username is None:
        return {}
    response = client.post("/api/v1/auth/token",
                           json={"username": username, "password": demo.DEMO_PASSWORD})
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


@pytest.mark.parametrize("who", [None, "admin", "shuji_zhang", "dangyuan_li", "jumin_wu"])
def test_no_operation_answers_500_to_bad_input(client, seeded, who):
    headers = _login(client, who)
    checked = 0
    for path, method, properties, _query in _operations(client):
        if method == "delete" and path == "/auth/token":
            continue  # would log this very client out for the rest of the loop
        for ident in ("1", "999999"):
            url = "/api/v1" + path.replace("{", "").replace("}", "")
            for name in ("wish_id", "need_id", "user_id", "community_id", "rating_id",
                         "activity_id", "log_id"):
                url = url.replace(name, ident)
            calls = [dict(json=[]), dict(data=b"not json", content_type="application/json")]
            calls += [dict(json={prop: value}) for prop in properties for value in WRONG_VALUES]
            calls += [dict(query_string={"page": "x", "per_page": "-5", "community_id": "abc",
                                         "status": "nope", "year": "99999"})]
            for kwargs in calls:
                response = client.open(url, method=method.upper(), headers=headers, **kwargs)
                assert response.status_code < 500, (method, url, kwargs,
                                                    response.get_data(as_text=True)[:300])
                checked += 1
    assert checked > 1000


@pytest.mark.parametrize("who", [None, "admin", "shuji_zhang", "dangyuan_li"])
def test_half_a_surrogate_pair_in_any_field_is_refused_not_500(client, seeded, who):
    """``"\\ud800"`` in JSON is half of a surrogate pair: a string no UTF-8 can hold, so
    whatever encodes, hashes or folds it fails. Every text field refuses it with a field
    message, and a field name holding one is named back, not a 500."""
    headers = _login(client, who)
    spec = client.get("/api/v1/openapi.json").get_json()
    refused = 0
    for path, method, properties, _query in _operations(client):
        if method == "delete" and path == "/auth/token":
            continue
        body = spec["paths"][path][method]["requestBody"]["content"]["application/json"] \
            if properties else None
        shapes = spec["components"]["schemas"][body["schema"]["$ref"].split("/")[-1]] \
            if body else {}
        texts = [name for name, shape in shapes.get("properties", {}).items()
                 if shape.get("type") == "string" and "format" not in shape]
        url = "/api/v1" + path.replace("{", "").replace("}", "")
        for name in ("wish_id", "need_id", "user_id", "community_id", "rating_id",
                     "activity_id", "log_id"):
            url = url.replace(name, "1")
        for sent, named in [*(({prop: "\ud800"}, prop) for prop in texts),
                            ({"\ud800": 1}, "\ud800")]:
            # json.dumps writes the escape, as a client's JSON library does.
            response = client.open(url, method=method.upper(), headers=headers,
                                   data=json.dumps(sent), content_type="application/json")
            assert response.status_code < 500, (method, url, sent,
                                                response.get_data(as_text=True)[:300])
            error = response.get_json()["error"] if response.status_code >= 400 else None
            if error and error["code"] == "validation_failed" and method != "get":
                assert named in error["fields"], (method, url, sent, error)
                refused += 1
    assert refused > (10 if who is None else 50)  # a visitor is mostly asked to log in


@pytest.mark.parametrize("who", [None, "admin", "shuji_zhang", "dangyuan_li", "jumin_wu"])
def test_no_page_answers_500_to_a_bad_query_string(app, client, seeded, who):
    if who:
        client.post("/auth/login", data={"username": who, "password": demo.DEMO_PASSWORD})
    bad = {"status": "bogus", "page": "x", "per_page": "-1", "community_id": "abc",
           "kind": "zz", "year": "abc", "period": "decade", "q": "%' OR 1=1", "grid_id": "1.5",
           "category_id": "[]", "volunteer_type": "alien", "next": "//evil.example"}
    checked = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith(("/api/", "/static")):
            continue
        url = rule.rule
        for name in rule.arguments:
            url = url.replace(f"<int:{name}>", "1").replace(f"<{name}>", "1")
        response = client.get(url, query_string=bad)
        assert response.status_code < 500, (url, response.get_data(as_text=True)[:300])
        checked += 1
    assert checked > 20


@pytest.mark.parametrize("who", [None, "admin", "shuji_zhang", "dangyuan_li", "jumin_wu"])
def test_no_form_answers_500_to_bad_input(app, seeded, who):
    rules = [r for r in app.url_map.iter_rules()
             if "POST" in r.methods and not r.rule.startswith("/api/")
             and r.endpoint not in ("auth.logout",)]
    garbage = {"name": "x" * 500, "level": "planet", "parent_id": "abc", "stars": "11",
               "hours": "-3", "reason": "", "user_id": "abc", "code": "文字", "show": "maybe",
               "community_id": "0", "category_id": "[]", "expires_at": "2026-02-30",
               "served_on": "yesterday", "capacity": "1e9", "wish_id": "x",
               "per_claim": "3.5", "claim_window_days": "999", "beneficiary_id": "-1",
               "accept_letter": "maybe", "due_at": "soon", "title": "", "description": ""}
    forms = [{}, garbage]
    checked = 0
    for rule in rules:
        url = rule.rule
        for name in rule.arguments:
            url = url.replace(f"<int:{name}>", "1").replace(f"<{name}>", "1")
        for form in forms:
            client = app.test_client()
            if who:
                client.post("/auth/login", data={"username": who,
                                                 "password": demo.DEMO_PASSWORD})
            response = client.post(url, data=form)
            assert response.status_code < 500, (url, form, response.get_data(as_text=True)[:300])
            checked += 1
    assert checked > 40
