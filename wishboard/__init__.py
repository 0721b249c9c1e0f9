"""Wishboard: the 微心愿 board. ``create_app`` wires the parts; it holds no logic."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import Config, config_from_env


def create_app(config_class: type[Config] | None = None, **overrides) -> Flask:
    from wishboard.core.jsontext import JSONProvider

    config_class = config_class or config_from_env()
    app = Flask(__name__, instance_path=os.environ.get("WISHBOARD_INSTANCE_PATH") or None)
    app.config.from_object(config_class)
    app.config.update(overrides)
    app.json = JSONProvider(app)  # Chinese as it is; see core/jsontext.py
    configure_secret_key(app)
    configure_database(app)
    configure_logging(app)
    register_extensions(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_security(app)
    register_page_cache(app)
    register_template_helpers(app)
    register_commands(app)
    if app.config.get("PROXY_FIX_X_FOR"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"], x_proto=1)
    return app


def configure_secret_key(app: Flask) -> None:
    if app.config.get("SECRET_KEY"):
        return
    if app.config.get("REQUIRE_SECRET_KEY"):
        raise RuntimeError(
            "SECRET_KEY is not set. The production configuration will not start without it: "
            "set SECRET_KEY in the environment to a long random string, e.g. "
            "python -c 'import secrets; print(secrets.token_hex(32))'"
        )
    # Development: a key kept in the instance folder, so sessions survive a restart.
    key_file = Path(app.instance_path) / "secret_key"
    key_file.parent.mkdir(parents=True, exist_ok=True)
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    app.config["SECRET_KEY"] = key_file.read_text().strip()


def configure_database(app: Flask) -> None:
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + str(
            Path(app.instance_path) / "wishboard.sqlite"
        )


def configure_logging(app: Flask) -> None:
    if not app.debug and not app.testing and not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def register_extensions(app: Flask) -> None:
    from wishboard import models  # noqa: F401  (every table, for the migrations)
    from wishboard import hooks  # noqa: F401  (every feature's listeners: hooks.py)
    from wishboard.blueprints import login
    from wishboard.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    with app.app_context():
        _configure_engine(db.engine, app.config.get("SQLITE_BUSY_TIMEOUT_MS", 15000))
    migrate.init_app(app, db, directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login.init_login_manager(login_manager, app)


def _configure_engine(engine: sa.Engine, busy_ms: int) -> None:
    """SQLite: foreign keys on, WAL (readers never wait for writers) and a busy timeout.

    A transaction that reads and then writes fails at once with "database is locked" when
    another writer got in between, whatever the timeout. We keep pysqlite's own transaction
    handling, which runs reads outside a transaction and opens one only at the first
    INSERT/UPDATE/DELETE: every write transaction therefore starts with its write, like
    BEGIN IMMEDIATE, and a second writer waits up to the busy timeout instead of failing.
    Race-prone steps are conditional UPDATEs checked by row count, correct on both engines.
    """
    if engine.dialect.name != "sqlite":
        return
    in_memory = engine.url.database in (None, "", ":memory:")

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def register_blueprints(app: Flask) -> None:
    from wishboard.blueprints import register_blueprints as _register

    _register(app)


def register_error_handlers(app: Flask) -> None:
    from wishboard.errors import register_error_handlers as _register

    _register(app)


def register_security(app: Flask) -> None:
    from wishboard.security import register_security as _register

    _register(app)


def register_page_cache(app: Flask) -> None:
    from wishboard import pagecache

    pagecache.configure(app)


def register_template_helpers(app: Flask) -> None:
    from wishboard import templating

    templating.init_app(app)


def register_commands(app: Flask) -> None:
    from wishboard.cli import wishboard

    app.cli.add_command(wishboard)
