"""The honour board (光荣榜) and a volunteer's points card."""


from flask import render_template, request

from wishboard.accounts.models import VolunteerType
from wishboard.blueprints.web import bp, viewer
from wishboard.core.schemas import load_or_raise
from wishboard.matching import services as matching
from wishboard.places import services as places
from wishboard.points import services as points
from wishboard.points.models import RULE_LABELS
from wishboard.points.schemas import LeaderboardQuerySchema


@bp.get("/communities/<int:community_id>/honor")
def honor_board(community_id):
    """光荣榜: volunteers and organisations by points, for all time, a year, a quarter, a month."""
    place = places.get_community(community_id)
    query = load_or_raise(LeaderboardQuerySchema(),
                          {"community_id": str(place.id), "per_page": "50",
                           **{k: v for k, v in request.args.items() if v.strip()}})
    period = points.period_key(query["period"], year=query["year"], quarter=query["quarter"],
                               month=query["month"])
    rows, total = points.leaderboard(place.id, kind=query["kind"], period=period,
                                     volunteer_type=query["volunteer_type"],
                                     page=query["page"], per_page=query["per_page"])
    return render_template("web/honor.html", community=place, rows=rows, total=total,
                           query=query, period=period, rules=points.rules_for(place.id),
                           rule_labels=RULE_LABELS, volunteer_types=list(VolunteerType))


@bp.get("/volunteers/<int:user_id>")
def points_card(user_id):
    """志愿服务积分卡, printable."""
    card = points.points_card(user_id, viewer=viewer(), per_page=100)
    return render_template("web/points_card.html", card=card,
                           offer=matching.public_offer(card.volunteer.id))
