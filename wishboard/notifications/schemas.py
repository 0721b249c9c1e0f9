"""The inbox, in and out."""

from __future__ import annotations

from marshmallow import fields

from wishboard.core.schemas import (
    BaseSchema, Bool, Int, List, PageQuerySchema, Str, length, one_of,
)
from wishboard.notifications.services import MESSAGE_GROUPS


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


class ChannelSchema(BaseSchema):
    """A community's outside channel, for its secretary (who configures the receiver with
    the secret)."""

    id = fields.Integer()
    community_id = fields.Integer()
    kind = fields.Function(lambda c: c.kind.value)
    name = fields.String()
    url = fields.String()
    secret = fields.String(metadata={"description": "the HMAC-SHA256 key of the signature"})
    is_active = fields.Boolean()
    created_at = fields.AwareDateTime()


class ChannelCreateSchema(BaseSchema):
    name = Str(required=True, validate=length(1, 60))
    url = Str(required=True, validate=length(8, 500),
              metadata={"description": "http:// or https:// address of the receiver"})


class ChannelUpdateSchema(BaseSchema):
    is_active = Bool(required=True)


class DeliverySchema(BaseSchema):
    id = fields.Integer()
    channel_id = fields.Integer()
    notification_id = fields.Integer()
    kind = fields.Function(lambda d: d.notification.kind)
    text = fields.Function(lambda d: d.notification.text)
    person = fields.Function(lambda d: d.notification.user.name)
    status = fields.Function(lambda d: d.status.value)
    attempts = fields.Integer()
    next_attempt_at = fields.AwareDateTime()
    last_error = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    delivered_at = fields.AwareDateTime(allow_none=True)


class DeliveryQuerySchema(PageQuerySchema):
    status = Str(load_default=None, validate=one_of(["pending", "delivered", "dead"]))


class OutsideSettingsSchema(BaseSchema):
    """Which groups of messages stay inside the app (``muted``); the others also go to the
    community's channels (WeChat, SMS) when it has one."""

    muted = List(Str(validate=one_of(list(MESSAGE_GROUPS))), required=True)


class OutsideSettingsOutSchema(BaseSchema):
    outside = fields.Dict(keys=fields.String(), values=fields.Boolean(),
                          metadata={"description": "each group: true when it also leaves "
                                                   "the app"})
    groups = fields.Dict(keys=fields.String(), values=fields.String(),
                         metadata={"description": "each group's name in Chinese"})
