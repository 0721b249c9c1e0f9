"""统计: the community's numbers for its secretary, the wish list as a download, and the
roll-up of a street or district (汇总) for the accounts placed there."""

from flask import Response, render_template, request
from flask_login import current_user

from wishboard.accounts.models import STAFF
from wishboard.blueprints import id_arg
from wishboard.blueprints.admin import bp, community_page, managed_community_id
from wishboard.blueprints.login import roles_required
from wishboard.core.schemas import load_or_raise
from wishboard.places import services as places
from wishboard.places.models import PlaceLevel
from wishboard.stats import services as stats
from wishboard.stats.charts import community_charts
from wishboard.stats.export import wishes_csv, wishes_xlsx
from wishboard.stats.schemas import (
    RollupLeaderboardQuerySchema, RollupQuerySchema, WishExportQuerySchema, months_asked,
)
from wishboard.wishes.models import WishKind
from wishboard.wishes.states import PUBLIC_STATES


@bp.get("/stats")
@roles_required(*STAFF)
def stats_page():
    """统计: the months' charts and tables, the key figures, and the wish list to download."""
    community_id = managed_community_id()
    query, range_form = months_asked(request.args.to_dict())
    found = stats.community_stats(community_id, first=query["first"], last=query["last"]) \
        if community_id else None
    grid = places.community_with_grid(community_id)[1] if found else []
    return community_page(
        "admin/stats.html", community_id, stats=found,
        charts=community_charts(found) if found else [], this_month=stats.current_month(),
        states=PUBLIC_STATES, kinds=list(WishKind), categories=places.list_categories(),
        grid_options=places.grid_options(grid), range_form=range_form)


@bp.get("/wishes/export")
@roles_required(*STAFF)
def export_wishes():
    """The wish list with the board's filters, as CSV or an Excel workbook."""
    query = load_or_raise(WishExportQuerySchema(), request.args.to_dict())
    community_id = managed_community_id()
    file_format = query.pop("format")
    query.pop("community_id")
    export = stats.export_wishes(current_user, community_id or 0, **query)
    name = f"wishes-{export.community.id}-{stats.month_key(stats.current_month())}"
    if file_format == "xlsx":
        return Response(
            wishes_xlsx(export),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f"attachment; filename={name}.xlsx"})
    return Response(wishes_csv(export), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={name}.csv"})


def _default_place_id() -> int | None:
    """Whose roll-up a page opens on: a 街道/区 account's own place; a community secretary's
    street (or whatever is above their community); an admin picks (the first district)."""
    if current_user.is_admin:
        tops, _ = places.list_communities(level=PlaceLevel.DISTRICT.value, per_page=1)
        return tops[0].id if tops else None
    place = current_user.community
    if place is not None and place.is_community and place.parent_id is not None:
        return place.parent_id
    return current_user.community_id


@bp.get("/rollup")
@roles_required(*STAFF)
def rollup():
    """汇总: the communities of a street or district side by side (sortable), and its
    leaderboards of volunteers and organisations."""
    place_id = id_arg(request.args, "place_id") or _default_place_id()
    query, range_form = months_asked(request.args.to_dict(), RollupQuerySchema)
    board_query = load_or_raise(RollupLeaderboardQuerySchema(), {
        k: v for k, v in request.args.items() if k in ("kind", "period", "year", "page")})
    picker = []
    if current_user.is_admin:  # the places above communities, to choose from
        for level in (PlaceLevel.DISTRICT, PlaceLevel.STREET, PlaceLevel.COUNTY,
                      PlaceLevel.TOWN):
            picker += places.list_communities(level=level.value, per_page=100)[0]
    if place_id is None:
        return render_template("admin/rollup.html", found=None, picker=picker)
    found = stats.rollup(current_user, place_id, first=query["first"], last=query["last"],
                         sort=query["sort"], order=query["order"])
    period = stats.period_of(board_query["period"], board_query["year"])
    board, total = stats.rollup_leaderboard(
        current_user, found.place.id, kind=board_query["kind"], period=period,
        page=board_query["page"], per_page=20)
    return render_template("admin/rollup.html", found=found, picker=picker, board=board,
                           board_total=total, board_query=board_query, period=period,
                           this_month=stats.current_month(), query=query,
                           range_form=range_form)
