"""What every template can use: local times in plain Chinese, masking, the 长辈版 switch."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app, request

from wishboard import privacy
from wishboard.models.wishes import ACTION_LABELS

WEEKDAYS = "一二三四五六日"
LARGE_MODE_COOKIE = "large_mode"


def local_datetime(value: datetime | None) -> str:
    """11月22日 周日 下午3点 (Asia/Shanghai), the way UI.md asks dates to be written."""
    if value is None:
        return ""
    local = value.astimezone(ZoneInfo(current_app.config["DISPLAY_TIMEZONE"]))
    hour = local.hour
    if hour < 6:
        part, h = "凌晨", hour
    elif hour < 12:
        part, h = "上午", hour
    elif hour < 13:
        part, h = "中午", 12
    elif hour < 18:
        part, h = "下午", hour - 12
    else:
        part, h = "晚上", hour - 12
    minute = f"{local.minute}分" if local.minute else ""
    year = f"{local.year}年" if local.year != datetime.now(local.tzinfo).year else ""
    return f"{year}{local.month}月{local.day}日 周{WEEKDAYS[local.weekday()]} {part}{h}点{minute}"


def large_mode() -> bool:
    return request.cookies.get(LARGE_MODE_COOKIE) == "1"


def unread_notifications() -> int:
    """The header's unread count: one cheap query, only for people who are logged in."""
    from flask_login import current_user

    from wishboard.services.notifications import unread_count

    return unread_count(current_user) if current_user.is_authenticated else 0


def stars(value: float | int | None) -> str:
    """★★★★☆ for 4 (rounded), for the eye; the number is always written beside it."""
    if not value:
        return ""
    full = int(round(value))
    return "★" * full + "☆" * (5 - full)


def init_app(app: Flask) -> None:
    app.add_template_global(unread_notifications, "unread_notifications")
    app.add_template_filter(stars, "stars")
    app.add_template_filter(lambda action: ACTION_LABELS.get(action, action), "action_label")
    app.add_template_filter(local_datetime, "localtime")
    app.add_template_filter(privacy.mask_phone, "mask_phone")
    app.add_template_filter(privacy.mask_name, "mask_name")
    app.add_template_global(privacy.shown_person, "shown_person")
    app.add_template_global(privacy.shown_rater, "shown_rater")
    app.add_template_global(privacy.shown_note, "shown_note")
    app.add_template_global(large_mode, "large_mode")
