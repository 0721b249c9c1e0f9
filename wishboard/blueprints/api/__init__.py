"""The JSON API of ../shared/API.md, under /api/v1."""

from flask import Blueprint, request
from flask_login import current_user

from wishboard.blueprints.login import bearer_token
from wishboard.extensions import csrf

bp = Blueprint("api", __name__)
csrf.exempt(bp)


@bp.before_request
def _csrf_for_cookie_sessions():
    """Token clients are immune to CSRF; a browser session writing to the API is not."""
    if request.method in ("GET", "HEAD", "OPTIONS") or bearer_token() is not None:
        return
    if current_user.is_authenticated:
        csrf.protect()


from wishboard.blueprints.api import (  # noqa: E402,F401  isort: skip
    accounts, activities, audit, grid, matching, needs, notifications, openapi, places, points,
    projects, ratings, wishes,
    invitations, organizations, serviceid,
    honours,
    stats,
)
