from __future__ import annotations

from marshmallow import fields

from wishboard.core.schemas import (
    BaseSchema, Bool, EnumLabel, EnumValue, Int, PageQuerySchema, Str, in_range, length, one_of,
)
from wishboard.places.models import PlaceLevel

LEVELS = [level.value for level in PlaceLevel]


class CommunitySchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    name = fields.String()
    level = EnumValue()
    level_label = EnumLabel("level")
    parent_id = fields.Integer(allow_none=True)
    community_id = fields.Integer(allow_none=True,
                                  metadata={"description": "the community a grid place is in"})
    auto_approve_reports = fields.Boolean()
    claim_window_days = fields.Integer()
    max_open_claims = fields.Integer(allow_none=True)
    open_wish_max_age_days = fields.Integer()
    rating_window_days = fields.Integer()
    expiry_reminder_days = fields.Integer()
    due_reminder_days = fields.Integer()
    rating_reminder_days = fields.Integer()
    max_hours_per_day = fields.Integer()
    unconfirmed_hours_policy = fields.String()
    rating_trust_days = fields.Integer(allow_none=True)
    log_backdate_days = fields.Integer()
    release_flag_count = fields.Integer()
    org_ranking = fields.String()
    invitation_hours = fields.Integer(metadata={
        "description": "how long an invitation to claim a wish waits for its answer"})


class CommunityDetailSchema(CommunitySchema):
    grid = fields.Method("dump_grid", metadata={
        "description": "the community's grid places (片区/院落/楼栋) as a tree; "
                       "for places above community level, their direct children"})

    def dump_grid(self, community):
        places = getattr(community, "grid_places", [])
        by_parent: dict[int | None, list] = {}
        for place in places:
            by_parent.setdefault(place.parent_id, []).append(place)
        flat = CommunitySchema()

        def tree(parent_id):
            return [dict(flat.dump(p), children=tree(p.id)) for p in by_parent.get(parent_id, [])]

        return tree(community.id)


class CommunityCreateSchema(BaseSchema):
    name = Str(required=True, validate=length(1, 100))
    level = Str(required=True, validate=one_of(LEVELS))
    parent_id = Int(load_default=None, allow_none=True)
    auto_approve_reports = Bool(load_default=False)


class CommunitySettingsSchema(BaseSchema):
    claim_window_days = Int(validate=in_range(1, 90))
    max_open_claims = Int(allow_none=True, validate=in_range(1, 100))
    auto_approve_reports = Bool()
    open_wish_max_age_days = Int(validate=in_range(1, 365))
    rating_window_days = Int(validate=in_range(1, 90))
    expiry_reminder_days = Int(validate=in_range(0, 30))
    due_reminder_days = Int(validate=in_range(0, 30))
    rating_reminder_days = Int(validate=in_range(0, 30))
    max_hours_per_day = Int(validate=in_range(1, 24))
    unconfirmed_hours_policy = Str(validate=one_of(["queue", "confirm", "lapse"]))
    # Opt-in, None (off): time alone would let a stranger's stars count.
    rating_trust_days = Int(allow_none=True, validate=in_range(0, 365))
    log_backdate_days = Int(validate=in_range(0, 60))
    release_flag_count = Int(validate=in_range(1, 100))
    org_ranking = Str(validate=one_of(["sum", "body"]))
    invitation_hours = Int(validate=in_range(1, 720))


class CommunityQuerySchema(PageQuerySchema):
    level = Str(load_default=None, validate=one_of(LEVELS))
    parent_id = Int(load_default=None)
    q = Str(load_default=None, validate=length(max=50))


class CategorySchema(BaseSchema):
    id = fields.Integer(dump_only=True)
    name = fields.String()
    description = fields.String()
    sort_order = fields.Integer()


class CategoryCreateSchema(BaseSchema):
    name = Str(required=True, validate=length(1, 30))
    description = Str(load_default="", validate=length(max=200))
    sort_order = Int(load_default=100, validate=in_range(0, 10000))
