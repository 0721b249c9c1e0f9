"""Ratings, in and out."""

from __future__ import annotations

from marshmallow import fields

from wishboard.core.schemas import BaseSchema, Int, Str, in_range, length


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
    by_beneficiary = fields.Boolean(metadata={"description": "given by the person served"})
    counted = fields.Function(lambda r: r.counted_at is not None, metadata={
        "description": "its points are booked (false until the resident is verified or has "
                       "waited the community's period)"})
    created_at = fields.AwareDateTime()
    removed_at = fields.AwareDateTime(allow_none=True)
    removed_reason = fields.String(allow_none=True)
