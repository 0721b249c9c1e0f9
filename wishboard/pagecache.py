"""Anonymous reads of the public pages, answered from a shared cache.

What is cached
    A GET (or HEAD) of an endpoint in ``CACHED_ENDPOINTS`` by someone with no session at all:
    no log-in, no remember-me cookie, no ``Authorization`` header, nothing in the session
    cookie (not even a message waiting to be shown). Such a request sees exactly what every
    other visitor sees. Anyone else is answered afresh, and never from or into the cache.
What is stored
    Only a 200 whose rendering left the session untouched (no CSRF token, no message), set
    no cookie and used no CSP nonce: an answer that carries nothing of the person who asked.
    The pages themselves show only what the public may see (``wishboard.privacy``).
Keys
    Host, path with its query string, and the 长辈版 switch (the only cookie a visitor's
    page depends on).
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
from sqlalchemy.orm import Session

from wishboard.core.clock import utcnow
from wishboard.errors import assign_request_id
from wishboard.extensions import cache
from wishboard.security import signed_in
from wishboard.templating import LARGE_MODE_COOKIE

log = logging.getLogger(__name__)

CACHED_ENDPOINTS = frozenset({
    "web.index", "web.community", "web.wish_detail", "web.honor_board", "web.activity_list",
    "web.activity_detail",
    "api.list_wishes", "api.get_wish", "api.leaderboard", "api.list_activities",
    "api.get_activity", "api.list_communities", "api.list_categories",
})

# Tables no public page shows: a write to them alone leaves every cached page as it was.
PRIVATE_TABLES = frozenset({
    "audit_log", "notifications", "api_tokens", "job_locks", "reminders", "needs",
})

GENERATION_KEY = "pages:generation"


def _generation() -> str:
    return cache.get(GENERATION_KEY) or _new_generation()


def _new_generation() -> str:
    token = secrets.token_hex(8)
    cache.set(GENERATION_KEY, token, timeout=0)
    return token


def _key() -> str:
    large = request.cookies.get(LARGE_MODE_COOKIE) == "1"
    return f"pages:{request.host}:{int(large)}:{request.full_path}"


def _anonymous() -> bool:
    return (request.method in ("GET", "HEAD") and not signed_in() and not session
            and request.endpoint in CACHED_ENDPOINTS)


def _conditional(response: Response, etag: str, modified: str) -> Response:
    response.set_etag(etag)
    response.headers["Last-Modified"] = modified
    response.headers["Cache-Control"] = "no-cache"
    response.vary.add("Cookie")
    return response.make_conditional(request)


def serve_from_cache():
    """Before the view: answer an anonymous visitor from the cache when the page is there."""
    if not current_app.config["PAGE_CACHE_SECONDS"] or not _anonymous():
        return None
    try:
        entry, generation = cache.get_many(_key(), GENERATION_KEY)
    except Exception:  # the cache is an optimisation: never the reason an answer fails
        log.warning("page cache unreachable; rendering afresh", exc_info=True)
        return None
    g.page_cache = "miss"
    if not entry or entry[0] != generation:
        return None
    _, etag, modified, mimetype, body = entry
    g.page_cache = "hit"
    return _conditional(Response(body, mimetype=mimetype), etag, modified)


def store_in_cache(response: Response) -> Response:
    """After the view: keep an anonymous 200 that carries nothing of the person who asked."""
    state = g.pop("page_cache", None)
    if state is None:
        return response
    response.headers["X-Cache"] = state
    if state == "hit":
        return response
    if (response.status_code != 200 or response.direct_passthrough or session.modified
            or session or g.get("csp_nonce") is not None or "Set-Cookie" in response.headers
            or response.mimetype not in ("text/html", "application/json")):
        return response
    body = response.get_data()
    etag = hashlib.sha256(body).hexdigest()[:32]
    modified = format_datetime(utcnow().replace(microsecond=0), usegmt=True)
    try:
        cache.set(_key(), (_generation(), etag, modified, response.mimetype, body),
                  timeout=current_app.config["PAGE_CACHE_SECONDS"])
    except Exception:
        log.warning("page cache unreachable; page not kept", exc_info=True)
    return _conditional(response, etag, modified)


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
    # Right after the host check and the request id, before log-in and rate limits: a hit
    # costs no database.
    hooks = app.before_request_funcs.setdefault(None, [])
    hooks.insert(hooks.index(assign_request_id) + 1, serve_from_cache)
    app.after_request(store_in_cache)
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
