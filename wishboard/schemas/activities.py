from __future__ import annotations

from marshmallow import fields

from wishboard.models import ActivityStatus, Audience
from wishboard.schemas.base import (
    BaseSchema, Int, PageQuerySchema, Str, in_range, length, one_of,
)
from wishboard.schemas.wishes import Deadline, _ref


class LocalDate(fields.Date):
    default_error_messages = {"invalid": "日期格式不对,例如 2026-11-22", "required": "必填",
                              "null": "不能为空", "format": "日期格式不对"}


class ActivityCreateSchema(BaseSchema):
    title = Str(required=True, validate=length(1, 60))
    description = Str(required=True, validate=length(1, 2000))
    category_id = Int(required=True)
    community_id = Int(load_default=None, allow_none=True)
    grid_id = Int(load_default=None, allow_none=True)
    starts_at = Deadline(required=True)
    ends_at = Deadline(required=True)
    signup_deadline = Deadline(required=True)
    capacity = Int(required=True, validate=in_range(1, 10000))
    audience = Str(load_default=Audience.ALL.value,
                   validate=one_of([a.value for a in Audience]))


class ActivityQuerySchema(PageQuerySchema):
    community_id = Int(load_default=None)
    status = Str(load_default=None, validate=one_of([s.value for s in ActivityStatus]))


class ActivitySchema(BaseSchema):
    id = fields.Integer()
    community_id = fields.Integer()
    title = fields.String()
    description = fields.String()
    category = fields.Function(lambda a: _ref(a.category))
    organization = fields.Function(lambda a: _ref(a.organization))
    grid_id = fields.Integer(allow_none=True)
    starts_at = fields.AwareDateTime()
    ends_at = fields.AwareDateTime()
    signup_deadline = fields.AwareDateTime()
    capacity = fields.Integer()
    audience = fields.Function(lambda a: a.audience.value)
    status = fields.Function(lambda a: a.status.value)
    confirmed_count = fields.Integer()
    waitlist_count = fields.Integer()


class SignupSchema(BaseSchema):
    id = fields.Integer()
    activity_id = fields.Integer()
    user_id = fields.Integer()
    status = fields.Function(lambda s: s.status.value)
    position = fields.Integer(allow_none=True, metadata={
        "description": "waiting-list number, in arrival order (null with a seat)"})
    created_at = fields.AwareDateTime()
    checked_in_at = fields.AwareDateTime(allow_none=True)


class CheckinCodeSchema(BaseSchema):
    code = fields.String()
    expires_at = fields.AwareDateTime()
    qr_url = fields.String(metadata={"description": "the page the QR code opens"})
    qr_svg_url = fields.String(metadata={"description": "the QR image, for the organiser"})


class CheckinSchema(BaseSchema):
    code = Str(load_default=None, allow_none=True, validate=length(1, 100))
    user_id = Int(load_default=None, allow_none=True)


class MemberSchema(BaseSchema):
    id = fields.Integer()
    wish_id = fields.Integer()
    user = fields.Function(lambda m: _ref(m.user))
    joined_at = fields.AwareDateTime()


class ServiceLogCreateSchema(BaseSchema):
    served_on = LocalDate(required=True)
    hours = fields.Float(required=True, validate=in_range(0.1, 24),
                         error_messages={"invalid": "请填写数字", "required": "必填"})
    note = Str(load_default="", validate=length(max=500))


class ServiceLogSchema(BaseSchema):
    id = fields.Integer()
    wish_id = fields.Integer()
    user = fields.Function(lambda log: _ref(log.user))
    served_on = fields.Date()
    hours = fields.Float()
    note = fields.String()
    status = fields.Function(lambda log: log.status.value)
    reject_reason = fields.String(allow_none=True)
    decided_at = fields.AwareDateTime(allow_none=True)
