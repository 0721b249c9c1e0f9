"""Pages for everyone (home, a community's board, a wish's story, activities, the honour
board) and for residents and volunteers (post a need, claim, complete, rate, my inbox)."""

from urllib.parse import urlsplit

from flask import Blueprint
from flask_login import current_user

bp = Blueprint("web", __name__)


def safe_next(target: str | None, default: str) -> str:
    """Only same-site paths are followed after a redirect."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def viewer():
    """The person looking, or None for the public."""
    return current_user if current_user.is_authenticated else None


from wishboard.blueprints.web import (  # noqa: E402,F401
    accounts, activities, board, grid, matching, needs, notifications, points, projects, ratings,
    share, wishes,
    invitations, organizations, serviceid,
    honours,
    stats,
)
