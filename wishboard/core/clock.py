"""Time, from one place. The database holds UTC (``utcnow``); days, periods and the words
people read are in the community's local time, the ``DISPLAY_TIMEZONE`` setting
(Asia/Shanghai), which only ``local_zone`` reads."""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_ZONE = "Asia/Shanghai"
WEEKDAYS = "一二三四五六日"


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def local_zone() -> ZoneInfo:
    name = current_app.config["DISPLAY_TIMEZONE"] if has_app_context() else DEFAULT_ZONE
    return ZoneInfo(name)


def local(moment: datetime) -> datetime:
    """``moment`` in local time; a stored moment at the very end of the calendar (which the
    forms no longer accept) stays in UTC rather than failing the page that shows it."""
    try:
        return moment.astimezone(local_zone())
    except OverflowError:
        return moment


def local_day(moment: datetime) -> date:
    """The calendar day a moment falls on where the community lives."""
    return local(moment).date()


def day_start(day: date) -> datetime:
    """Local midnight at the start of ``day``, as an aware datetime."""
    return datetime.combine(day, time(0), tzinfo=local_zone())


def date_words(moment: datetime) -> str:
    """2026年12月1日"""
    day = local(moment)
    return f"{day.year}年{day.month}月{day.day}日"


def datetime_words(moment: datetime | None) -> str:
    """11月22日 周日 下午3点: how UI.md asks a moment to be written (the year only when it
    is not this year)."""
    if moment is None:
        return ""
    at = local(moment)
    hour = at.hour
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
    minute = f"{at.minute}分" if at.minute else ""
    year = f"{at.year}年" if at.year != datetime.now(at.tzinfo).year else ""
    return f"{year}{at.month}月{at.day}日 周{WEEKDAYS[at.weekday()]} {part}{h}点{minute}"
