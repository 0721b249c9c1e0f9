"""The community's points rules and the annual commendation (年度表彰)."""

from flask import render_template, request
from flask_login import current_user

from wishboard.accounts.models import STAFF, Role
from wishboard.blueprints.admin import bp, community_page, managed_community_id
from wishboard.blueprints.forms import handle_form
from wishboard.blueprints.login import roles_required
from wishboard.points import services as points
from wishboard.points.models import RULE_LABELS
from wishboard.points.schemas import PointsRulesSchema


@bp.route("/points-rules", methods=["GET", "POST"])
@roles_required(Role.SECRETARY)
def points_rules():
    """The community's points rules: shown, and changed from now on."""
    community_id = current_user.community_id
    form, sent = handle_form(PointsRulesSchema,
                             lambda d: points.update_rules(current_user, community_id, **d),
                             done="积分规则已保存，从现在起生效")
    return sent or render_template("admin/points_rules.html", form=form,
                                   rules=points.rules_for(community_id), labels=RULE_LABELS)


@bp.get("/commendation")
@roles_required(*STAFF)
def commendation():
    """年度表彰: the year's lists, with downloads for printing."""
    community_id = managed_community_id()
    year = request.args.get("year", type=int)
    if year is None or not 2000 <= year <= 2099:  # this century, as every date
        year = int(points.period_key("year"))
    report = points.commendation(current_user, community_id, year) if community_id else None
    return community_page("admin/commendation.html", community_id, report=report, year=year)
