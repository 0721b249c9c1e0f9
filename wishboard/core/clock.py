"""Time, from one place. The database holds UTC (``utcnow``); days, periods and the words
people read are in the community's local time, the ``DISPLAY_TIMEZONE`` setting
(Asia/Shanghai), which only ``local_zone`` reads."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
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


def _local_now(now: datetime | None) -> datetime:
    return local(now or utcnow())


def _clock_parts(at: datetime) -> tuple[str, str]:
    """(part of the day, the hour and minutes): ("下午", "3点24分")."""
    hour, minute = at.hour, at.minute
    if hour == 0:
        part, h = "", "零"
    elif hour < 6:
        part, h = "凌晨", hour
    elif hour < 12:
        part, h = "上午", hour
    elif hour < 13:
        part, h = "中午", 12
    elif hour < 18:
        part, h = "下午", hour - 12
    else:
        part, h = "晚上", hour - 12
    minutes = "" if not minute else "半" if minute == 30 else f"{minute}分"
    return part, f"{h}点{minutes}"


def clock_words(at: datetime) -> str:
    """The time of day as people say it, for a moment already in local time.

    - 1-5 o'clock is 凌晨 (凌晨5点), 6-11 上午, 12 o'clock 中午 (中午12点, 中午12点半),
      13-17 下午 (下午3点24分), 18-23 晚上 (晚上8点).
    - The midnight hour is 零点 (零点, 零点15分), never 凌晨0点 or 夜里12点: written after a
      date, 夜里12点 reads as the end of that day when it is really the start of it, while
      零点 after a date is how notices write "from the very start of that day".
    - Half past is 半 (下午3点半); other minutes are written as numbers (下午3点5分).
    """
    return "".join(_clock_parts(at))


def day_words(moment: datetime | None, *, now: datetime | None = None) -> str:
    """The local day, 11月30日（周一）, with 2025年 in front only when that is not the
    current local year."""
    if moment is None:
        return ""
    at = local(moment)
    year = f"{at.year}年" if at.year != _local_now(now).year else ""
    return f"{year}{at.month}月{at.day}日（周{WEEKDAYS[at.weekday()]}）"


def datetime_words(moment: datetime | None, *, now: datetime | None = None) -> str:
    """A moment as UI.md asks: 11月30日（周一）下午3点24分 (see ``clock_words`` for the
    hours; the year only when it is not this year)."""
    if moment is None:
        return ""
    return day_words(moment, now=now) + clock_words(local(moment))


def period_words(start: datetime | None, end: datetime | None, *,
                 now: datetime | None = None) -> str:
    """From one moment to another: 12月8日（周二）上午9点至11点半 when both fall on one local
    day (the part of the day is written again only when it changes), else both in full."""
    if start is None or end is None:
        return datetime_words(start or end, now=now)
    first, last = local(start), local(end)
    if first.date() != last.date():
        return f"{datetime_words(start, now=now)}至{datetime_words(end, now=now)}"
    same_part = _clock_parts(first)[0] == _clock_parts(last)[0] != ""
    closing = _clock_parts(last)[1] if same_part else clock_words(last)
    return f"{datetime_words(start, now=now)}至{closing}"


def is_end_of_day(moment: datetime) -> bool:
    """True for a moment that closes a local day: 23:59 or later (a date typed into a form
    is kept as 23:59:59 local), or local midnight exactly (the end of the day before)."""
    at = local(moment)
    return (at.hour, at.minute) == (23, 59) or (at.hour, at.minute, at.second,
                                                at.microsecond) == (0, 0, 0, 0)


def end_of_day(day: date) -> datetime:
    """23:59:59 local on ``day``: the last moment that still counts as that day, which is
    what a date in a form means as a deadline (``schemas.Deadline``)."""
    return day_start(day + timedelta(days=1)) - timedelta(seconds=1)


def deadline_words(moment: datetime | None, *, now: datetime | None = None) -> str:
    """By when something must happen, with its 前: 11月30日（周一）前 when the deadline is
    the end of that day (what a date means), else 11月30日（周一）下午3点前. A deadline at
    local midnight exactly is the end of the day before, and reads that way."""
    if moment is None:
        return ""
    if is_end_of_day(moment):
        at = local(moment)
        if at.hour == 0:
            moment = at - timedelta(seconds=1)
        return f"{day_words(moment, now=now)}前"
    return f"{datetime_words(moment, now=now)}前"


def ago_words(moment: datetime | None, *, now: datetime | None = None,
              with_time: bool = False) -> str:
    """How long ago something happened, for lists people skim:

    - less than a minute: 刚刚; less than an hour: 3分钟前;
    - earlier the same local day: 2小时前;
    - the local day before: 昨天下午3点; the day before that: 前天上午9点;
    - older: the day, 11月2日（周一）, with the year when it is another year, and with the
      time of day too when ``with_time`` (records such as the audit log).

    A moment in the future (a clock a little ahead) reads as 刚刚 within a minute, else in
    full words."""
    if moment is None:
        return ""
    current = _local_now(now)
    at = local(moment)
    seconds = (current - at).total_seconds()
    if seconds < -60:
        return datetime_words(moment, now=now)
    if seconds < 60:
        return "刚刚"
    if seconds < 3600:
        return f"{int(seconds // 60)}分钟前"
    days = (current.date() - at.date()).days
    if days == 0:
        return f"{int(seconds // 3600)}小时前"
    if days in (1, 2):
        return ("昨天" if days == 1 else "前天") + clock_words(at)
    return datetime_words(moment, now=now) if with_time else day_words(moment, now=now)


def hours_words(value) -> str:
    """A number of hours as written beside 小时: 3, 2.5, 0.25 (never 3.0 or 0.0)."""
    if value is None:
        return "0"
    return f"{float(value):g}"


def month_words(month: date) -> str:
    """The local month that begins on ``month``: 2026年11月."""
    return f"{month.year}年{month.month}月"


def duration_words(seconds: float | None) -> str:
    """How long something took, as people say it: 40分钟, 5小时, 5.5小时, 2天, 2.5天 (hours
    up to two days, then days; one decimal at most). None is 暂无 (nothing to measure)."""
    if seconds is None:
        return "暂无"
    minutes = seconds / 60
    if minutes < 1:
        return "不到1分钟"
    if minutes < 60:
        return f"{int(round(minutes))}分钟"
    hours = minutes / 60
    if hours < 48:
        return f"{round(hours, 1):g}小时"
    return f"{round(hours / 24, 1):g}天"
