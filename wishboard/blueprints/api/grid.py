"""Grid contacts (楼栋长, 院落长, 网格员): a place's contact card, giving and taking back a
duty, the needs a contact looks after, and where I live."""

from flask import Response
from flask_login import current_user

from wishboard.accounts.models import STAFF, Role
from wishboard.blueprints.api import bp
from wishboard.blueprints.api.helpers import also_answers, responds, use_schema
from wishboard.blueprints.login import login_required, roles_required
from wishboard.grid import services as grid
from wishboard.grid.schemas import (
    ContactCardSchema, ContactCreateSchema, ContactSchema, GridNeedQuerySchema, GridNeedSchema,
    HomePlaceSchema, HomePlaceUpdateSchema,
)


@bp.get("/places/<int:place_id>/contacts")
@responds(ContactCardSchema)
def list_place_contacts(place_id):
    """A place's contact card: the 楼栋长, 院落长 and 网格员 of the place, of the places it
    lies in and of those inside it. Phones are masked (138****5678) except for the contact,
    the community's staff, and verified residents or approved volunteers who live in that
    place or inside it; each number shown in full is written to the audit log."""
    return grid.contact_card(current_user if current_user.is_authenticated else None,
                             place_id)


@bp.post("/places/<int:place_id>/contacts")
@roles_required(*STAFF)
@also_answers({409: "the person already holds this duty here (grid_contact_exists)"})
@responds(ContactSchema, 201)
@use_schema(ContactCreateSchema)
def assign_place_contact(data, place_id):
    """Give a resident or volunteer of the community a duty on a grid place: 楼栋长 on a
    楼栋, 院落长 on a 院落, 网格员 on any grid place (the community's secretary, or an
    admin). The person is named by ``user_id``, or by ``phone``."""
    return grid.assign_contact(current_user, place_id, **data)


@bp.delete("/places/<int:place_id>/contacts/<int:contact_id>")
@roles_required(*STAFF)
def remove_place_contact(place_id, contact_id):
    """Take a duty back (the community's secretary, or an admin)."""
    grid.remove_contact(current_user, place_id, contact_id)
    return Response(status=204)


remove_place_contact.response_schema = (None, 204, False, False)


@bp.get("/me/grid-needs")
@login_required
@responds(GridNeedSchema, paginated=True)
@use_schema(GridNeedQuerySchema, location="query")
def my_grid_needs(query):
    """The needs of the grid places I answer for and of the places inside them, newest
    first: title, state, when, where, and the resident's name masked (their words, phone
    and address stay with the community's staff). Empty for someone with no duty."""
    return grid.list_grid_needs(current_user, **query)


@bp.get("/me/home-place")
@roles_required(Role.RESIDENT, Role.VOLUNTEER)
@responds(HomePlaceSchema)
def my_home_place():
    """The grid place I live in (null: not said)."""
    return grid.get_home_place(current_user)


@bp.put("/me/home-place")
@roles_required(Role.RESIDENT, Role.VOLUNTEER)
@responds(HomePlaceSchema)
@use_schema(HomePlaceUpdateSchema)
def set_my_home_place(data):
    """Say which grid place of my community I live in (a volunteer's is the home place of
    their service profile). A verified resident or approved volunteer then sees in full
    the numbers of the contacts of that place and the places it lies in."""
    return grid.set_home_place(current_user, data["place_id"])
