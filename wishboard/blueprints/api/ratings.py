"""Ratings (群众点评) of a completed wish, and their withdrawal by the secretary."""

from flask_login import current_user

from wishboard.accounts.models import STAFF
from wishboard.blueprints.api import bp
from wishboard.blueprints.api.helpers import responds, use_schema
from wishboard.blueprints.login import login_required, roles_required
from wishboard.core.schemas import ReasonSchema
from wishboard.ratings import services as ratings
from wishboard.ratings.schemas import RatingCreateSchema, RatingSchema


@bp.post("/wishes/<int:wish_id>/ratings")
@login_required
@responds(RatingSchema, 201)
@use_schema(RatingCreateSchema)
def rate_wish(data, wish_id):
    """Rate a completed wish, 1 to 5 stars (residents; a secretary records for a
    beneficiary without a phone with beneficiary_id)."""
    return ratings.rate_wish(current_user, wish_id, **data)


@bp.post("/ratings/<int:rating_id>/remove")
@roles_required(*STAFF)
@responds(RatingSchema)
@use_schema(ReasonSchema)
def remove_rating(data, rating_id):
    """Withdraw an abusive rating (the community's secretary); its points are reversed."""
    return ratings.remove_rating(current_user, rating_id, data["reason"])
