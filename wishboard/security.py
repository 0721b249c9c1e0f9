"""The headers every answer carries, and the host check behind absolute links.

Content-Security-Policy
    An HTML page gets ``PAGE_POLICY``: scripts, styles, images, fonts and requests from this
    site only; an inline ``<script>`` or ``<style>`` runs only with this answer's nonce
    (``csp_nonce()`` in a template); no inline ``style="..."``, no ``on...=`` handlers, no
    ``javascript:`` links, no plugins, no ``<base>``, forms post only here, and no other site
    may frame the page. Every other answer (JSON, the OpenAPI document, CSV, images, CSS) gets
    ``RESOURCE_POLICY``, which lets nothing load: they are data, never documents.
Always
    ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: strict-origin-when-cross-origin``,
    ``X-Frame-Options: DENY`` (older WeChat webviews ignore ``frame-ancestors``), and
    ``Strict-Transport-Security`` when ``HSTS`` is configured.
``Cache-Control: no-store``
    On every answer to someone signed in (a session, a remember-me cookie or an
    ``Authorization`` header: pages, API answers, downloads, the QR code), and on every
    ``/api/`` answer except an anonymous read of the public board and lists
    (``PUBLIC_API_ENDPOINTS``). Static files are never marked: they carry no personal data.
Hosts
    ``TRUSTED_HOSTS`` (a list, or None to accept any) is enforced by Flask itself (3.1+): a
    request for another host is refused here, before anything else looks at it, with 400 in
    the usual error shape. Absolute links (``url_for(..., _external=True)``, such as the
    check-in QR code) therefore only ever name a trusted host, or ``SERVER_NAME`` when it is
    configured; ``PREFERRED_URL_SCHEME = "https"`` makes them https even behind a proxy that
    does not say so.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from flask import Flask, current_app, g, render_template, request, session
from flask.globals import request_ctx
from werkzeug.exceptions import SecurityError

PAGE_POLICY = (
    "default-src 'self'; "
    "script-src 'self' 'nonce-{nonce}'; "
    "style-src 'self' 'nonce-{nonce}'; "
    "img-src 'self'; "
    "object-src 'none'; "
    "base-uri 'none'; "
    "form-action 'self'; "
    "frame-ancestors 'none'"
)
RESOURCE_POLICY = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
HSTS_VALUE = "max-age=31536000"

# Anonymous GETs of these carry only what the public board shows; they may be cached.
PUBLIC_API_ENDPOINTS = frozenset({
    "api.list_wishes", "api.get_wish", "api.list_activities", "api.get_activity",
    "api.list_communities",
    "api.get_community", "api.list_organizations", "api.get_organization",
    "api.list_categories", "api.leaderboard",
    "api.get_points_rules", "api.openapi",
    "api.community_stats",
})


# Set when a template put this answer's nonce into the page (a page that must not be
# kept for others: wishboard.pagecache).
NONCE_IN_BODY = "csp_nonce_in_body"


def csp_nonce() -> str:
    """This answer's nonce, for ``<script nonce="{{ csp_nonce() }}">`` in a template."""
    setattr(g, NONCE_IN_BODY, True)
    return _nonce()


def _nonce() -> str:
    nonce = g.get("csp_nonce")
    if nonce is None:
        nonce = g.csp_nonce = secrets.token_urlsafe(18)
    return nonce


def signed_in() -> bool:
    """Does this request come from someone signed in? Read from the request itself, so it
    needs no database and holds even when the answer is an error."""
    user = g.get("_login_user")
    if user is not None and user.is_authenticated:
        return True
    remember_cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    return ("Authorization" in request.headers or remember_cookie in request.cookies
            or "_user_id" in session)


def must_not_store(response) -> bool:
    if request.endpoint == "static":
        return False
    if signed_in():
        return True
    if request.path.startswith("/api/"):
        return not (request.method in ("GET", "HEAD")
                    and request.endpoint in PUBLIC_API_ENDPOINTS)
    return False


def _start_request():
    """Runs before every other hook: refuse an untrusted host, then prepare the answer."""
    if isinstance(request.routing_exception, SecurityError):
        return _untrusted_host()
    # ``g`` lives as long as the app context, and a context shared by several requests
    # (tests, scripts) would carry one request's nonce, or its user (Flask-Login keeps it
    # on ``g``) and their unread count, into the next: each request starts without them.
    for carried in ("csp_nonce", NONCE_IN_BODY, "_login_user", "unread_notifications"):
        g.pop(carried, None)
    # Absolute links name SERVER_NAME when it is set (Flask does that); an https site says
    # so with PREFERRED_URL_SCHEME, and its links never fall back to http.
    adapter = request_ctx.url_adapter
    if adapter is not None and current_app.config.get("PREFERRED_URL_SCHEME") == "https":
        adapter.url_scheme = "https"
    return None


def _untrusted_host():
    """400 in the usual error shape. The HTML page is self-contained: on a host we do not
    answer to, links and styles would be refused too."""
    from wishboard.errors import HTTP_MESSAGES, client_language, error_response, wants_json

    code, zh, en = HTTP_MESSAGES[400]
    message = en if client_language() == "en" else zh
    if wants_json():
        return error_response(400, code, message)
    return render_template("errors/untrusted_host.html", code=code, message=message), 400


ALWAYS = [("X-Content-Type-Options", "nosniff"),
          ("Referrer-Policy", "strict-origin-when-cross-origin"), ("X-Frame-Options", "DENY")]


def standard_headers(app: Flask, mimetype: str, nonce: str,
                     present: Iterable[str] = ()) -> list[tuple[str, str]]:
    """The headers every answer of ``mimetype`` carries (an HTML page's policy names its
    ``nonce``), but those the answer carries already: ``present`` names its headers. A
    header the view set itself stays, and an answer kept by the page cache, which kept
    these with it, does not get them twice when it is served again."""
    policy = PAGE_POLICY.format(nonce=nonce) if mimetype == "text/html" else RESOURCE_POLICY
    wanted = [("Content-Security-Policy", policy), *ALWAYS]
    if app.config.get("HSTS"):
        wanted.append(("Strict-Transport-Security", HSTS_VALUE))
    # One pass, not one scan of the headers per name.
    present = {name.lower() for name in present}
    return [(name, value) for name, value in wanted if name.lower() not in present]


def _secure_headers(response):
    headers = response.headers
    wanted = standard_headers(current_app, response.mimetype,
                              _nonce() if response.mimetype == "text/html" else "",
                              headers.keys())
    g.pop("csp_nonce", None)
    headers.extend(wanted)
    if must_not_store(response):
        headers["Cache-Control"] = "no-store"
    elif request.path.startswith("/api/"):
        response.vary.update(("Cookie", "Authorization"))
    return response


def register_security(app: Flask) -> None:
    # First in line, so that no other hook reads the host of a refused request.
    app.before_request_funcs.setdefault(None, []).insert(0, _start_request)
    app.after_request(_secure_headers)
