"""The secretary's first page: what waits for them, and what the stale-work policy will do
soon."""

from flask import render_template
from flask_login import current_user

from wishboard.accounts import services as accounts
from wishboard.accounts.models import STAFF
from wishboard.blueprints.admin import bp
from wishboard.blueprints.login import roles_required
from wishboard.jobs import sweeps
from wishboard.needs import services as needs
from wishboard.organizations import services as organizations
from wishboard.stats import services as stats
from wishboard.wishes import services as wishes


@bp.get("/")
@roles_required(*STAFF)
def dashboard():
    counts = {}
    if current_user.community_id:
        _, counts["reports"] = accounts.list_volunteers(current_user, per_page=1)
        _, counts["organizations"] = organizations.list_organizations(
            current_user, community_id=current_user.community_id, status="pending", per_page=1)
        _, counts["needs"] = needs.list_needs(current_user, status="new", per_page=1)
        counts["completed"] = wishes.list_wishes(
            viewer=current_user, community_id=current_user.community_id, status="completed",
            per_page=1).total
        counts["hours"] = len(wishes.hours_queue(current_user, current_user.community_id))
        _, counts["residents"] = accounts.list_residents(current_user, verified=False,
                                                         per_page=1)
    soon = sweeps.upcoming(current_user.community_id) if current_user.community_id else []
    # The last twelve months' key figures, leading to the statistics (统计).
    figures = stats.community_stats(current_user.community_id) if current_user.community_id \
        else None
    return render_template("admin/dashboard.html", counts=counts, soon=soon, figures=figures,
                           this_month=stats.current_month())
