"""Project members and service logs, in and out."""

from __future__ import annotations

from marshmallow import fields

from wishboard.core.schemas import BaseSchema, EnumValue, LocalDate, Str, in_range, length, ref


class MemberSchema(BaseSchema):
    id = fields.Integer()
    wish_id = fields.Integer()
    user = fields.Function(lambda m: ref(m.user))
    joined_at = fields.AwareDateTime()


class ServiceLogCreateSchema(BaseSchema):
    served_on = LocalDate(required=True)
    hours = fields.Float(required=True, validate=in_range(0.1, 24),
                         error_messages={"invalid": "请填写数字", "required": "必填"})
    note = Str(load_default="", validate=length(max=500))


class ServiceLogSchema(BaseSchema):
    id = fields.Integer()
    wish_id = fields.Integer()
    user = fields.Function(lambda log: ref(log.user))
    served_on = fields.Date()
    hours = fields.Float()
    note = fields.String()
    status = EnumValue()
    reject_reason = fields.String(allow_none=True)
    decided_at = fields.AwareDateTime(allow_none=True)
