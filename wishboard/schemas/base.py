"""Schema base and fields whose error messages are in plain Chinese.

marshmallow gathers ``default_error_messages`` along the class hierarchy, so these subclasses
change only the wording. Every schema in the app uses them, for the API and the web forms alike.
"""

from __future__ import annotations

from marshmallow import EXCLUDE, RAISE, Schema, fields, validate

REQUIRED = "必填"
NULL = "不能为空"


def _msgs(**extra: str) -> dict[str, str]:
    return {"required": REQUIRED, "null": NULL, "validator_failed": "填写有误", **extra}


class Str(fields.String):
    default_error_messages = _msgs(invalid="请填写文字", invalid_utf8="文字编码有误")

    def __init__(self, *args, strip: bool = True, **kwargs):
        self.strip = strip
        super().__init__(*args, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs)
        return value.strip() if self.strip else value


class Int(fields.Integer):
    default_error_messages = _msgs(invalid="请填写整数", too_large="数字太大")


class Float(fields.Float):
    default_error_messages = _msgs(invalid="请填写数字", too_large="数字太大", special="请填写数字")


class Bool(fields.Boolean):
    default_error_messages = _msgs(invalid="请填写是或否")


class AwareDateTime(fields.AwareDateTime):
    default_error_messages = _msgs(
        invalid="日期时间格式不对", invalid_awareness="请带上时区", format="日期时间格式不对"
    )


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
    return validate.OneOf(list(choices), error=f"只能是:{labels or ', '.join(choices)}")


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
