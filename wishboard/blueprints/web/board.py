"""The home page and a community's board of wishes."""


from flask import redirect, render_template, request, url_for
from flask_login import current_user

from wishboard.blueprints.web import bp, viewer
from wishboard.core.schemas import load_or_raise
from wishboard.organizations import services as organizations
from wishboard.places import services as places
from wishboard.wishes import services as wishes
from wishboard.wishes.models import WishKind
from wishboard.wishes.schemas import WishQuerySchema
from wishboard.wishes.states import BOARD_STATES, WishState


@bp.get("/")
def index():
    """A member goes straight to their community's board; visitors choose a community."""
    if current_user.is_authenticated and current_user.community_id:
        return redirect(url_for("web.community", community_id=current_user.community_id))
    communities, _ = places.list_communities(level="community", per_page=100)
    return render_template("web/index.html", communities=communities,
                           categories=places.list_categories())


@bp.get("/communities/<int:community_id>")
def community(community_id):
    """The board: open wishes newest first, filtered by category, grid, kind, status, words."""
    place, grid = places.community_with_grid(community_id)
    if not place.is_community:
        return render_template("web/place.html", community=place, children=grid)
    args = {k: v for k, v in request.args.items() if v.strip()}
    if "status" not in request.args:  # the board opens on what can be claimed; "" is all
        args["status"] = WishState.OPEN.value
    query = load_or_raise(WishQuerySchema(), args)
    query["community_id"] = place.id
    board = wishes.list_wishes(viewer=viewer(), people=False, **query)
    grid_options = places.grid_options(grid)
    return render_template(
        "web/board.html", community=place, board=board, query=query,
        grid_options=grid_options, grid_paths=dict(grid_options), categories=places.list_categories(),
        states=BOARD_STATES, kinds=list(WishKind),
        organizations=organizations.community_organizations(place.id))
