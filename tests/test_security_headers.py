"""The headers every answer carries (wishboard/security.py), the no-store rule, and the host
check behind the absolute links of the check-in QR code."""

import re
from datetime import timedelta

import pytest
from flask import render_template_string
from helpers import error_of

from wishboard import security
from wishboard.activities import services as activities
from wishboard.core.clock import utcnow

TRUSTED = "wish.example.cn"
NONCE = re.compile(r"'nonce-([A-Za-z0-9_-]{20,})'")


def nonce_of(response) -> str:
    policy = response.headers["Content-Security-Policy"]
    script, style = (re.search(rf"{kind}-src 'self' 'nonce-([^']+)'", policy).group(1)
                     for kind in ("script", "style"))
    assert script == style
    return script


def assert_always(response):
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers  # HSTS is off in tests
    assert "Content-Security-Policy" in response.headers


def assert_page_policy(response):
    assert_always(response)
    directives = dict(d.strip().split(" ", 1)
                      for d in response.headers["Content-Security-Policy"].split(";"))
    nonce = nonce_of(response)
    assert directives == {
        "default-src": "'self'",
        "script-src": f"'self' 'nonce-{nonce}'",
        "style-src": f"'self' 'nonce-{nonce}'",
        "img-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'none'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]


def assert_resource_policy(response):
    assert_always(response)
    assert response.headers["Content-Security-Policy"] == security.RESOURCE_POLICY


def _activity(organizer):
    start = utcnow() + timedelta(minutes=30)
    return activities.create_activity(
        organizer, title="健康讲座", description="量血压", category_id=1, starts_at=start,
        ends_at=start + timedelta(hours=2), signup_deadline=start, capacity=5,
        audience="all", now=utcnow() - timedelta(minutes=5))


def _token(client, user, **kw) -> dict:
    response = client.post("/api/v1/auth/token", **kw,
                           json={"username": user.username, "password": "correct-horse-9"})
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


# Headers on every kind of answer -----------------------------------------------------------

def test_a_page_carries_the_page_policy_and_the_other_headers(client, community):
    page = client.get(f"/communities/{community.id}")
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert_page_policy(page)
    # Anonymous and public: any cache may keep it, but must ask again before reusing it.
    assert page.headers["Cache-Control"] == "no-cache" and "Cookie" in page.vary


def test_an_api_answer_and_the_openapi_document_are_data_and_never_sniffed(client):
    for url in ("/api/v1/categories", "/api/v1/openapi.json"):
        answer = client.get(url)
        assert answer.status_code == 200 and answer.mimetype == "application/json"
        assert_resource_policy(answer)
        assert "no-store" not in answer.headers.get("Cache-Control", "")  # public
        assert {"Cookie", "Authorization"} <= set(answer.vary)


def test_error_pages_and_api_errors_carry_the_headers(client):
    page = client.get("/no-such-page", headers={"Accept": "text/html"})
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert_page_policy(page)
    answer = client.get("/api/v1/no-such-thing")
    assert answer.status_code == 404 and error_of(answer)["code"] == "not_found"
    assert_resource_policy(answer)
    assert answer.headers["Cache-Control"] == "no-store"


def test_a_static_file_carries_the_headers_and_stays_cacheable(
        client, community, make_user, login_as):
    login_as(make_user("volunteer", community))
    css = client.get("/static/css/site.css")
    assert css.status_code == 200 and css.mimetype == "text/css"
    assert_resource_policy(css)
    assert "no-store" not in css.headers.get("Cache-Control", "")
    script = client.get("/static/js/print.js")
    assert script.status_code == 200 and script.mimetype in ("text/javascript",
                                                             "application/javascript")
    assert_resource_policy(script)
    css.close()
    script.close()


def test_hsts_only_where_configured(make_app, app):
    plain = app.test_client().get("/auth/login")
    assert "Strict-Transport-Security" not in plain.headers
    https = make_app(HSTS=True).test_client()
    for url in ("/auth/login", "/api/v1/categories"):
        assert https.get(url).headers["Strict-Transport-Security"] == "max-age=31536000"


# The nonce ------------------------------------------------------------------------------

def test_the_nonce_is_new_for_every_answer_and_is_the_one_in_the_page(
        client, community, make_user):
    volunteer = make_user("volunteer", community, name="李建国")
    first = client.get(f"/volunteers/{volunteer.id}")
    second = client.get(f"/volunteers/{volunteer.id}")
    assert first.status_code == second.status_code == 200
    nonces = []
    for response in (first, second):
        assert_page_policy(response)
        tags = re.findall(r"<script[^>]*\bnonce=\"([^\"]+)\"", response.get_data(as_text=True))
        assert tags == [nonce_of(response)]
        nonces.append(tags[0])
    assert nonces[0] != nonces[1]


def test_an_inline_script_and_style_get_the_answers_nonce(make_app):
    app = make_app()

    @app.get("/__nonce-test")
    def nonce_test():
        return render_template_string(
            '<style nonce="{{ csp_nonce() }}">p{}</style>'
            '<script nonce="{{ csp_nonce() }}">1</script>')

    client = app.test_client()
    seen = set()
    for _ in range(3):
        response = client.get("/__nonce-test")
        nonce = nonce_of(response)
        assert re.findall(r'nonce="([^"]+)"', response.get_data(as_text=True)) == [nonce] * 2
        seen.add(nonce)
    assert len(seen) == 3


def test_no_page_has_an_inline_script_style_handler_or_javascript_link():
    """What the policy refuses must not be in the templates at all: an inline script or
    style sheet needs nonce="{{ csp_nonce() }}"; style attributes, on... handlers and
    javascript: links are refused whatever the nonce."""
    from pathlib import Path

    import wishboard

    forbidden = re.compile(r"<script(?![^>]*\b(?:src|nonce)=)|<style(?![^>]*\bnonce=)"
                           r"|\sstyle=|\son[a-z]+=|javascript:", re.IGNORECASE)
    root = Path(wishboard.__file__).parent / "templates"
    offenders = [f"{path.relative_to(root)}:{number}"
                 for path in sorted(root.rglob("*.html"))
                 for number, line in enumerate(path.read_text().splitlines(), start=1)
                 if forbidden.search(line)]
    assert offenders == []


# Cache-Control: no-store --------------------------------------------------------------

def test_no_store_on_every_page_for_someone_logged_in(client, community, make_user, login_as):
    login_as(make_user("volunteer", community))
    for url in ("/auth/account", "/inbox", "/claims/mine", f"/communities/{community.id}", "/"):
        page = client.get(url)
        assert page.status_code in (200, 302), url
        assert page.headers["Cache-Control"] == "no-store", url
        assert_page_policy(page)


def test_no_store_on_personal_api_answers_and_not_on_the_public_board(client, community,
                                                                      make_user):
    volunteer = make_user("volunteer", community)
    anonymous_token = client.post("/api/v1/auth/token", json={
        "username": volunteer.username, "password": "correct-horse-9"})
    assert anonymous_token.headers["Cache-Control"] == "no-store"  # the token is in it
    headers = _token(client, volunteer)
    me = client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200 and me.headers["Cache-Control"] == "no-store"
    assert_resource_policy(me)
    # The same public list: cacheable for everyone, never for someone signed in.
    assert client.get("/api/v1/wishes").headers["Cache-Control"] == "no-cache"
    assert client.get("/api/v1/wishes", headers=headers).headers["Cache-Control"] == "no-store"
    # An anonymous read outside the public lists (a person's card) is not stored either.
    card = client.get(f"/api/v1/volunteers/{volunteer.id}")
    assert card.status_code == 200 and card.headers["Cache-Control"] == "no-store"


def test_the_public_api_endpoints_exist_and_need_no_log_in(app):
    for endpoint in security.PUBLIC_API_ENDPOINTS:
        view = app.view_functions[endpoint]
        assert not getattr(view, "requires_login", False), endpoint
        rules = [r for r in app.url_map.iter_rules() if r.endpoint == endpoint]
        assert rules and all(r.methods <= {"GET", "HEAD", "OPTIONS"} for r in rules), endpoint


# Trusted hosts and the absolute links of the QR code ---------------------------------------

def test_a_request_for_an_untrusted_host_is_refused(make_app, app, community):
    client = make_app(TRUSTED_HOSTS=[TRUSTED]).test_client()
    assert client.get(f"/communities/{community.id}",
                      base_url=f"http://{TRUSTED}").status_code == 200
    assert client.get("/api/v1/categories", base_url=f"https://{TRUSTED}:8443"
                      ).status_code == 200

    answer = client.get("/api/v1/categories", base_url="http://evil.example")
    assert answer.status_code == 400 and error_of(answer)["code"] == "bad_request"
    assert_resource_policy(answer)
    english = client.get("/api/v1/categories", base_url="http://evil.example",
                         headers={"Accept-Language": "en"})
    assert error_of(english)["message"] == "Bad request"

    page = client.get(f"/communities/{community.id}", base_url="http://evil.example",
                      headers={"Accept": "text/html"})
    assert page.status_code == 400 and page.mimetype == "text/html"
    assert "请求有误" in page.get_data(as_text=True)
    assert "evil.example" not in page.get_data(as_text=True)
    assert_page_policy(page)
    posted = client.post("/auth/login", base_url="http://evil.example",
                         data={"username": "x", "password": "y"})
    assert posted.status_code == 400
    static = client.get("/static/css/site.css", base_url="http://evil.example")
    assert static.status_code == 400


def test_the_check_in_links_name_the_trusted_host(make_app, app, community, make_user,
                                                  monkeypatch):
    organizer = make_user("secretary", community, name="张丽华")
    activity = _activity(organizer)
    client = make_app(TRUSTED_HOSTS=[TRUSTED]).test_client()
    base = f"http://{TRUSTED}"
    headers = _token(client, organizer, base_url=base)

    code = client.get(f"/api/v1/activities/{activity.id}/checkin-code", headers=headers,
                      base_url=base).get_json()
    assert code["qr_url"].startswith(f"{base}/activities/{activity.id}/checkin?code=")
    assert code["qr_svg_url"] == f"{base}/activities/{activity.id}/qr.svg"

    import segno

    encoded = []
    real_make = segno.make
    monkeypatch.setattr(segno, "make", lambda target, **kw: encoded.append(target)
                        or real_make(target, **kw))
    qr = client.get(f"/activities/{activity.id}/qr.svg", headers=headers, base_url=base)
    assert qr.status_code == 200 and qr.headers["Cache-Control"] == "no-store"
    assert encoded == [code["qr_url"]]

    for url in (f"/api/v1/activities/{activity.id}/checkin-code",
                f"/activities/{activity.id}/qr.svg"):
        refused = client.get(url, headers=headers, base_url="http://evil.example")
        assert refused.status_code == 400
    assert len(encoded) == 1


@pytest.mark.parametrize("request_base", ["http://10.0.0.5", "https://10.0.0.5"])
def test_the_check_in_links_use_server_name_and_the_preferred_scheme(
        make_app, app, community, make_user, request_base):
    organizer = make_user("secretary", community, name="张丽华")
    activity = _activity(organizer)
    client = make_app(TRUSTED_HOSTS=[TRUSTED, "10.0.0.5"], SERVER_NAME=TRUSTED,
                      PREFERRED_URL_SCHEME="https").test_client()
    headers = _token(client, organizer, base_url=request_base)
    code = client.get(f"/api/v1/activities/{activity.id}/checkin-code", headers=headers,
                      base_url=request_base).get_json()
    assert code["qr_url"].startswith(f"https://{TRUSTED}/activities/{activity.id}/checkin?")


def test_static_files_are_linked_by_their_content_hash_and_kept_for_a_year(client, community):
    page = client.get(f"/communities/{community.id}").get_data(as_text=True)
    link = re.search(r'href="(/static/css/site\.css\?v=([0-9a-f]{12}))"', page)
    assert link, "the style sheet is linked with its fingerprint"
    styles = client.get(link.group(1))
    assert styles.status_code == 200
    assert styles.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    # An address without the current fingerprint is served, but not kept for long.
    stale = client.get("/static/css/site.css?v=000000000000")
    assert stale.status_code == 200 and "immutable" not in stale.headers.get("Cache-Control", "")
