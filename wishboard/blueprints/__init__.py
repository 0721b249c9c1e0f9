"""The blueprints and where they live."""

from flask import Flask
from werkzeug.routing import IntegerConverter

ID_MAX = 2 ** 31 - 1  # what an INTEGER column holds


class IdConverter(IntegerConverter):
    """``<int:...>`` in every route: ASCII digits only, at most ten of them (longer is no
    route at all: 404). An id no column can hold becomes 0, an id no row has, so the view
    answers 404 like for any other missing row. (Refusing it in the converter instead would
    make werkzeug answer 405 where another method's rule shares the path.)"""

    regex = r"[0-9]{1,10}"

    def to_python(self, value: str) -> int:
        number = int(value)
        return number if number <= ID_MAX else 0


def id_arg(values, name: str) -> int | None:
    """An id from a query string or a form (``request.args``, ``request.form``): None when
    it is missing or not a number, 0 (no row has it) when no column could hold it."""
    text = values.get(name, "")
    if not (text.isascii() and text.isdigit()):
        return None
    return int(text) if len(text) <= 10 and int(text) <= ID_MAX else 0


def register_blueprints(app: Flask) -> None:
    from wishboard.blueprints.admin import bp as admin_bp
    from wishboard.blueprints.api import bp as api_bp
    from wishboard.blueprints.auth import bp as auth_bp
    from wishboard.blueprints.health import bp as health_bp
    from wishboard.blueprints.web import bp as web_bp

    app.url_map.converters["int"] = IdConverter
    app.register_blueprint(health_bp)
    app.register_blueprint(web_bp)
    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(admin_bp, url_prefix="/manage")
    app.register_blueprint(api_bp, url_prefix="/api/v1")
