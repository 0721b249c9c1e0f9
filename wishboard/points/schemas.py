from __future__ import annotations

from marshmallow import fields

from wishboard.accounts.schemas import VOLUNTEER_TYPES
from wishboard.core.schemas import (
    BaseSchema, Int, PageQuerySchema, QuerySchema, Str, in_range, one_of,
)

KINDS = ["volunteers", "organizations"]
PERIODS = ["all", "year", "quarter", "month"]


class LeaderboardQuerySchema(PageQuerySchema):
    community_id = Int(required=True)
    kind = Str(load_default="volunteers", validate=one_of(KINDS))
    period = Str(load_default="all", validate=one_of(PERIODS))
    year = Int(load_default=None, validate=in_range(2000, 2100))
    quarter = Int(load_default=None, validate=in_range(1, 4))
    month = Int(load_default=None, validate=in_range(1, 12))
    volunteer_type = Str(load_default=None, validate=one_of(VOLUNTEER_TYPES))


class BoardRowSchema(BaseSchema):
    rank = fields.Integer()
    id = fields.Integer(allow_none=True, metadata={"description": "null when the volunteer "
                                                   "keeps their name off public boards"})
    name = fields.String()
    points = fields.Integer()
    claims = fields.Integer()
    completions = fields.Integer()
    activities = fields.Integer()
    hours = fields.Float()
    average_stars = fields.Float(allow_none=True)
    volunteer_type = fields.String(allow_none=True)
    organization = fields.String(allow_none=True)
    body_points = fields.Integer(allow_none=True, metadata={
        "description": "organisations: what it earned as a body"})
    member_points = fields.Integer(allow_none=True, metadata={
        "description": "organisations: what its members earned acting for it"})


class LeaderboardSchema(BaseSchema):
    items = fields.List(fields.Nested(BoardRowSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    period = fields.String(metadata={"description": "all, 2026, 2026-Q4 or 2026-11"})


class PointsEntrySchema(BaseSchema):
    id = fields.Integer()
    amount = fields.Integer()
    rule = fields.String()
    reason = fields.String()
    source_type = fields.String()
    source_id = fields.Integer()
    reverses_id = fields.Integer(allow_none=True)
    created_at = fields.AwareDateTime()


class PointsCardSchema(BaseSchema):
    """A volunteer's public profile and 志愿服务积分卡."""

    id = fields.Function(lambda c: c.volunteer.id)
    name = fields.Function(lambda c: c.volunteer.name)
    volunteer_type = fields.Function(
        lambda c: c.volunteer.volunteer_type.value if c.volunteer.volunteer_type else None)
    organization = fields.Function(
        lambda c: c.volunteer.organization.name if c.volunteer.organization else None)
    community_id = fields.Function(lambda c: c.volunteer.community_id)
    points = fields.Function(lambda c: c.total.points if c.total else 0)
    rank = fields.Integer(allow_none=True)
    claims = fields.Function(lambda c: c.total.claims if c.total else 0)
    completions = fields.Function(lambda c: c.total.completions if c.total else 0)
    activities = fields.Function(lambda c: c.total.activities if c.total else 0)
    hours = fields.Function(lambda c: float(c.total.hours) if c.total else 0.0)
    average_stars = fields.Function(lambda c: c.total.average_stars if c.total else None)
    entries = fields.List(fields.Nested(PointsEntrySchema))
    entry_count = fields.Integer()
    pending_points = fields.Function(
        lambda c: c.pending.points if c.pending else 0, metadata={
            "type": "integer",
            "description": "待确认: points earned but counting nowhere yet (on no board), "
                           "waiting for the person served or the staff to confirm the "
                           "service, or for a person to check the volunteer's 报到"})
    pending = fields.Function(
        lambda c: [{"reason": i.reason, "amount": i.amount, "waits_for": i.waits_for}
                   for i in (c.pending.items if c.pending else [])], metadata={
            "type": "array", "items": {"type": "object", "properties": {
                "reason": {"type": "string"}, "amount": {"type": "integer"},
                "waits_for": {"type": "string"}}}})
    skills = fields.Method("dump_skills", metadata={
        "type": "array", "items": {"type": "string"},
        "description": "the skills the volunteer chose (我的特长和服务)"})
    offer = fields.Method("dump_offer", metadata={
        "type": "string", "description": "the volunteer's service card (服务承诺)"})

    def _offer(self, card):
        from wishboard.matching.services import public_offer

        offers = self.__dict__.setdefault("_offers", {})
        if card.volunteer.id not in offers:
            offers[card.volunteer.id] = public_offer(card.volunteer.id)
        return offers[card.volunteer.id]

    def dump_skills(self, card) -> list[str]:
        return self._offer(card).skills

    def dump_offer(self, card) -> str:
        return self._offer(card).offer


class PointsCardQuerySchema(PageQuerySchema):
    per_page = Int(load_default=50, validate=in_range(1, 100))


class PointsRulesSchema(BaseSchema):
    per_claim = Int(validate=in_range(0, 1000))
    per_completion = Int(validate=in_range(0, 1000))
    per_hour = Int(validate=in_range(0, 1000))
    per_star = Int(validate=in_range(0, 1000))
    per_activity = Int(validate=in_range(0, 1000))


class CommendationQuerySchema(QuerySchema):
    community_id = Int(load_default=None)
    year = Int(required=True, validate=in_range(2000, 2100))
    format = Str(load_default="json", validate=one_of(["json", "csv", "xlsx"]))


class CommendationSchema(BaseSchema):
    year = fields.Integer()
    community_id = fields.Integer()
    volunteers = fields.Method("dump_volunteers")
    organizations = fields.List(fields.Nested(BoardRowSchema))

    def dump_volunteers(self, report):
        from wishboard.privacy import mask_phone

        rows = BoardRowSchema().dump(report.volunteers, many=True)
        for row in rows:
            row["phone"] = mask_phone(report.phones.get(row["id"], ""))
            row["name_hidden_on_boards"] = row["id"] in report.hidden_names
        return rows
