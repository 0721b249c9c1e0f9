from urllib.parse import urlsplit

from flask import make_response, redirect, render_template, request, url_for

from wishboard.blueprints.web import bp
from wishboard.services import places
from wishboard.templating import LARGE_MODE_COOKIE, large_mode


def safe_next(target: str | None, default: str) -> str:
    """Only same-site paths are followed after a redirect."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


@bp.get("/")
def index():
    communities, _ = places.list_communities(level="community", per_page=100)
    return render_template("web/index.html", communities=communities,
                           categories=places.list_categories())


@bp.get("/communities/<int:community_id>")
def community(community_id):
    place = places.get_community(community_id)
    return render_template("web/community.html", community=place,
                           grid=places.community_grid(place),
                           organizations=places.list_organizations(place.id)
                           if place.is_community else [])


@bp.route("/large-mode", methods=["GET", "POST"])
def toggle_large_mode():
    """长辈版: bigger type and buttons, remembered for a year. A plain link works without JS."""
    response = make_response(redirect(safe_next(request.values.get("next"), url_for("web.index"))))
    response.set_cookie(LARGE_MODE_COOKIE, "0" if large_mode() else "1",
                        max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response
