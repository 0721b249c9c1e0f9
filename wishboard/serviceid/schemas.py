from __future__ import annotations

from marshmallow import fields

from wishboard.core.schemas import BaseSchema, Int


class LiveWorkSchema(BaseSchema):
    wish_id = fields.Integer()
    title = fields.String()
    community = fields.String()
    place = fields.String(allow_none=True, metadata={"description": "the grid place's path"})
    due_at = fields.AwareDateTime(allow_none=True)
    as_member = fields.Boolean(metadata={
        "description": "a member of a project the volunteer's organisation claimed"})


class CardVolunteerSchema(BaseSchema):
    id = fields.Integer()
    name = fields.String()
    volunteer_type = fields.Function(lambda u: u.volunteer_type.value)
    volunteer_type_label = fields.Function(lambda u: u.volunteer_type.label)
    community = fields.Function(lambda u: u.community.name if u.community else None)
    organization = fields.Function(lambda u: u.organization.name if u.organization else None)
    report_status = fields.Function(lambda u: u.report_status.value)


class CardSchema(BaseSchema):
    """My service card: the code to show now and where it leads."""

    volunteer = fields.Nested(CardVolunteerSchema, attribute="user")
    code = fields.String()
    url = fields.String(metadata={"description": "what the QR code holds: the check page"})
    made_at = fields.AwareDateTime()
    expires_at = fields.AwareDateTime()
    refresh_seconds = fields.Integer(metadata={"description": "show a new code this often"})
    work = fields.List(fields.Nested(LiveWorkSchema))


class CheckSchema(BaseSchema):
    """What a code says now. Not valid: ``status`` and ``message`` only."""

    status = fields.String(metadata={"description": "valid, expired, revoked, not_approved"})
    message = fields.String(attribute="words")
    name = fields.String(allow_none=True)
    volunteer_type = fields.String(allow_none=True, metadata={"description": "its label"})
    community = fields.String(allow_none=True)
    organization = fields.String(allow_none=True)
    work = fields.List(fields.Nested(LiveWorkSchema))
    at_place = fields.Boolean(allow_none=True, metadata={
        "description": "with place_id: serving a wish at that place (or inside it)"})
    for_you = fields.Boolean(metadata={
        "description": "serving a wish for the person asking (logged in)"})


class CheckQuerySchema(BaseSchema):
    place_id = Int(load_default=None)


class RevokedSchema(BaseSchema):
    user_id = fields.Integer()
    version = fields.Integer()
    revoked_at = fields.AwareDateTime()
