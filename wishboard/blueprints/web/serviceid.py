"""服务标识 on the pages: the volunteer's card with its code, and what a resident sees when
they scan it at the door."""

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from wishboard.blueprints import id_arg
from wishboard.blueprints.login import login_required
from wishboard.blueprints.qr import qr_image
from wishboard.blueprints.web import bp, viewer
from wishboard.errors import NotFoundError
from wishboard.grid.services import home_place_id_of
from wishboard.serviceid import services as serviceid
from wishboard.templating import public_url

# The card shows a new code this often (static/js/service_card.js).
REFRESH_SECONDS = 60


@bp.get("/me/service-card")
@login_required
def service_card():
    card = serviceid.card_of(current_user._get_current_object())
    return render_template("web/service_card.html", card=card, refresh=REFRESH_SECONDS)


@bp.get("/me/service-card/qr.svg")
@login_required
def service_card_qr():
    """A code made now, as the QR image on the card (the answer is no-store, as every
    answer to someone logged in)."""
    card = serviceid.card_of(current_user._get_current_object())
    return qr_image(public_url("web.check_service_id", code=card.code), kind="svg",
                    title=f"{card.user.name}的服务标识二维码")


@bp.post("/me/service-card/revoke")
@login_required
def revoke_service_card():
    me = current_user._get_current_object()
    serviceid.revoke(me, me.id)
    flash("之前出示过的二维码都已作废。现在显示的是新的二维码。", "success")
    return redirect(url_for("web.service_card"))


@bp.get("/id/<code>")
def check_service_id(code):
    """Public: anyone who scans the code at the door, logged in or not. A code never made
    here gets the same page, saying plainly not to open the door (not a bare 404)."""
    me = viewer()
    try:
        found = serviceid.check(code, viewer=me, place_id=id_arg(request.args, "place"))
        status = 200
    except NotFoundError:
        found, status = serviceid.Check(serviceid.UNKNOWN), 404
    # Whom to ask: the contacts of where the person asking lives, else their community.
    ask_place = home_place_id_of(me) or (me.community_id if me is not None else None)
    response = make_response(render_template("web/service_id_check.html", found=found,
                                             ask_place=ask_place), status)
    # Whether a code counts changes with the minute: never kept by any cache.
    response.headers["Cache-Control"] = "no-store"
    return response
