"""For the load balancer and the process supervisor.

``GET /healthz``: the process answers (no database, no Redis): restart it when this fails.
``GET /readyz``: the database answers, and Redis when the app uses it (the log-in
counters, the page cache); 503 with the reason otherwise: send it no traffic until this passes.
Both answer JSON, are never cached, and need no log-in. The load balancer's check must send
a host name from ``TRUSTED_HOSTS`` when that is set.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify

from wishboard.extensions import db

bp = Blueprint("health", __name__)


@bp.after_request
def _never_cached(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
def healthz():
    return jsonify({"status": "ok"})


def _database() -> str | None:
    """None when the database answers, else why not."""
    try:
        db.session.execute(sa.text("SELECT 1"))
        return None
    except Exception as error:  # whatever the driver raises, the answer is "not ready"
        db.session.rollback()
        return f"database: {type(error).__name__}"


def _redis() -> str | None:
    """None when every Redis the app uses (log-in counters, page cache) answers or none is
    used, else why not."""
    import redis

    uris = {str(current_app.config.get(name) or "")
            for name in ("RATELIMIT_STORAGE_URI", "CACHE_STORE_URL")}
    for uri in sorted(u for u in uris if u.startswith(("redis://", "rediss://", "unix://"))):
        try:
            redis.Redis.from_url(uri, socket_connect_timeout=2, socket_timeout=2).ping()
        except redis.RedisError as error:
            return f"redis: {type(error).__name__}"
    return None


@bp.get("/readyz")
def readyz():
    problems = [p for p in (_database(), _redis()) if p]
    if problems:
        response = jsonify({"status": "not_ready", "reasons": problems})
        response.status_code = 503
        return response
    return jsonify({"status": "ready"})
