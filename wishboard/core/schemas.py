"""What every schema is built from: fields whose error messages are in plain Chinese, the
base schemas, local dates, and how input is loaded for the API and the web forms alike.

marshmallow gathers ``default_error_messages`` along the class hierarchy, so these subclasses
change only the wording. Every schema in the app uses them.

Naming: ``*Schema`` dumps, ``*CreateSchema``/``*Schema`` with verbs load, ``*QuerySchema``
reads query strings.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate

from wishboard.core.clock import local_zone
from wishboard.core.db import parse_cursor
from wishboard.errors import ValidationFailedError

REQUIRED = "必填"
NULL = "不能为空"


def _msgs(**extra: str) -> dict[str, str]:
    return {"required": REQUIRED, "null": NULL, "validator_failed": "填写有误", **extra}


# Text people type may hold line breaks and tabs, nothing else that a screen does not show:
# no NUL, no other control characters, no halves of a surrogate pair, no private-use code
# points, and none of the bidirectional overrides that make a name read backwards.
_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_ALLOWED_CONTROLS = set("\t\n\r")


def clean_text(value: str) -> str | None:
    """``value`` in NFC, or None when it holds a character that is not plain text."""
    for char in value:
        if char in _ALLOWED_CONTROLS:
            continue
        if char in _BIDI_CONTROLS or unicodedata.category(char) in ("Cc", "Cs", "Co"):
            return None
    return unicodedata.normalize("NFC", value)


class Str(fields.String):
    """Text, in NFC, outer spaces dropped unless ``strip=False``. Whatever ``clean_text``
    refuses is refused here, for every schema at once: among it half of a surrogate pair
    (``"\\ud800"`` in JSON), which no UTF-8 can hold, so no code past a schema that encodes,
    hashes or folds text ever meets one."""

    default_error_messages = _msgs(invalid="请填写文字", invalid_utf8="文字编码有误",
                                   unprintable="含有不能显示的字符")

    def __init__(self, *args, strip: bool = True, **kwargs):
        self.strip = strip
        super().__init__(*args, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        value = clean_text(value)
        if value is None:
            raise self.make_error("unprintable")
        return value.strip() if self.strip else value


# What an INTEGER column holds on PostgreSQL (and what SQLite's driver accepts).
INT_MIN, INT_MAX = -(2 ** 31), 2 ** 31 - 1


class Int(fields.Integer):
    """An integer that fits the database: 4.5 is refused (not cut to 4), and so is
    anything beyond a 32-bit column. Digits in a form or a query string are accepted."""

    default_error_messages = _msgs(invalid="请填写整数", too_large="数字太大")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Stated as a validator too, so the OpenAPI document shows the bounds.
        self.validators.insert(0, validate.Range(min=INT_MIN, max=INT_MAX, error="数字太大"))

    def _validated(self, value):
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise self.make_error("invalid")
        number = super()._validated(value)
        if not INT_MIN <= number <= INT_MAX:
            raise self.make_error("too_large")
        return number


class Float(fields.Float):
    default_error_messages = _msgs(invalid="请填写数字", too_large="数字太大", special="请填写数字")

    def _validated(self, value):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        number = super()._validated(value)
        if number is not None and (math.isinf(number) or abs(number) > 1e9):
            raise self.make_error("too_large")
        return number


class Bool(fields.Boolean):
    """true/false in JSON; the words a form sends (on, 1, true / 0, false) from a page."""

    default_error_messages = _msgs(invalid="请填写是或否")
    truthy = {True, "true", "True", "1", "on", "yes"}
    falsy = {False, "false", "False", "0", "off", "no", ""}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, (bool, str)):  # 0 == False in Python, not in JSON
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


# Dates people mean lie in this century; anything else is a typing slip (or a probe).
EARLIEST, LATEST = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc), \
    dt.datetime(2100, 1, 1, tzinfo=dt.timezone.utc)


def in_this_century(moment: dt.datetime) -> bool:
    return EARLIEST <= moment < LATEST


class AwareDateTime(fields.AwareDateTime):
    default_error_messages = _msgs(
        invalid="日期时间格式不对", invalid_awareness="请带上时区", format="日期时间格式不对",
        out_of_range="日期应在2000年到2099年之间")

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            moment = super()._deserialize(value, attr, data, **kwargs)
            utc = moment.astimezone(dt.timezone.utc)
        except OverflowError:
            raise self.make_error("out_of_range") from None
        if not in_this_century(utc):
            raise self.make_error("out_of_range")
        return utc


class Nested(fields.Nested):
    default_error_messages = _msgs(type="格式不对")


class List(fields.List):
    default_error_messages = _msgs(invalid="应为列表")


def length(min: int | None = None, max: int | None = None) -> validate.Length:
    if min and max:
        error = f"长度应在{min}到{max}个字之间"
    elif max:
        error = f"最多{max}个字"
    else:
        error = f"至少{min}个字"
    return validate.Length(min=min, max=max, error=error)


def one_of(choices, labels: str | None = None) -> validate.OneOf:
    return validate.OneOf(list(choices), error=f"只能是：{labels or ', '.join(choices)}")


def in_range(min: float | None = None, max: float | None = None) -> validate.Range:
    return validate.Range(min=min, max=max, error=f"应在{min}到{max}之间")


class BaseSchema(Schema):
    """Input schemas refuse unknown fields, with a Chinese message."""

    class Meta:
        unknown = RAISE

    error_messages = {
        "unknown": "不认识这个字段",
        "type": "提交的内容应为 JSON 对象",
        "required": REQUIRED,
        "null": NULL,
    }


class QuerySchema(BaseSchema):
    """Query strings: unknown parameters are ignored (caches and tracking add their own)."""

    class Meta:
        unknown = EXCLUDE


class PageQuerySchema(QuerySchema):
    page = Int(load_default=1, validate=in_range(1, 100000))
    per_page = Int(load_default=20, validate=in_range(1, 100))


class ViewerSchema(BaseSchema):
    """An output schema whose fields depend on who is looking (``viewer``, a User or None)."""

    def __init__(self, *args, viewer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.viewer = viewer


class Cursor(fields.Field):
    """``after=``: the ``next`` cursor of the page before, read as ``(moment, id)``."""

    default_error_messages = {"invalid": "翻页位置不对，请回到第一页", "null": NULL,
                              "required": REQUIRED}

    def _deserialize(self, value, attr, data, **kwargs):
        parsed = parse_cursor(value) if isinstance(value, str) else None
        if parsed is None:
            raise self.make_error("invalid")
        return parsed


class LocalDate(fields.Date):
    default_error_messages = {"invalid": "日期格式不对，例如 2026-11-22", "required": REQUIRED,
                              "null": NULL, "format": "日期格式不对",
                              "out_of_range": "日期应在2000年到2099年之间"}

    def _deserialize(self, value, attr, data, **kwargs):
        day = super()._deserialize(value, attr, data, **kwargs)
        if not EARLIEST.date() <= day < LATEST.date():
            raise self.make_error("out_of_range")
        return day


class Deadline(fields.Field):
    """A date (``2026-12-01``: the end of that day, local time) or an ISO datetime
    (without an offset it is local time), in 2000-2099. Loads as an aware UTC datetime."""

    default_error_messages = {"invalid": "日期格式不对，例如 2026-12-01", "required": REQUIRED,
                              "null": NULL, "out_of_range": "日期应在2000年到2099年之间"}

    def __init__(self, **kwargs):
        metadata = {"type": "string", "format": "date-time",
                    "description": "an ISO date-time, or a date (the end of that day, local "
                                   "time)", **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise self.make_error("invalid")
        text = value.strip()
        try:
            if len(text) == 10:
                day = dt.date.fromisoformat(text)
                moment = dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=local_zone())
            else:
                moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
                if moment.tzinfo is None:
                    moment = moment.replace(tzinfo=local_zone())
            utc = moment.astimezone(dt.timezone.utc)
        except ValueError:
            raise self.make_error("invalid") from None
        except OverflowError:
            raise self.make_error("out_of_range") from None
        if not in_this_century(utc):
            raise self.make_error("out_of_range")
        return utc

    def _serialize(self, value, attr, obj, **kwargs):
        return value.isoformat() if value is not None else None


class EnumValue(fields.Field):
    """An enum attribute as its stored value, the word API.md uses (None stays None)."""

    def __init__(self, **kwargs):
        super().__init__(dump_only=True, **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else value.value


class EnumLabel(fields.Field):
    """The plain Chinese word of the object's enum attribute ``of``."""

    def __init__(self, of: str, **kwargs):
        self.of = of
        super().__init__(dump_only=True, **kwargs)

    def serialize(self, attr, obj, accessor=None, **kwargs):
        value = getattr(obj, self.of)
        return None if value is None else value.label


def ref(obj, *attrs):
    """A related row as ``{"id", "name", ...attrs}``, or None."""
    if obj is None:
        return None
    return {attr: getattr(obj, attr) for attr in ("id", "name", *attrs)}


class ReasonSchema(BaseSchema):
    reason = Str(required=True, validate=length(1, 200))


def load_or_raise(schema, data) -> dict:
    """Validate ``data`` with ``schema`` (an instance); errors become ValidationFailedError."""
    try:
        return schema.load(data)
    except ValidationError as err:
        messages = err.messages if isinstance(err.messages, dict) else {"_schema": err.messages}
        raise ValidationFailedError(fields=messages) from None


def form_data(form) -> dict:
    """An HTML form as schema input: blank optional fields are treated as not given."""
    return {k: v for k, v in form.items() if k != "csrf_token" and v.strip() != ""}
