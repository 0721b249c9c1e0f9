"""网格联系人: a place's contact card (public, cached for visitors: numbers masked),
我负责的网格 (the needs of the places a 楼栋长, 院落长 or 网格员 answers for), and where a
resident lives."""

from flask import render_template, request
from flask_login import current_user

from wishboard.accounts.models import Role
from wishboard.blueprints.forms import done, submit_form
from wishboard.blueprints.login import login_required, roles_required
from wishboard.blueprints.web import bp, viewer
from wishboard.core.schemas import load_or_raise
from wishboard.grid import services as grid
from wishboard.grid.schemas import GridNeedQuerySchema, HomePlaceUpdateSchema
from wishboard.places import services as places


@bp.get("/places/<int:place_id>/contacts")
def place_contacts(place_id):
    """The contact card: who answers for this place, the places it lies in and those
    inside it. A visitor sees every number masked (this page is cached for visitors)."""
    card = grid.contact_card(viewer(), place_id)
    return render_template("web/place_contacts.html", card=card)


@bp.get("/me/grid")
@login_required
def my_grid():
    """我负责的网格: my places and the needs in them, newest first, names masked."""
    query = load_or_raise(GridNeedQuerySchema(), request.args.to_dict())
    needs, total = grid.list_grid_needs(current_user, **query)
    return render_template("web/my_grid.html", duties=grid.my_duties(current_user),
                           needs=needs, total=total, query=query)


@bp.post("/account/home")
@roles_required(Role.RESIDENT)
def set_home_place():
    """我住在: a resident chooses their grid place on 我的 (a volunteer, in their profile)."""
    values = {"place_id": request.form.get("place_id") or None}
    form = submit_form(HomePlaceUpdateSchema,
                       lambda d: grid.set_home_place(current_user, d["place_id"]),
                       values=values)
    if not form.ok:
        from wishboard.blueprints.auth.views import _account_page

        return _account_page(home_form=form), 400
    return done("已保存您住的网格", "auth.account", _anchor="home")


def home_choices(user) -> dict:
    """What 我的 shows of where a resident lives, and the places to choose from."""
    if user.role is not Role.RESIDENT or user.community_id is None:
        return {"home": None, "home_options": []}
    return {"home": grid.get_home_place(user),
            "home_options": places.grid_options(places.community_grid(user.community))}
