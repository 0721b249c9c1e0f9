"""Activities, sign-ups and check-in, in and out."""

from __future__ import annotations

from marshmallow import fields

from wishboard.activities.models import ActivityStatus, Audience
from wishboard.core.schemas import (
    BaseSchema, Deadline, EnumValue, Int, PageQuerySchema, Str, in_range, length, one_of, ref,
)


class ActivityCreateSchema(BaseSchema):
    title = Str(required=True, validate=length(1, 60))
    description = Str(required=True, validate=length(1, 2000))
    category_id = Int(required=True)
    community_id = Int(load_default=None, allow_none=True)
    grid_id = Int(load_default=None, allow_none=True)
    venue = Str(load_default="", validate=length(max=100),
                metadata={"description": "where to go, e.g. 社区党群服务中心二楼会议室"})
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
    category = fields.Function(lambda a: ref(a.category))
    organization = fields.Function(lambda a: ref(a.organization))
    grid_id = fields.Integer(allow_none=True)
    venue = fields.String()
    starts_at = fields.AwareDateTime()
    ends_at = fields.AwareDateTime()
    signup_deadline = fields.AwareDateTime()
    capacity = fields.Integer()
    audience = EnumValue()
    status = EnumValue()
    confirmed_count = fields.Integer()
    waitlist_count = fields.Integer()


class SignupSchema(BaseSchema):
    id = fields.Integer()
    activity_id = fields.Integer()
    user_id = fields.Integer()
    status = EnumValue()
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
