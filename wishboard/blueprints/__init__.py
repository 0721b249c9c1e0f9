"""The four blueprints and where they live."""

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from wishboard.blueprints.admin import bp as admin_bp
    from wishboard.blueprints.api import bp as api_bp
    from wishboard.blueprints.auth import bp as auth_bp
    from wishboard.blueprints.web import bp as web_bp

    app.register_blueprint(web_bp)
    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(admin_bp, url_prefix="/manage")
    app.register_blueprint(api_bp, url_prefix="/api/v1")
