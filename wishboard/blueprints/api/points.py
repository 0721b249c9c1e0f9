"""Leaderboards, points cards, the community's points rules, the annual commendation."""

from flask import Response
from flask_login import current_user

from wishboard.accounts.models import STAFF
from wishboard.blueprints.api import bp
from wishboard.blueprints.api.helpers import also_returns, responds, use_schema
from wishboard.blueprints.login import roles_required
from wishboard.places import services as places
from wishboard.points import services as points
from wishboard.points.export import commendation_csv, commendation_xlsx
from wishboard.points.schemas import (
    CommendationQuerySchema, CommendationSchema, LeaderboardQuerySchema, LeaderboardSchema,
    PointsCardQuerySchema, PointsCardSchema, PointsRulesSchema,
)


@bp.get("/leaderboard")
@responds(LeaderboardSchema)
@use_schema(LeaderboardQuerySchema, location="query")
def leaderboard(query):
    """光荣榜: volunteers or organisations ranked by points for all time, a year, a quarter
    or a month; ties go to more completions, then more hours, then the earlier member."""
    period = points.period_key(query["period"], year=query["year"], quarter=query["quarter"],
                               month=query["month"])
    items, total = points.leaderboard(
        query["community_id"], kind=query["kind"], period=period,
        volunteer_type=query["volunteer_type"], page=query["page"], per_page=query["per_page"])
    return {"items": items, "page": query["page"], "per_page": query["per_page"],
            "total": total, "period": period}


@bp.get("/volunteers/<int:user_id>")
@responds(PointsCardSchema)
@use_schema(PointsCardQuerySchema, location="query")
def volunteer_card(query, user_id):
    """A volunteer's public profile and points card (志愿服务积分卡) with the ledger."""
    viewer = current_user if current_user.is_authenticated else None
    return points.points_card(user_id, viewer=viewer, **query)


@bp.get("/communities/<int:community_id>/points-rules")
@responds(PointsRulesSchema)
def get_points_rules(community_id):
    """The community's points rules, public so everyone can see how points are earned."""
    places.get_community(community_id)
    return points.rules_for(community_id)


@bp.put("/communities/<int:community_id>/points-rules")
@roles_required(*STAFF)
@responds(PointsRulesSchema)
@use_schema(PointsRulesSchema)
def update_points_rules(data, community_id):
    """Change the rules (that community's secretary); entries from now on use them."""
    return points.update_rules(current_user, community_id, **data)


@bp.get("/commendation")
@roles_required(*STAFF)
@also_returns("text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
@responds(CommendationSchema)
@use_schema(CommendationQuerySchema, location="query")
def commendation(query):
    """年度表彰: the year's ranked volunteers and organisations, as JSON, CSV or Excel."""
    community_id = query["community_id"] or current_user.community_id
    community = places.get_community(community_id)
    report = points.commendation(current_user, community_id, query["year"])
    filename = f"commendation-{community_id}-{query['year']}"
    if query["format"] == "csv":
        return Response(commendation_csv(report), mimetype="text/csv",
                        headers={"Content-Disposition": f"attachment; filename={filename}.csv"})
    if query["format"] == "xlsx":
        return Response(
            commendation_xlsx(report, community.name),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f"attachment; filename={filename}.xlsx"})
    return report
