"""The four blueprints and where they live."""

from flask import Flask
from werkzeug.routing import IntegerConverter


class IdConverter(IntegerConverter):
    """``<int:...>`` in every route. An id no column can hold (above 2**31-1) becomes 0, an
    id no row has, so the view answers 404 like for any other missing row. (Refusing it in
    the converter instead would make werkzeug answer 405 where another method's rule shares
    the path.)"""

    def to_python(self, value: str) -> int:
        number = int(value)
        return number if number <= 2 ** 31 - 1 else 0


def register_blueprints(app: Flask) -> None:
    from wishboard.blueprints.admin import bp as admin_bp
    from wishboard.blueprints.api import bp as api_bp
    from wishboard.blueprints.auth import bp as auth_bp
    from wishboard.blueprints.web import bp as web_bp

    app.url_map.converters["int"] = IdConverter
    app.register_blueprint(web_bp)
    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(admin_bp, url_prefix="/manage")
    app.register_blueprint(api_bp, url_prefix="/api/v1")
