"""Needs: a resident's, or one the secretary records; the secretary publishes or declines."""

from flask_login import current_user

from wishboard.accounts.models import STAFF, Role
from wishboard.blueprints.api import bp
from wishboard.blueprints.api.helpers import responds, use_schema
from wishboard.blueprints.login import login_required, roles_required
from wishboard.core.schemas import ReasonSchema
from wishboard.needs import services as needs
from wishboard.needs.schemas import NeedCreateSchema, NeedPublishSchema, NeedQuerySchema, NeedSchema
from wishboard.wishes import services as wishes
from wishboard.wishes.schemas import WishSchema


@bp.post("/needs")
@roles_required(Role.RESIDENT, Role.VOLUNTEER, Role.SECRETARY)
@responds(NeedSchema, 201)
@use_schema(NeedCreateSchema)
def create_need(data):
    """Someone who lives in the community (a resident, or a volunteer living there) posts a
    need for themselves; a secretary records one for a resident (代录, contact_name)."""
    return needs.submit_need(current_user, **data)


@bp.get("/needs")
@login_required
@responds(NeedSchema, paginated=True)
@use_schema(NeedQuerySchema, location="query")
def list_needs(query):
    """My needs (residents and volunteers), or my community's needs (secretary), newest
    first."""
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
