"""Needs, wishes and their lifecycle, ratings, claims and the inbox."""

from flask import jsonify
from flask_login import current_user

from wishboard.accounts.login import login_required, roles_required
from wishboard.accounts.models import Role
from wishboard.audit import services as audit
from wishboard.audit.schemas import AuditEntrySchema
from wishboard.blueprints.api import bp
from wishboard.blueprints.api.helpers import responds, use_schema
from wishboard.core.schemas import ReasonSchema
from wishboard.needs import services as needs
from wishboard.needs.schemas import NeedCreateSchema, NeedPublishSchema, NeedQuerySchema, NeedSchema
from wishboard.notifications import services as notifications
from wishboard.notifications.schemas import (
    NotificationQuerySchema, NotificationReadSchema, NotificationSchema,
)
from wishboard.ratings import services as ratings
from wishboard.ratings.schemas import RatingCreateSchema, RatingSchema
from wishboard.wishes import services as wishes
from wishboard.wishes.actions import WISH_ACTIONS, WishAction
from wishboard.wishes.schemas import (
    ClaimListQuerySchema, ClaimSchema, WishCreateSchema, WishDetailSchema, WishQuerySchema,
    WishSchema,
)

STAFF = (Role.SECRETARY, Role.ADMIN)


@bp.post("/needs")
@roles_required(Role.RESIDENT, Role.SECRETARY)
@responds(NeedSchema, 201)
@use_schema(NeedCreateSchema)
def create_need(data):
    """A resident posts a need; a secretary records one for a resident (代录, contact_name)."""
    return needs.submit_need(current_user, **data)


@bp.get("/needs")
@login_required
@responds(NeedSchema, paginated=True)
@use_schema(NeedQuerySchema, location="query")
def list_needs(query):
    """My needs (resident), or my community's needs (secretary), newest first."""
    return needs.list_needs(current_user, shown=True, **query)


@bp.get("/needs/<int:need_id>")
@login_required
@responds(NeedSchema)
def get_need(need_id):
    """One need: for the resident who posted it and the community's secretary."""
    return needs.need_for(current_user, need_id)


@bp.post("/needs/<int:need_id>/publish")
@roles_required(*STAFF)
@responds(WishSchema, 201)
@use_schema(NeedPublishSchema)
def publish_need(data, need_id):
    """Publish a need as a wish, or merge it into an open or claimed wish (wish_id)."""
    return wishes.publish_need(current_user, need_id, **data)


@bp.post("/needs/<int:need_id>/reject")
@roles_required(*STAFF)
@responds(NeedSchema)
@use_schema(ReasonSchema)
def reject_need(data, need_id):
    """Decline a need, with a reason the resident sees."""
    return needs.reject_need(current_user, need_id, data["reason"])


@bp.get("/wishes")
@responds(WishSchema, paginated=True)
@use_schema(WishQuerySchema, location="query")
def list_wishes(query):
    """The board: wishes newest first, filtered; private details masked for the public."""
    viewer = current_user if current_user.is_authenticated else None
    return wishes.list_wishes(viewer=viewer, **query)


@bp.get("/wishes/<int:wish_id>")
@responds(WishDetailSchema)
def get_wish(wish_id):
    """One wish with its timeline, its claim and responsibility letter, its ratings, and
    what the viewer may do. The people served show in full only to the claimant, the
    community's staff and themselves, and each such sight is recorded in the audit log."""
    viewer = current_user if current_user.is_authenticated else None
    return wishes.read_wish(viewer, wish_id)


@bp.post("/wishes")
@roles_required(*STAFF)
@responds(WishSchema, 201)
@use_schema(WishCreateSchema)
def create_wish(data):
    """Publish a wish (open for claiming), optionally answering collected needs."""
    return wishes.create_wish(current_user, **data)


def _wish_action_view(action: WishAction):
    """POST /wishes/<id>/<action.name>: validate the body, run the use case, answer the wish."""

    def view(data, wish_id):
        return action.use_case(current_user, wish_id, **data)

    view.__name__, view.__doc__ = action.operation, action.summary
    return login_required(responds(WishSchema)(use_schema(action.schema)(view)))


for _action in WISH_ACTIONS:
    bp.add_url_rule(f"/wishes/<int:wish_id>/{_action.name}", view_func=_wish_action_view(_action),
                    methods=["POST"])


@bp.get("/wishes/<int:wish_id>/private-views")
@roles_required(*STAFF)
@responds(AuditEntrySchema, many=True)
def private_views(wish_id):
    """Who saw the private details of this wish's people, newest first (the secretary)."""
    return audit.private_views(current_user, wish_id)


@bp.post("/wishes/<int:wish_id>/close")
@roles_required(*STAFF)
@responds(WishSchema)
def close_wish(wish_id):
    """Close a completed wish (secretary)."""
    return wishes.close_wish(current_user, wish_id)


@bp.post("/wishes/<int:wish_id>/cancel")
@roles_required(*STAFF)
@responds(WishSchema)
@use_schema(ReasonSchema)
def cancel_wish(data, wish_id):
    """Cancel an open or claimed wish, with a reason (secretary)."""
    return wishes.cancel_wish(current_user, wish_id, data["reason"])


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


@bp.get("/claims")
@roles_required(Role.VOLUNTEER)
@responds(ClaimSchema, many=True)
@use_schema(ClaimListQuerySchema, location="query")
def my_claims(query):
    """My claims, live ones first, soonest due first."""
    return wishes.claims_of(current_user, **query)


@bp.get("/notifications")
@login_required
@responds(NotificationSchema, paginated=True)
@use_schema(NotificationQuerySchema, location="query")
def list_notifications(query):
    """My inbox, newest first."""
    return notifications.list_notifications(current_user, **query)


@bp.post("/notifications/read")
@login_required
@use_schema(NotificationReadSchema)
def read_notifications(data):
    """Mark the given notifications (or, without ids, all) read; answers how many."""
    updated = notifications.mark_read(current_user, data["ids"])
    return jsonify({"updated": updated, "unread": notifications.unread_count(current_user)})
