"""What every template can use: local times in plain Chinese, masking, the 长辈版 switch."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, current_app, g, request, url_for

from wishboard import access, privacy
from wishboard.core.clock import (
    ago_words, datetime_words, day_words, deadline_words, duration_words, hours_words,
    month_words, period_words,
)
from wishboard.security import csp_nonce
from wishboard.wishes.states import ACTION_LABELS

LARGE_MODE_COOKIE = "large_mode"


def large_mode() -> bool:
    return request.cookies.get(LARGE_MODE_COOKIE) == "1"


def unread_notifications() -> int:
    """The header's unread count, for people who are logged in: read with the person when
    they come from a session (``blueprints.login``), else one cheap query."""
    from flask_login import current_user

    from wishboard.notifications.services import unread_count

    if not current_user.is_authenticated:
        return 0
    counted = g.get("unread_notifications")
    return unread_count(current_user) if counted is None else counted


def public_url(endpoint: str, **values) -> str:
    """The absolute address of a public page, as shared (QR codes, posters, link cards): on
    ``PUBLIC_URL`` when the site has one (never on a Host header someone sent), else on the
    request's own host."""
    base = current_app.config.get("PUBLIC_URL")
    if not base:
        return url_for(endpoint, _external=True, **values)
    origin = urlsplit(base)
    return f"{origin.scheme}://{origin.netloc}{url_for(endpoint, **values)}"


def stars(value: float | int | None) -> str:
    """★★★★☆ for 4 (rounded), for the eye; the number is always written beside it."""
    if not value:
        return ""
    full = int(round(value))
    return "★" * full + "☆" * (5 - full)


@lru_cache(maxsize=256)
def _fingerprint(folder: str, filename: str) -> str | None:
    """The first hex digits of a static file's hash, read once per process."""
    path = Path(folder, filename)
    if ".." in Path(filename).parts or not path.is_file():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def _fingerprint_static(app: Flask):
    """Every link to a static file carries ``?v=`` its content's hash: a new version of a
    file is a new address, so browsers and nginx may keep each address for a year."""

    def add_version(endpoint, values):
        if endpoint == "static" and "filename" in values and "v" not in values:
            version = _fingerprint(app.static_folder, values["filename"])
            if version:
                values["v"] = version

    def keep_for_a_year(response):
        if request.endpoint == "static" and response.status_code == 200 \
                and request.args.get("v") == _fingerprint(app.static_folder,
                                                          request.view_args["filename"]):
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
        return response

    app.url_defaults(add_version)
    app.after_request(keep_for_a_year)


def init_app(app: Flask) -> None:
    _fingerprint_static(app)
    app.add_template_global(unread_notifications, "unread_notifications")
    app.add_template_filter(stars, "stars")
    app.add_template_filter(hours_words, "hours")
    # How long something took (5.5小时, 2天) and a local month (2026年11月): the statistics.
    app.add_template_filter(duration_words, "duration")
    app.add_template_filter(month_words, "month")
    app.add_template_filter(lambda action: ACTION_LABELS.get(action, action), "action_label")
    # Time words (core/clock.py): a moment, a day, a deadline with its 前, a start and end,
    # and 3分钟前 / 昨天下午3点 for past events in lists people skim.
    app.add_template_filter(datetime_words, "localtime")
    app.add_template_filter(day_words, "localdate")
    app.add_template_filter(deadline_words, "deadline")
    app.add_template_filter(period_words, "period")
    app.add_template_filter(ago_words, "ago")
    app.add_template_filter(privacy.mask_phone, "mask_phone")
    app.add_template_filter(privacy.mask_name, "mask_name")
    app.add_template_filter(lambda reason: privacy.SIGHT_REASON_LABELS.get(reason, reason),
                            "sight_reason")
    app.add_template_global(privacy.shown_person, "shown_person")
    app.add_template_global(privacy.shown_actor, "shown_actor")
    app.add_template_global(privacy.shown_rater, "shown_rater")
    app.add_template_global(privacy.shown_note, "shown_note")
    # Who lives in a community (residents, and volunteers whose home it is): they post
    # needs for themselves there (the board's 提需求).
    app.add_template_global(access.is_neighbour, "is_neighbour")
    # A 街道/区 account (汇总账号): its tabs and 我的 lead to the roll-up, not to a board.
    app.add_template_global(access.is_rollup_account, "is_rollup_account")
    app.add_template_global(large_mode, "large_mode")
    app.add_template_global(csp_nonce, "csp_nonce")  # <script nonce="{{ csp_nonce() }}">
    app.add_template_global(public_url, "public_url")
