"""Wishes and claims, in and out.

Output schemas take the ``viewer``: private details of the people served are dumped only
for those allowed to see them and masked for everyone else, on the server, in every
response (``wishboard.privacy``).
"""

from __future__ import annotations

from marshmallow import fields, pre_dump

from wishboard.access import private_details_reason, wish_rights
from wishboard.accounts.schemas import PHONE_OR_BLANK
from wishboard.core.schemas import (
    BaseSchema, Bool, Cursor, Deadline, EnumLabel, EnumValue, Float, Int, List, PageQuerySchema,
    QuerySchema, Str, ViewerSchema, in_range, length, one_of, ref,
)
from wishboard.privacy import MASKED, shown_actor, shown_beneficiaries, shown_note, shown_rater
from wishboard.wishes.models import WishKind, WishStory
from wishboard.wishes.states import ACTION_LABELS, WishState

KINDS = [k.value for k in WishKind]
STATES = [s.value for s in WishState]


class WishSchema(ViewerSchema):
    id = fields.Integer()
    community_id = fields.Integer()
    kind = EnumValue()
    kind_label = EnumLabel("kind")
    title = fields.String()
    description = fields.String()
    category = fields.Function(lambda w: ref(w.category))
    grid = fields.Function(lambda w: ref(w.grid))
    state = EnumValue()
    state_label = EnumLabel("state")
    public_alias = fields.String()
    beneficiaries = fields.Method("dump_beneficiaries")
    claimant = fields.Function(lambda w: ref(w.claimant))
    claim_organization = fields.Function(lambda w: ref(w.claim_organization))
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
    can_see_private = fields.Method("dump_can_see_private", metadata={
        "description": "whether GET /wishes/<id> shows this viewer the people served in full"})

    # Lists and the answers to actions mask the people served for everyone; only the wish's
    # own page (GET /wishes/<id>) shows them in full, and each such sight is recorded.
    def dump_can_see_private(self, wish) -> bool:
        return private_details_reason(self.viewer, wish) is not None

    def _sight(self, wish):
        return MASKED

    def dump_beneficiaries(self, wish):
        return shown_beneficiaries(wish, self._sight(wish))


class ClaimSchema(BaseSchema):
    id = fields.Integer()
    volunteer = fields.Function(lambda c: ref(c.volunteer))
    organization = fields.Function(lambda c: ref(c.organization))
    status = EnumValue()
    letter = fields.String()
    claimed_at = fields.AwareDateTime()
    due_at = fields.AwareDateTime()
    ended_at = fields.AwareDateTime(allow_none=True)
    end_reason = fields.String(allow_none=True)
    hours = fields.Float(allow_none=True, metadata={"description": "the hours stated"})
    completion_note = fields.String(allow_none=True)
    hours_status = EnumValue(
                                   metadata={"description": "pending, confirmed or lapsed"})
    confirmed_hours = fields.Float(allow_none=True)
    hours_adjust_reason = fields.String(allow_none=True)


ACTIONS = ["claim", "complete", "release", "confirm_hours", "adjust_hours", "rate",
           "record_rating", "remove_rating", "close", "cancel", "join", "log", "confirm_logs",
           "see_private", "suggest", "invite"]


class WishDetailSchema(WishSchema):
    """GET /wishes/<id>: the wish, its timeline, its claims with their letters, its ratings,
    and what the viewer may do with it. Dumps a ``WishStory`` (services.read_wish); the
    wish's own fields come from ``story.wish``."""

    timeline = fields.Method("dump_timeline")
    actions = fields.Method("dump_actions", metadata={
        "description": "what the viewer may do now: " + ", ".join(ACTIONS)})
    claim = fields.Method("dump_claim", metadata={
        "description": "the live or completed claim, with its responsibility letter"})
    claims = fields.Method("dump_claims", metadata={"description": "every claim, newest first"})
    ratings = fields.Method("dump_ratings")

    @pre_dump
    def _unwrap(self, story: WishStory, **kwargs):
        self._stories = getattr(self, "_stories", {})
        self._stories[story.wish.id] = story
        return story.wish

    def _rights(self, wish):
        """What the viewer may do, asked once per wish dumped."""
        cache = self.context_cache = getattr(self, "context_cache", {})
        if wish.id not in cache:
            cache[wish.id] = wish_rights(self.viewer, wish)
        return cache[wish.id]

    def _sight(self, wish):
        return self._rights(wish)

    def dump_actions(self, wish):
        rights = self._rights(wish)
        return {name: getattr(rights, name) for name in ACTIONS}

    def dump_timeline(self, wish):
        rights = self._rights(wish)
        return [{"action": e.action, "action_label": ACTION_LABELS.get(e.action, e.action),
                 "actor": shown_actor(e, rights), "from_state": e.from_state,
                 "to_state": e.to_state, "note": shown_note(e, rights),
                 "on_behalf": e.on_behalf, "created_at": e.created_at.isoformat()}
                for e in self._stories[wish.id].events]

    def dump_claim(self, wish):
        current = self._stories[wish.id].current_claim
        return ClaimSchema().dump(current) if current else None

    def dump_claims(self, wish):
        return ClaimSchema().dump(self._stories[wish.id].claims, many=True)

    def dump_ratings(self, wish):
        rights = self._rights(wish)
        return [{
            "id": r.id, "stars": r.stars, "comment": r.comment,
            "rater": shown_rater(r, rights),
            "on_behalf": r.recorded_by_id is not None, "by_beneficiary": r.by_beneficiary,
            "counted": r.counted_at is not None,
            "created_at": r.created_at.isoformat()} for r in self._stories[wish.id].ratings]


class WishQuerySchema(PageQuerySchema):
    community_id = Int(load_default=None)
    status = Str(load_default=None, validate=one_of(STATES))
    category_id = Int(load_default=None)
    kind = Str(load_default=None, validate=one_of(KINDS))
    grid_id = Int(load_default=None)
    q = Str(load_default=None, validate=length(max=50))
    after = Cursor(load_default=None, metadata={
        "description": "the next of the page before: read on from there (as cheap on page "
                       "500 as on page 1); page is then only a label"})


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


class ClaimCreateSchema(BaseSchema):
    accept_letter = Bool(load_default=False, metadata={
        "description": "must be true: the volunteer signs the responsibility letter"})
    due_at = Deadline(load_default=None, allow_none=True)
    organization_id = Int(load_default=None, allow_none=True)


class ConfirmHoursSchema(BaseSchema):
    hours = Float(load_default=None, allow_none=True, validate=in_range(0, 1000), metadata={
        "description": "the secretary's adjusted hours; leave out to confirm as stated; "
                       "0 (with a reason): no service took place (未实际服务)"})
    reason = Str(load_default=None, allow_none=True, validate=length(1, 200))


class CompleteSchema(BaseSchema):
    hours = Float(required=True, validate=in_range(0.1, 1000))
    note = Str(load_default="", validate=length(max=500))


class ClaimListQuerySchema(QuerySchema):
    active_only = Bool(load_default=False)
