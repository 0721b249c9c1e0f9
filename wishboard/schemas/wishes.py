"""Needs, wishes, claims, ratings and notifications, in and out.

Output schemas take the ``viewer``: private details of the people served are dumped only
for those allowed to see them (services.access.can_see_private_details) and masked for
everyone else, on the server, in every response.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from marshmallow import fields

from wishboard.models import NeedStatus, Role, WishKind, WishState
from wishboard.models.wishes import ACTION_LABELS
from wishboard.privacy import mask_name, mask_phone
from wishboard.schemas.base import (
    BaseSchema, Bool, Float, Int, List, PageQuerySchema, QuerySchema, Str, ViewerSchema,
    in_range, length, one_of,
)
from wishboard.schemas.users import PHONE_OR_BLANK
from wishboard.services.access import can_see_private_details

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
KINDS = [k.value for k in WishKind]
STATES = [s.value for s in WishState]


class Deadline(fields.Field):
    """A date (``2026-12-01``: the end of that day in Asia/Shanghai) or an ISO datetime
    (without an offset it is Asia/Shanghai time). Loads as an aware UTC datetime."""

    default_error_messages = {"invalid": "日期格式不对,例如 2026-12-01", "required": "必填",
                              "null": "不能为空"}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise self.make_error("invalid")
        text = value.strip()
        try:
            if len(text) == 10:
                day = dt.date.fromisoformat(text)
                moment = dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=LOCAL_TZ)
            else:
                moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
                if moment.tzinfo is None:
                    moment = moment.replace(tzinfo=LOCAL_TZ)
        except ValueError:
            raise self.make_error("invalid") from None
        return moment.astimezone(dt.timezone.utc)

    def _serialize(self, value, attr, obj, **kwargs):
        return value.isoformat() if value is not None else None


def _ref(obj, *attrs):
    if obj is None:
        return None
    return {attr: getattr(obj, attr) for attr in ("id", "name", *attrs)}


def _public_person(user, privileged: bool):
    """Volunteers and staff act publicly (公开承诺); residents are masked for the public."""
    if user is None:
        return {"id": None, "name": "系统"}
    if user.role is Role.RESIDENT and not privileged:
        return {"id": None, "name": mask_name(user.name)}
    return {"id": user.id, "name": user.name}


class WishSchema(ViewerSchema):
    id = fields.Integer()
    community_id = fields.Integer()
    kind = fields.Function(lambda w: w.kind.value)
    kind_label = fields.Function(lambda w: w.kind.label)
    title = fields.String()
    description = fields.String()
    category = fields.Function(lambda w: _ref(w.category))
    grid = fields.Function(lambda w: _ref(w.grid))
    state = fields.Function(lambda w: w.state.value)
    state_label = fields.Function(lambda w: w.state.label)
    public_alias = fields.String()
    beneficiaries = fields.Method("dump_beneficiaries")
    claimant = fields.Function(lambda w: _ref(w.claimant))
    claim_organization = fields.Function(lambda w: _ref(w.claim_organization))
    published_at = fields.AwareDateTime(allow_none=True)
    expires_at = fields.AwareDateTime(allow_none=True)
    claimed_at = fields.AwareDateTime(allow_none=True)
    due_at = fields.AwareDateTime(allow_none=True)
    completed_at = fields.AwareDateTime(allow_none=True)
    closed_at = fields.AwareDateTime(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    rating_count = fields.Integer()
    average_stars = fields.Float(allow_none=True)
    member_count = fields.Integer(metadata={"description": "service projects: who joined"})
    confirmed_hours = fields.Float(metadata={"description": "service projects: hours given"})
    can_see_private = fields.Method("dump_can_see_private")

    def dump_can_see_private(self, wish) -> bool:
        return can_see_private_details(self.viewer, wish)

    def dump_beneficiaries(self, wish):
        if can_see_private_details(self.viewer, wish):
            return [{"id": b.id, "name": b.name, "phone": b.phone, "address": b.address,
                     "user_id": b.user_id} for b in wish.beneficiaries]
        return [{"id": b.id, "name": mask_name(b.name), "phone": mask_phone(b.phone),
                 "address": None, "user_id": None} for b in wish.beneficiaries]


class ClaimSchema(BaseSchema):
    id = fields.Integer()
    volunteer = fields.Function(lambda c: _ref(c.volunteer))
    organization = fields.Function(lambda c: _ref(c.organization))
    status = fields.Function(lambda c: c.status.value)
    letter = fields.String()
    claimed_at = fields.AwareDateTime()
    due_at = fields.AwareDateTime()
    ended_at = fields.AwareDateTime(allow_none=True)
    end_reason = fields.String(allow_none=True)
    hours = fields.Float(allow_none=True)
    completion_note = fields.String(allow_none=True)


class WishDetailSchema(WishSchema):
    """GET /wishes/<id>: the wish, its timeline, its claims with their letters, its ratings
    (a wish from services.wishes.wish_story)."""

    timeline = fields.Method("dump_timeline")
    claim = fields.Method("dump_claim", metadata={
        "description": "the live or completed claim, with its responsibility letter"})
    claims = fields.Method("dump_claims", metadata={"description": "every claim, newest first"})
    ratings = fields.Method("dump_ratings")

    def dump_timeline(self, wish):
        privileged = can_see_private_details(self.viewer, wish)
        return [{"action": e.action, "action_label": ACTION_LABELS.get(e.action, e.action),
                 "actor": _public_person(e.actor, privileged), "from_state": e.from_state,
                 "to_state": e.to_state, "note": e.note, "on_behalf": e.on_behalf,
                 "created_at": e.created_at.isoformat()} for e in wish.events]

    def dump_claim(self, wish):
        current = [c for c in wish.claim_history if c.status.value in ("active", "completed")]
        return ClaimSchema().dump(current[0]) if current else None

    def dump_claims(self, wish):
        return ClaimSchema().dump(wish.claim_history, many=True)

    def dump_ratings(self, wish):
        privileged = can_see_private_details(self.viewer, wish)
        return [{
            "id": r.id, "stars": r.stars, "comment": r.comment,
            "rater": ({"id": None, "name": mask_name(r.beneficiary.name)}
                      if r.rater is None and r.beneficiary is not None
                      else _public_person(r.rater, privileged)),
            "on_behalf": r.recorded_by_id is not None,
            "created_at": r.created_at.isoformat()} for r in wish.rating_list]


class WishQuerySchema(PageQuerySchema):
    community_id = Int(load_default=None)
    status = Str(load_default=None, validate=one_of(STATES))
    category_id = Int(load_default=None)
    kind = Str(load_default=None, validate=one_of(KINDS))
    grid_id = Int(load_default=None)
    q = Str(load_default=None, validate=length(max=50))


class WishCreateSchema(BaseSchema):
    title = Str(required=True, validate=length(1, 60))
    description = Str(required=True, validate=length(1, 2000))
    category_id = Int(required=True)
    kind = Str(load_default=WishKind.MICRO_WISH.value, validate=one_of(KINDS))
    grid_id = Int(load_default=None, allow_none=True)
    expires_at = Deadline(load_default=None, allow_none=True)
    public_alias = Str(load_default=None, allow_none=True, validate=length(1, 30))
    beneficiary_name = Str(load_default=None, allow_none=True, validate=length(1, 50))
    beneficiary_phone = Str(load_default="", validate=PHONE_OR_BLANK)
    beneficiary_address = Str(load_default="", validate=length(max=200))
    need_ids = List(Int(), load_default=list)
    community_id = Int(load_default=None, allow_none=True)


class NeedCreateSchema(BaseSchema):
    title = Str(required=True, validate=length(1, 60))
    description = Str(required=True, validate=length(1, 2000))
    category_id = Int(load_default=None, allow_none=True)
    grid_id = Int(load_default=None, allow_none=True)
    address = Str(load_default="", validate=length(max=200))
    contact_phone = Str(load_default="", validate=PHONE_OR_BLANK)
    contact_name = Str(load_default=None, allow_none=True, validate=length(1, 50))


class NeedPublishSchema(BaseSchema):
    wish_id = Int(load_default=None, allow_none=True)
    title = Str(load_default=None, allow_none=True, validate=length(1, 60))
    description = Str(load_default=None, allow_none=True, validate=length(1, 2000))
    category_id = Int(load_default=None, allow_none=True)
    kind = Str(load_default=WishKind.MICRO_WISH.value, validate=one_of(KINDS))
    grid_id = Int(load_default=None, allow_none=True)
    expires_at = Deadline(load_default=None, allow_none=True)
    public_alias = Str(load_default=None, allow_none=True, validate=length(1, 30))


class NeedQuerySchema(PageQuerySchema):
    status = Str(load_default=None, validate=one_of([s.value for s in NeedStatus]))
    community_id = Int(load_default=None)


class NeedSchema(BaseSchema):
    """A need as its resident and the community's secretary see it (never public)."""

    id = fields.Integer()
    community_id = fields.Integer()
    title = fields.String()
    description = fields.String()
    category = fields.Function(lambda n: _ref(n.category))
    grid = fields.Function(lambda n: _ref(n.grid))
    contact_name = fields.String()
    contact_phone = fields.String()
    address = fields.String()
    on_behalf = fields.Boolean()
    status = fields.Function(lambda n: n.status.value)
    status_label = fields.Function(lambda n: n.status.label)
    reject_reason = fields.String(allow_none=True)
    wish_id = fields.Integer(allow_none=True)
    created_at = fields.AwareDateTime()
    decided_at = fields.AwareDateTime(allow_none=True)


class ReasonSchema(BaseSchema):
    reason = Str(required=True, validate=length(1, 200))


class ClaimCreateSchema(BaseSchema):
    accept_letter = Bool(load_default=False, metadata={
        "description": "must be true: the volunteer signs the responsibility letter"})
    due_at = Deadline(load_default=None, allow_none=True)
    organization_id = Int(load_default=None, allow_none=True)


class CompleteSchema(BaseSchema):
    hours = Float(required=True, validate=in_range(0.1, 1000))
    note = Str(load_default="", validate=length(max=500))


class RatingCreateSchema(BaseSchema):
    stars = Int(required=True, validate=in_range(1, 5))
    comment = Str(load_default="", validate=length(max=500))
    beneficiary_id = Int(load_default=None, allow_none=True)


class RatingSchema(BaseSchema):
    id = fields.Integer()
    wish_id = fields.Integer()
    stars = fields.Integer()
    comment = fields.String()
    on_behalf = fields.Function(lambda r: r.recorded_by_id is not None)
    created_at = fields.AwareDateTime()
    removed_at = fields.AwareDateTime(allow_none=True)
    removed_reason = fields.String(allow_none=True)


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


class ClaimListQuerySchema(QuerySchema):
    active_only = Bool(load_default=False)
