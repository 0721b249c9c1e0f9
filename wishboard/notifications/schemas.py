"""The inbox, in and out."""

from __future__ import annotations

from marshmallow import fields

from wishboard.core.schemas import BaseSchema, Bool, Int, List, PageQuerySchema


class NotificationSchema(BaseSchema):
    id = fields.Integer()
    kind = fields.String()
    text = fields.String()
    wish_id = fields.Integer(allow_none=True)
    need_id = fields.Integer(allow_none=True)
    created_at = fields.AwareDateTime()
    read_at = fields.AwareDateTime(allow_none=True)


class NotificationQuerySchema(PageQuerySchema):
    unread_only = Bool(load_default=False)


class NotificationReadSchema(BaseSchema):
    ids = List(Int(), load_default=None, allow_none=True)
