"""Skills, profiles and suggestions, in and out. The profile page loads through
``ProfileUpdateSchema`` too (``blueprints/web/matching.py`` shapes the form into it)."""

from __future__ import annotations

from marshmallow import fields, validate

from wishboard.accounts.schemas import RefSchema
from wishboard.core.schemas import BaseSchema, Bool, Int, List, Nested, Str, length, one_of
from wishboard.matching.models import AvailabilitySlot

SLOTS = [slot.value for slot in AvailabilitySlot]


def at_most(n: int) -> validate.Length:
    return validate.Length(max=n, error=f"最多选{n}项")


class SkillSchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    name = fields.String()
    community_id = fields.Integer(allow_none=True, metadata={
        "description": "null for the defaults every community has"})
    is_default = fields.Boolean()


class SkillCreateSchema(BaseSchema):
    name = Str(required=True, validate=length(1, 20))


class FollowsSchema(BaseSchema):
    categories = fields.List(fields.Nested(RefSchema))
    places = fields.List(fields.Nested(RefSchema))


class ProfileSchema(BaseSchema):
    """A volunteer's skills, service card (服务承诺), free times, home place and follows."""

    user_id = fields.Function(lambda p: p.user.id, metadata={"type": "integer"})
    community_id = fields.Function(lambda p: p.user.community_id,
                                   metadata={"type": "integer"})
    skills = fields.List(fields.Nested(SkillSchema))
    offer = fields.String()
    availability = fields.List(fields.String(validate=validate.OneOf(SLOTS)))
    availability_labels = fields.List(fields.String())
    home_place = fields.Nested(RefSchema, allow_none=True)
    follows = fields.Nested(FollowsSchema)
    follow_digest = fields.Boolean(metadata={
        "description": "new wishes I follow arrive once a day in one message (每天汇总一次), "
                       "not one by one"})
    updated_at = fields.AwareDateTime(allow_none=True)


class FollowsUpdateSchema(BaseSchema):
    categories = List(Int(), validate=at_most(50), metadata={
        "description": "category ids (categories are shared by every community)"})
    places = List(Int(), validate=at_most(200), metadata={
        "description": "grid places of my community (片区, 院落, 楼栋)"})


class ProfileUpdateSchema(BaseSchema):
    """Every field may be left out (it stays as it is); a list given replaces the list."""

    skills = List(Int(), validate=at_most(50), metadata={
        "description": "skill ids: defaults, or my community's own"})
    offer = Str(validate=length(max=200), metadata={
        "description": "my service card (服务承诺), shown on my points card"})
    availability = List(Str(validate=one_of(SLOTS)), validate=at_most(len(SLOTS) * 2))
    home_place_id = Int(allow_none=True, metadata={
        "description": "the grid place of my community I live in; null to clear"})
    follows = Nested(FollowsUpdateSchema)
    follow_digest = Bool(metadata={
        "description": "true: new wishes I follow once a day, in one message at the digest "
                       "hour; false: each at once (what was waiting is sent now)"})


class SuggestionSchema(BaseSchema):
    user_id = fields.Integer()
    name = fields.String()
    volunteer_type = fields.String(allow_none=True)
    volunteer_type_label = fields.String(allow_none=True)
    organization = fields.String(allow_none=True)
    score = fields.Integer()
    reasons = fields.List(fields.String())


class SuggestionListSchema(BaseSchema):
    items = fields.List(fields.Nested(SuggestionSchema))
