"""Wishes: the board, one wish with its story, publishing, the moves on a wish (from
``wishboard.blueprints.wish_actions``), closing and cancelling, who saw its private details, and a
volunteer's claims."""

from flask_login import current_user

from wishboard.accounts.models import STAFF, Role
from wishboard.audit import services as audit
from wishboard.audit.schemas import AuditEntrySchema
from wishboard.blueprints.api import bp
from wishboard.blueprints.api.helpers import also_answers, responds, use_schema
from wishboard.blueprints.login import login_required, roles_required
from wishboard.blueprints.wish_actions import WISH_ACTIONS, WishAction
from wishboard.core.schemas import ReasonSchema
from wishboard.wishes import board, services as wishes
from wishboard.wishes.schemas import (
    ClaimListQuerySchema, ClaimSchema, WishCreateSchema, WishDetailSchema, WishQuerySchema,
    WishSchema,
)


@bp.get("/wishes")
@also_answers({403: "a status the viewer may not list (pending or rejected wishes are the "
                    "secretary's)"})
@responds(WishSchema, paginated="cursor")
@use_schema(WishQuerySchema, location="query")
def list_wishes(query):
    """The board: wishes newest first, filtered; private details masked for the public."""
    viewer = current_user if current_user.is_authenticated else None
    return board.list_wishes(viewer=viewer, **query)


@bp.get("/wishes/<int:wish_id>")
@responds(WishDetailSchema)
def get_wish(wish_id):
    """One wish with its timeline, its claim and responsibility letter, its ratings, and
    what the viewer may do. The people served show in full only to the claimant, the
    community's staff and themselves, and each such sight is recorded in the audit log."""
    viewer = current_user if current_user.is_authenticated else None
    return board.read_wish(viewer, wish_id)


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


@bp.get("/claims")
@roles_required(Role.VOLUNTEER)
@responds(ClaimSchema, many=True)
@use_schema(ClaimListQuerySchema, location="query")
def my_claims(query):
    """My claims, live ones first, soonest due first."""
    return board.claims_of(current_user, **query)
