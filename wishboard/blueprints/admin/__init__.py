"""Management pages for secretaries (报到 queue, needs, wishes, hours, residents, the grid,
organisations, points rules, commendation, the audit log) and admins (communities,
secretaries, categories), under /manage."""

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from wishboard import access
from wishboard.access import is_rollup_account
from wishboard.blueprints import id_arg
from wishboard.places import services as place_services

bp = Blueprint("admin", __name__)

# What a 街道/区 account (``access.is_rollup_account``) opens here: it has no community to
# manage, so every other management page shows it the roll-up instead.
ROLLUP_ACCOUNT_PAGES = frozenset({"admin.rollup"})


@bp.before_request
def _rollup_accounts_see_the_rollup():
    if request.endpoint not in ROLLUP_ACCOUNT_PAGES and is_rollup_account(current_user):
        return redirect(url_for("admin.rollup"))
    return None


@bp.context_processor
def _account_kind():
    return {"rollup_account": is_rollup_account(current_user)}


def managed_community_id() -> int | None:
    """The community this management page is about, by the rule book's one staff-scope rule
    (``access.managed_community_id``): a secretary's own; an admin's pick, ?community_id=."""
    return access.managed_community_id(current_user, id_arg(request.values, "community_id"))


def community_page(template: str, community_id: int | None, **context):
    """A page about one community, with the picker an admin chooses the community with
    (a secretary has only their own, and no picker)."""
    communities = place_services.list_communities(level="community", per_page=100)[0] \
        if current_user.is_admin else []
    return render_template(template, community_id=community_id, communities=communities,
                           **context)


from wishboard.blueprints.admin import (  # noqa: E402,F401  isort: skip
    accounts, audit, channels, dashboard, needs, organizations, places, points, wishes,
    honours,
    stats,
)
