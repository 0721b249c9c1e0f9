"""Configuration classes, chosen by ``WISHBOARD_CONFIG`` (development, production, testing).

Every value that differs between machines comes from the environment:

- ``DATABASE_URL``: SQLAlchemy URL; without it, an SQLite file in the instance folder.
- ``SECRET_KEY``: signs sessions and CSRF tokens; production refuses to start without it.
- ``RATELIMIT_STORAGE_URI``: where failed log-in counts live (``redis://127.0.0.1:6379/0``
  when several gunicorn workers run; the default ``memory://`` counts per process, so the
  production configuration, or ``WEB_CONCURRENCY`` above 1, refuses to start with it unless
  ``RATELIMIT_ALLOW_MEMORY=1``).
- ``CACHE_REDIS_URL``: the Redis that keeps anonymous pages (default: ``RATELIMIT_STORAGE_URI``
  when that is Redis); ``PAGE_CACHE_SECONDS`` how long at most (0: off).
- ``PROXY_FIX_X_FOR``: how many proxies in front of the app set ``X-Forwarded-For``.
- ``TRUSTED_HOSTS``: comma-separated host names the site answers to (production: required for
  absolute links such as the check-in QR code).
"""

from __future__ import annotations

import os


def normalize_database_url(url: str | None) -> str | None:
    """Map the URLs hosting platforms hand out onto the psycopg 3 driver we ship."""
    if not url:
        return None
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class Config:
    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = normalize_database_url(os.environ.get("DATABASE_URL"))
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SQLITE_BUSY_TIMEOUT_MS = 15000

    # Sessions: HttpOnly and SameSite always; Secure wherever the site is served over HTTPS.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # A slow reader must never lose a form to an expired CSRF token: it lives as long as
    # the session.
    WTF_CSRF_TIME_LIMIT = None

    API_TOKEN_TTL_HOURS = int(os.environ.get("API_TOKEN_TTL_HOURS", 24 * 30))

    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # memory:// counts per process: several workers would each allow the full number. Set to 1
    # to run production (or WEB_CONCURRENCY > 1) on it anyway, knowingly.
    RATELIMIT_ALLOW_MEMORY = os.environ.get("RATELIMIT_ALLOW_MEMORY", "0").lower() in (
        "1", "true", "yes")
    # Only failed log-ins count, and a count is forgotten this long after its first failure.
    # Per account *from one address*: protects one person's password without letting someone
    # elsewhere lock its owner out. Per address: a whole community centre may sit behind one
    # address, so this is generous.
    LOGIN_FAILURES_PER_ACCOUNT = os.environ.get("LOGIN_FAILURES_PER_ACCOUNT", "5 per 15 minutes")
    LOGIN_FAILURES_PER_ADDRESS = os.environ.get("LOGIN_FAILURES_PER_ADDRESS", "60 per 15 minutes")
    # Past those free failures each try waits (429, Retry-After): this long after the last
    # failure, doubling with every further failure, never more than the maximum.
    LOGIN_DELAY_SECONDS = int(os.environ.get("LOGIN_DELAY_SECONDS", 30))
    LOGIN_DELAY_MAX_SECONDS = int(os.environ.get("LOGIN_DELAY_MAX_SECONDS", 15 * 60))
    # Accounts made from one address (a sign-up drive in the community office still fits).
    REGISTRATIONS_PER_ADDRESS = os.environ.get("REGISTRATIONS_PER_ADDRESS", "30 per hour")

    # argon2id, argon2-cffi's defaults (they meet OWASP's minimum).
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    ARGON2_PARALLELISM = 4

    PROXY_FIX_X_FOR = int(os.environ.get("PROXY_FIX_X_FOR", 0))

    # Requests: a body larger than this is refused with 413 before it is read.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 1024 * 1024))
    # Host names the site answers to; None accepts any (development, tests).
    TRUSTED_HOSTS = [h.strip() for h in os.environ.get("TRUSTED_HOSTS", "").split(",")
                     if h.strip()] or None
    # The host and scheme absolute links (the check-in QR code) are built with.
    SERVER_NAME = os.environ.get("SERVER_NAME") or None
    # The site's public address (https://wishboard.example.cn): what share codes, posters
    # and WeChat link cards point at, whatever Host a request came with. Unset: the
    # request's own host (then set TRUSTED_HOSTS, so that host is one of yours).
    PUBLIC_URL = (os.environ.get("PUBLIC_URL") or "").rstrip("/") or None
    PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "http")
    # 记住我: how long a remembered log-in lasts.
    REMEMBER_COOKIE_DURATION_DAYS = int(os.environ.get("REMEMBER_COOKIE_DURATION_DAYS", 14))
    # Send Strict-Transport-Security (production, behind HTTPS).
    HSTS = False
    # Anonymous reads of the public pages are kept this long at most (wishboard/pagecache.py);
    # every write they show ends them sooner. 0 turns the cache off.
    PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", 60))
    # Where: Redis shared by every worker and host. Unset: RATELIMIT_STORAGE_URI when that is
    # Redis, else an in-process cache for a single process (several workers cache nothing).
    CACHE_REDIS_URL = os.environ.get("CACHE_REDIS_URL") or None
    # A filtered list (the board by category, grid, kind or words) counts its matches up to
    # here and then says "1000+": a count over a district's wishes is never made per request.
    LIST_COUNT_CAP = int(os.environ.get("LIST_COUNT_CAP", 1000))
    DISPLAY_TIMEZONE = "Asia/Shanghai"
    SCHEDULER_TIMEZONE = "UTC"
    # The hour (0-23, DISPLAY_TIMEZONE) the daily digest of followed wishes goes out, to
    # the volunteers who chose it (每天汇总一次).
    DIGEST_HOUR = int(os.environ.get("DIGEST_HOUR", 18))
    # Messages to outside channels (a community's webhook, the bridge to a WeChat service
    # account or an SMS gateway): sent by the scheduler's delivery job, retried after this
    # many seconds doubling each time, given up after this many tries.
    WEBHOOK_RETRY_SECONDS = int(os.environ.get("WEBHOOK_RETRY_SECONDS", 60))
    WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("WEBHOOK_MAX_ATTEMPTS", 8))
    WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", 10))
    # Webhooks may only reach public addresses; 1 allows private and loopback ones too (a
    # bridge on the same host or network).
    WEBHOOK_ALLOW_PRIVATE = os.environ.get("WEBHOOK_ALLOW_PRIVATE", "0").lower() in (
        "1", "true", "yes")
    # Past one machine: the Redis whose Dramatiq queue carries deliveries to workers
    # (``dramatiq wishboard.notifications.worker``); unset, the scheduler sends by itself.
    DELIVERY_BROKER_URL = os.environ.get("DELIVERY_BROKER_URL") or None
    # How long a delivery handed to the queue waits for its worker before it is due again.
    QUEUE_LEASE_SECONDS = int(os.environ.get("QUEUE_LEASE_SECONDS", 300))
    # How long a code on a volunteer's service card (服务标识) counts; the card shows a new
    # one every minute, so a photo of it is soon worthless.
    SERVICE_ID_SECONDS = int(os.environ.get("SERVICE_ID_SECONDS", 300))


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    DEBUG = False  # the dev server runs without the reloader so the scheduler starts once


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "1") != "0"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REQUIRE_SECRET_KEY = True
    HSTS = SESSION_COOKIE_SECURE
    PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "https")


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret-key"
    SQLALCHEMY_DATABASE_URI = normalize_database_url(
        os.environ.get("WISHBOARD_TEST_DATABASE_URL")
    ) or "sqlite://"
    WTF_CSRF_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    # Cheap hashes keep the suite fast; production parameters are the class defaults above.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    ARGON2_PARALLELISM = 1


CONFIGS = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "testing": TestingConfig,
}


def config_from_env() -> type[Config]:
    name = os.environ.get("WISHBOARD_CONFIG") or os.environ.get("FLASK_ENV") or "development"
    try:
        return CONFIGS[name.lower()]
    except KeyError:
        raise RuntimeError(
            f"WISHBOARD_CONFIG={name!r} is not one of {', '.join(sorted(CONFIGS))}"
        ) from None
