"""Log in, log out, register, my account."""

from flask import Blueprint

bp = Blueprint("auth", __name__)


from wishboard.blueprints.auth import views  # noqa: E402,F401
