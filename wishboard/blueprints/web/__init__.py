"""Public pages: home, a community's page, the 长辈版 switch."""

from flask import Blueprint

bp = Blueprint("web", __name__)


from wishboard.blueprints.web import activities, views  # noqa: E402,F401
