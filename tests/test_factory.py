import sqlite3

import pytest

from config import DevelopmentConfig, ProductionConfig, normalize_database_url
from wishboard import create_app


def test_testing_config_is_honoured(app):
    assert app.testing
    assert app.config["ENV_NAME"] == "testing"


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", None)
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        create_app(ProductionConfig, SQLALCHEMY_DATABASE_URI="sqlite://")


def test_production_with_a_secret_key_uses_secure_cookies(monkeypatch):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "x" * 64)
    app = create_app(ProductionConfig, SQLALCHEMY_DATABASE_URI="sqlite://",
                     RATELIMIT_ALLOW_MEMORY=True)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["ENV_NAME"] == "production"


def test_wishboard_config_env_picks_the_class(monkeypatch, tmp_path):
    monkeypatch.setenv("WISHBOARD_CONFIG", "testing")
    monkeypatch.setenv("WISHBOARD_INSTANCE_PATH", str(tmp_path))
    assert create_app().config["ENV_NAME"] == "testing"
    monkeypatch.setenv("WISHBOARD_CONFIG", "staging")
    with pytest.raises(RuntimeError, match="staging"):
        create_app()


@pytest.mark.parametrize("given, expected", [
    ("postgres://u:p@db/wish", "postgresql+psycopg://u:p@db/wish"),
    ("postgresql://u@db/wish", "postgresql+psycopg://u@db/wish"),
    ("postgresql+psycopg://u@db/wish", "postgresql+psycopg://u@db/wish"),
    ("sqlite:////var/wish.db", "sqlite:////var/wish.db"),
    (None, None),
])
def test_database_urls_from_hosting_platforms_use_psycopg3(given, expected):
    assert normalize_database_url(given) == expected


def test_default_database_is_an_sqlite_file_in_the_instance_folder_with_wal_and_fks(
        monkeypatch, tmp_path):
    monkeypatch.setenv("WISHBOARD_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setattr(DevelopmentConfig, "SQLALCHEMY_DATABASE_URI", None)
    monkeypatch.setattr(DevelopmentConfig, "SECRET_KEY", None)
    app = create_app(DevelopmentConfig)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/wishboard.sqlite"
    # Without SECRET_KEY, development keeps a generated one in the instance folder.
    key = (tmp_path / "secret_key").read_text()
    assert len(key) == 64 and app.config["SECRET_KEY"] == key
    assert create_app(DevelopmentConfig).config["SECRET_KEY"] == key

    from wishboard.extensions import db

    with app.app_context():
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15000
        db.engine.dispose()
    assert sqlite3.connect(tmp_path / "wishboard.sqlite").execute(
        "PRAGMA journal_mode").fetchone()[0] == "wal"


def test_times_are_stored_in_utc_and_come_back_aware(app, make_user, community):
    from datetime import datetime, timedelta, timezone

    import sqlalchemy as sa

    from wishboard.accounts.models import User
    from wishboard.extensions import db

    shanghai = timezone(timedelta(hours=8))
    user = make_user("resident", community, created_at=datetime(2026, 11, 22, 15, 0,
                                                                tzinfo=shanghai))
    db.session.expire_all()
    stored = db.session.get(User, user.id).created_at
    assert stored == datetime(2026, 11, 22, 7, 0, tzinfo=timezone.utc)
    assert stored.utcoffset() == timedelta(0)
    raw = db.session.scalar(sa.text("SELECT created_at FROM users WHERE id = :id"),
                            {"id": user.id})
    if isinstance(raw, datetime):  # PostgreSQL: timestamptz, an instant
        assert raw.astimezone(timezone.utc).hour == 7
    else:  # SQLite: the UTC wall time as text
        assert raw.startswith("2026-11-22 07:00")
