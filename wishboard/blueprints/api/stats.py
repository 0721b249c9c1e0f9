"""A community's figures per month (public), and the roll-up of a street or district with its
leaderboards (its accounts, the secretaries on its line of the tree, admins)."""

from flask_login import current_user

from wishboard.blueprints.api import bp
from wishboard.blueprints.api.helpers import responds, use_schema
from wishboard.blueprints.login import login_required
from wishboard.stats import services as stats
from wishboard.stats.schemas import (
    CommunityStatsSchema, RollupLeaderboardQuerySchema, RollupLeaderboardSchema,
    RollupQuerySchema, RollupSchema, StatsQuerySchema,
)


@bp.get("/communities/<int:community_id>/stats")
@responds(CommunityStatsSchema)
@use_schema(StatsQuerySchema, location="query")
def community_stats(query, community_id):
    """述评公开: a community's figures per local month from `from` to `to` (by default the
    last twelve, at most 36), and for the whole range. Public: the same for everyone."""
    return stats.community_stats(community_id, first=query["first"], last=query["last"])


@bp.get("/places/<int:place_id>/rollup")
@login_required
@responds(RollupSchema)
@use_schema(RollupQuerySchema, location="query")
def place_rollup(query, place_id):
    """汇总: every community under a street or district with its figures for the range,
    sorted by `sort`, and the place's totals."""
    return stats.rollup(current_user, place_id, first=query["first"], last=query["last"],
                        sort=query["sort"], order=query["order"])


@bp.get("/places/<int:place_id>/leaderboard")
@login_required
@responds(RollupLeaderboardSchema)
@use_schema(RollupLeaderboardQuerySchema, location="query")
def place_leaderboard(query, place_id):
    """The district-wide 光荣榜: the volunteers or organisations of every community under a
    street or district, ranked together, for all time or a year."""
    period = stats.period_of(query["period"], query["year"])
    items, total = stats.rollup_leaderboard(current_user, place_id, kind=query["kind"],
                                            period=period, page=query["page"],
                                            per_page=query["per_page"])
    return {"items": items, "page": query["page"], "per_page": query["per_page"],
            "total": total, "period": period}
