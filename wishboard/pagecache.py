"""Anonymous reads of the public pages, answered from a shared cache.

What is cached
    A GET (or HEAD) of an endpoint in ``CACHED_ENDPOINTS`` by someone with no session at all:
    no log-in, no remember-me cookie, no ``Authorization`` header, nothing in the session
    cookie (not even a message waiting to be shown). Such a request sees exactly what every
    other visitor sees. Anyone else is answered afresh, and never from or into the cache.
What is stored
    Only a 200 whose rendering left the session untouched (no CSRF token, no message), set
    no cookie and put no CSP nonce in the page: an answer that carries nothing of the
    person who asked.
    The pages themselves show only what the public may see (``wishboard.privacy``).
Keys
    Scheme, host and script root, path with its query string, and the 长辈版 switch (the
    only cookie a visitor's page depends on). Every query string is its own entry: give
    the cache a Redis of its own with a memory limit (README), so a flood of made-up
    addresses only pushes out other pages.
Invalidation
    Every committed transaction that wrote to a table the public pages show moves the
    cache's generation (a random token in the cache itself, shared by every worker and the
    scheduler through Redis); an entry of an older generation is never served. So a new
    wish is on the board, and a claim on the wish page, at the next request. Entries also
    expire after ``PAGE_CACHE_SECONDS``, for the words that depend on the clock ("还剩2天").
Repeat visits
    Each answer carries an ``ETag`` and ``Last-Modified``, with ``Cache-Control: no-cache``
    and ``Vary: Cookie``: the browser asks again each time and gets a 304 while nothing
    changed.
How
    The app marks an anonymous read of a cached endpoint (``note_anonymous_read``) and keeps
    the answer as the last step before it leaves (``store_in_cache``), with every header but
    those of that one answer. ``FrontCache``, a WSGI layer in front of the app, answers the
    next such read without building a Flask request: the kept headers, a fresh CSP nonce
    and request id. Whatever it is unsure of (a cookie, a header, an unknown path, an
    untrusted host, a cache error) it passes to the app.
Where
    Redis (``CACHE_REDIS_URL``, else ``RATELIMIT_STORAGE_URI`` when it is Redis), shared by
    every process and host. Without Redis, an in-process cache, only for a single process
    (``make run``, tests); several workers without Redis cache nothing, since one worker
    could not tell the others that a page changed. When the cache fails, pages are
    rendered afresh: the cache is never the reason an answer fails.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
from email.utils import format_datetime

import sqlalchemy as sa
from flask import Flask, Response, current_app, g, has_app_context, request, session
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Request

from wishboard.core.clock import utcnow
from wishboard.errors import request_id_from
from wishboard.extensions import cache
from wishboard.security import NONCE_IN_BODY, signed_in, standard_headers
from wishboard.templating import LARGE_MODE_COOKIE

log = logging.getLogger(__name__)

CACHED_ENDPOINTS = frozenset({
    "web.index", "web.community", "web.wish_detail", "web.honor_board", "web.activity_list",
    "web.activity_detail", "web.place_contacts",
    "api.list_wishes", "api.get_wish", "api.leaderboard", "api.list_activities",
    "api.get_activity", "api.list_communities", "api.list_categories",
    "api.list_place_contacts",
    # 述评公开: a community's public figures (``wishboard.stats``).
    "web.community_stats", "api.community_stats",
    # Not kept: the 年度评选 pages and certificate verification (the 公示 turns at the end
    # of its period, a moment no write marks; a withdrawn honour must say so at once). The
    # honour board links a community's selections by their state alone, which a write to
    # ``selections`` changes (not a private table), so the board stays true.
})

# Tables no public page shows: a write to them alone leaves every cached page as it was.
PRIVATE_TABLES = frozenset({
    "audit_log", "notifications", "api_tokens", "job_locks", "reminders", "needs",
    "invitations",
    "resident_homes", "digest_items", "membership_requests", "service_cards",
})

GENERATION_KEY = "pages:generation"


def _generation() -> str:
    return cache.get(GENERATION_KEY) or _new_generation()


def _new_generation() -> str:
    token = secrets.token_hex(8)
    cache.set(GENERATION_KEY, token, timeout=0)
    return token


def _key(req) -> str:
    large = req.cookies.get(LARGE_MODE_COOKIE) == "1"
    # script_root too: the links on a page are made under it.
    return f"pages:{req.scheme}://{req.host}{req.script_root}:{int(large)}:{req.full_path}"


def _anonymous() -> bool:
    return (request.endpoint in CACHED_ENDPOINTS and request.method in ("GET", "HEAD")
            and not session and not signed_in())


# Headers that belong to one answer, never kept: each hit gets its own.
PER_ANSWER = frozenset({"content-security-policy", "x-request-id", "x-cache", "content-length",
                        "set-cookie"})


def _validators(etag: str, modified: str) -> list[tuple[str, str]]:
    """What lets a browser ask again cheaply, and keeps a shared cache from reusing the
    answer for someone with cookies."""
    return [("ETag", f'"{etag}"'), ("Last-Modified", modified), ("Cache-Control", "no-cache")]


def note_anonymous_read():
    """Before the view: mark a read the cache may keep (the front answered it if it could),
    with the generation as it is *before* the view reads anything: a write that commits
    while the page renders moves the generation past it, so the page is never kept as
    current."""
    if current_app.config["PAGE_CACHE_SECONDS"] and _anonymous():
        try:
            g.page_generation = _generation()
        except Exception:
            log.warning("page cache unreachable; page not kept", exc_info=True)
            return
        g.page_cache = "miss"


def store_in_cache(response: Response) -> Response:
    """The last thing before the answer leaves: keep an anonymous 200 that carries nothing of
    the person who asked, with every header it carries but those of this one answer."""
    if g.pop("page_cache", None) != "miss":
        return response
    response.headers["X-Cache"] = "miss"
    if (response.status_code != 200 or response.direct_passthrough or session.modified
            or session or g.get(NONCE_IN_BODY) or "Set-Cookie" in response.headers
            or response.mimetype not in ("text/html", "application/json")):
        return response
    body = response.get_data()
    response.headers.update(_validators(
        hashlib.sha256(body).hexdigest()[:32],
        format_datetime(utcnow().replace(microsecond=0), usegmt=True)))
    response.vary.add("Cookie")
    kept = [(k, v) for k, v in response.headers.items() if k.lower() not in PER_ANSWER]
    try:
        cache.set(_key(request), (g.page_generation, response.mimetype, kept, body),
                  timeout=current_app.config["PAGE_CACHE_SECONDS"])
    except Exception:
        log.warning("page cache unreachable; page not kept", exc_info=True)
    if "If-None-Match" in request.headers or "If-Modified-Since" in request.headers:
        return response.make_conditional(request)
    return response


class FrontCache:
    """In front of the app (inside ProxyFix): answers a cached anonymous read before Flask
    builds a request, runs its hooks or opens a session. Anything it is unsure of goes to
    the app, which applies the same rules and renders afresh."""

    def __init__(self, app: Flask, wsgi_app):
        self.app, self.wsgi_app = app, wsgi_app
        self.session_cookie = app.config.get("SESSION_COOKIE_NAME", "session")
        self.remember_cookie = app.config.get("REMEMBER_COOKIE_NAME", "remember_token")

    def __call__(self, environ, start_response):
        try:
            hit = self._hit(environ)
        except Exception:  # never the reason an answer fails: the app answers instead
            log.warning("page cache unreachable; rendering afresh", exc_info=True)
            hit = None
        if hit is None:
            return self.wsgi_app(environ, start_response)
        return hit(environ, start_response)

    def _hit(self, environ) -> Response | None:
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD") \
                or "HTTP_AUTHORIZATION" in environ:
            return None
        req = Request(environ)
        cookies = req.cookies
        if self.session_cookie in cookies or self.remember_cookie in cookies:
            return None
        app = self.app
        req.trusted_hosts = app.config.get("TRUSTED_HOSTS")
        try:
            endpoint, _ = app.url_map.bind_to_environ(
                environ, server_name=app.config.get("SERVER_NAME"),
                subdomain=app.url_map.default_subdomain or "").match()
            key = _key(req)  # reads the host: an untrusted one raises
        except HTTPException:  # no such page, another method, an untrusted host
            return None
        if endpoint not in CACHED_ENDPOINTS:
            return None
        backend = app.extensions["cache"][cache]
        entry, generation = backend.get_many(key, GENERATION_KEY)
        if not entry or entry[0] != generation:
            return None
        _, mimetype, kept, body = entry
        # The kept headers include nosniff, X-Frame-Options and the rest of what every answer
        # carries: only what they lack is added (the policy, never kept: its nonce is new).
        fresh = standard_headers(app, mimetype, secrets.token_urlsafe(18),
                                 (name for name, _ in kept))
        headers = [*kept, *fresh,
                   ("X-Request-ID", request_id_from(environ.get("HTTP_X_REQUEST_ID"))),
                   ("X-Cache", "hit")]
        response = Response(body, headers=headers)
        if "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ:
            response.make_conditional(req)
        return response


def _mark_write(orm_execute_state) -> None:
    """A bulk INSERT/UPDATE/DELETE through the session (the state machine's moves)."""
    if orm_execute_state.is_insert or orm_execute_state.is_update \
            or orm_execute_state.is_delete:
        table = getattr(orm_execute_state.statement, "table", None)
        if getattr(table, "name", None) not in PRIVATE_TABLES:
            orm_execute_state.session.info["pages_changed"] = True


def _mark_flush(session: Session, _context, _instances) -> None:
    """Objects added, changed or deleted through the unit of work."""
    for obj in (*session.new, *session.dirty, *session.deleted):
        if getattr(obj, "__tablename__", None) not in PRIVATE_TABLES:
            session.info["pages_changed"] = True
            return


def _after_commit(session: Session) -> None:
    if session.info.pop("pages_changed", False) and has_app_context():
        try:
            _new_generation()
        except Exception:
            log.warning("page cache unreachable; cached pages expire on their own",
                        exc_info=True)


def _after_rollback(session: Session) -> None:
    session.info.pop("pages_changed", None)


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, without building the signer for a request that
    carries no session cookie (most anonymous reads): the same empty session, sooner."""

    def open_session(self, app, request):
        if self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)


def configure(app: Flask) -> None:
    """Choose the store, and hook the cache into requests and into every commit."""
    redis_url = app.config.get("CACHE_REDIS_URL")
    limits = str(app.config.get("RATELIMIT_STORAGE_URI") or "")
    if not redis_url and limits.startswith(("redis://", "rediss://", "unix://")):
        redis_url = limits
    if redis_url:
        settings = {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": redis_url,
                    "CACHE_KEY_PREFIX": app.config.get("CACHE_KEY_PREFIX") or "wishboard:",
                    "CACHE_OPTIONS": {"socket_timeout": 1, "socket_connect_timeout": 1}}
    elif app.config.get("ENV_NAME") == "production" or _workers() > 1:
        if app.config["PAGE_CACHE_SECONDS"]:
            log.warning("no Redis for the page cache with several workers: pages are not "
                        "cached (set CACHE_REDIS_URL)")
        settings = {"CACHE_TYPE": "NullCache", "CACHE_NO_NULL_WARNING": True}
        app.config["PAGE_CACHE_SECONDS"] = 0
    else:
        settings = {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 2000}
    app.config.update(settings)
    app.config["CACHE_STORE_URL"] = redis_url
    cache.init_app(app)
    app.session_interface = CookieSessions()
    app.before_request(note_anonymous_read)
    # After-request hooks run last-registered first: this one, first in the list, runs
    # last, once every header is on the answer.
    app.after_request_funcs.setdefault(None, []).insert(0, store_in_cache)
    if app.config["PAGE_CACHE_SECONDS"]:
        app.wsgi_app = FrontCache(app, app.wsgi_app)
    _listen_once()


def _workers() -> int:
    try:
        return int(os.environ.get("WEB_CONCURRENCY") or 1)
    except ValueError:
        return 1


_listening = False


def _listen_once() -> None:
    """Session events are global to SQLAlchemy: one listener serves every app."""
    global _listening
    if _listening:
        return
    sa.event.listen(Session, "do_orm_execute", _mark_write)
    sa.event.listen(Session, "before_flush", _mark_flush)
    sa.event.listen(Session, "after_commit", _after_commit)
    sa.event.listen(Session, "after_rollback", _after_rollback)
    _listening = True
