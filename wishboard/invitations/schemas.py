"""Invitations, in and out. The wish page's forms load through these schemas too."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validates_schema

from wishboard.core.schemas import BaseSchema, Bool, Deadline, Int, Str, length, ref

EXACTLY_ONE = "请选择邀请一位志愿者或一个报到党组织（只选一个）"


class InvitationSchema(BaseSchema):
    id = fields.Integer()
    wish_id = fields.Integer()
    wish = fields.Function(lambda i: {"id": i.wish.id, "title": i.wish.title,
                                      "state": i.wish.state.value}, metadata={
        "type": "object", "description": "the wish: id, title, state"})
    user_id = fields.Integer(allow_none=True, metadata={
        "description": "the volunteer invited (or null for an organisation)"})
    organization_id = fields.Integer(allow_none=True, metadata={
        "description": "the organisation invited; its contact person answers"})
    invitee = fields.Function(lambda i: {"name": i.invitee_name}, metadata={
        "type": "object", "description": "who was invited: name"})
    status = fields.Function(lambda i: i.current_status().value, metadata={
        "type": "string",
        "description": "pending, accepted, declined, expired or lapsed (the wish left open)"})
    status_label = fields.Function(lambda i: i.current_status().label,
                                   metadata={"type": "string"})
    expires_at = fields.AwareDateTime()
    created_at = fields.AwareDateTime()
    ended_at = fields.AwareDateTime(allow_none=True)
    invited_by = fields.Function(lambda i: ref(i.invited_by), metadata={
        "description": "who invited: id, name"})
    decline_reason = fields.String(allow_none=True)


class InvitationCreateSchema(BaseSchema):
    """Exactly one of the two."""

    user_id = Int(load_default=None, allow_none=True, metadata={
        "description": "an approved volunteer of the wish's community"})
    organization_id = Int(load_default=None, allow_none=True, metadata={
        "description": "a reporting organisation of the wish's community (its contact "
                       "person answers)"})

    @validates_schema
    def _exactly_one(self, data, **kwargs):
        if (data.get("user_id") is None) == (data.get("organization_id") is None):
            raise ValidationError({"user_id": [EXACTLY_ONE], "organization_id": [EXACTLY_ONE]})


class InvitationAcceptSchema(BaseSchema):
    accept_letter = Bool(load_default=False, metadata={
        "description": "must be true: the invitee signs the responsibility letter"})
    due_at = Deadline(load_default=None, allow_none=True)
    organization_id = Int(load_default=None, allow_none=True, metadata={
        "description": "claim for my organisation; an organisation's invitation is always "
                       "claimed for it"})


class InvitationDeclineSchema(BaseSchema):
    reason = Str(load_default=None, allow_none=True, validate=length(max=200))

