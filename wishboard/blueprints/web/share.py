"""Sharing a wish or an activity: in WeChat (the page's own address as a QR code, and the
link card's metadata in the page itself) and on the courtyard's notice board (a printable
A4 poster with that code). Public, like the pages: only what the page shows the public."""

from flask import current_app, render_template

from wishboard.activities import services as activities
from wishboard.blueprints.qr import qr_image
from wishboard.blueprints.web import bp
from wishboard.templating import public_url
from wishboard.wishes import services as wishes



def _share_code_headers() -> dict[str, str]:
    """The code only ever names the public page: any cache may keep it for a day. Built on
    the request's host (no PUBLIC_URL), it varies with that host. (For someone signed in
    every answer is no-store anyway: wishboard.security.)"""
    headers = {"Cache-Control": "public, max-age=86400"}
    if not current_app.config.get("PUBLIC_URL"):
        headers["Vary"] = "Host"
    return headers


@bp.get("/wishes/<int:wish_id>/poster")
def wish_poster(wish_id):
    return render_template("web/wish_poster.html", wish=wishes.public_wish(wish_id))


@bp.get("/wishes/<int:wish_id>/share-qr.<any(svg, png):kind>")
def wish_share_qr(wish_id, kind):
    wish = wishes.public_wish(wish_id)
    return qr_image(public_url("web.wish_detail", wish_id=wish.id), kind=kind,
                    headers=_share_code_headers())


@bp.get("/activities/<int:activity_id>/poster")
def activity_poster(activity_id):
    return render_template("web/activity_poster.html",
                           activity=activities.get_activity(activity_id))


@bp.get("/activities/<int:activity_id>/share-qr.<any(svg, png):kind>")
def activity_share_qr(activity_id, kind):
    activity = activities.get_activity(activity_id)
    return qr_image(public_url("web.activity_detail", activity_id=activity.id), kind=kind,
                    headers=_share_code_headers())
