"""Management pages for secretaries (报到 queue, grid, organisations) and admins
(communities, secretaries, categories), under /manage."""

from flask import Blueprint

bp = Blueprint("admin", __name__)


from wishboard.blueprints.admin import views  # noqa: E402,F401
