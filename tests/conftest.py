"""Fixtures built on the app factory.

The suite runs on SQLite, and again on PostgreSQL when WISHBOARD_TEST_DATABASE_URL is set:
every test that uses ``app`` is parametrised over the configured databases. The schema is
built once per database by the migrations themselves (``flask db upgrade``); each test then
starts from empty tables plus the seven default categories and the twelve default skills.
"""

from __future__ import annotations

import os
from datetime import datetime

import flask_migrate
import pytest
import sqlalchemy as sa

from config import TestingConfig, normalize_database_url
from wishboard import create_app
from wishboard.accounts.models import ReportStatus, Role, User, VolunteerType
from wishboard.accounts.services import hash_password
from wishboard.core.clock import utcnow
from wishboard.extensions import cache, db, limiter
from wishboard.matching.services import ensure_default_skills
from wishboard.places.models import Community, Organization, PlaceLevel
from wishboard.places.services import ensure_default_categories

PASSWORD = "correct-horse-9"
PG_URL = normalize_database_url(os.environ.get("WISHBOARD_TEST_DATABASE_URL"))


def _backends():
    params = [pytest.param("sqlite", id="sqlite")]
    if PG_URL:
        params.append(pytest.param("postgresql", id="postgresql"))
    return params


def _worker_database(url: str) -> str:
    """Run in parallel (``pytest -n 2``, as ``make test`` does), each worker has a
    PostgreSQL database of its own beside the one named (``test``, ``test_gw1``, ...),
    made on first use: a test empties every table before it starts."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    if worker == "gw0":
        return url
    server = sa.make_url(url)
    name = f"{server.database}_{worker}"
    admin = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"),
                             {"n": name})
        if exists is None:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session", params=_backends())
def database_url(request, tmp_path_factory):
    if request.param == "sqlite":
        return "sqlite:///" + str(tmp_path_factory.mktemp("sqlite") / "wishboard-test.sqlite")
    return _worker_database(PG_URL)


def _wipe_postgres(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def migrated_url(database_url):
    if database_url.startswith("postgresql"):
        _wipe_postgres(database_url)
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_url)
    with app.app_context():
        flask_migrate.upgrade()
        db.engine.dispose()
    return database_url


def _empty_all_tables() -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text(
            "TRUNCATE TABLE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"
        ))
    else:
        # Places point at places, users and organisations at each other: check at commit.
        db.session.execute(sa.text("PRAGMA defer_foreign_keys = ON"))
        for table in tables:
            db.session.execute(sa.text(f'DELETE FROM "{table}"'))
    db.session.commit()


@pytest.fixture
def make_app(migrated_url):
    """Build an app on the test database with extra config; the ``app`` fixture uses it."""
    apps = []

    def _make(**overrides):
        overrides.setdefault("SQLALCHEMY_DATABASE_URI", migrated_url)
        application = create_app(TestingConfig, **overrides)
        apps.append(application)
        return application

    yield _make
    for application in apps:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="session")
def shared_app(migrated_url):
    """One app per test database, built once: building one compiles every URL rule, which
    costs more than most tests. The ``app`` fixture hands it out with its state as new."""
    application = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=migrated_url)
    state = AppState(application)
    yield application, state
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


# The app's request and template hooks, which a test may add to.
HOOKS = ("before_request_funcs", "after_request_funcs", "teardown_request_funcs",
         "template_context_processors", "url_value_preprocessors", "url_default_functions")


class AppState:
    """What a test may change on the shared app, kept as built and put back before each
    test: its configuration, the rate limiter's counters (the limiter is one object that
    every ``make_app`` rebinds: ``_storage``/``_limiter`` are where it keeps them), what
    was made on demand in ``extensions``, its request hooks and the page cache."""

    def __init__(self, application):
        self.config = dict(application.config)
        self.extensions = set(application.extensions)
        self.hooks = {name: {key: list(funcs) for key, funcs in getattr(application, name).items()}
                      for name in HOOKS}
        self.limiter = (limiter.enabled, limiter._storage, limiter._limiter)

    def restore(self, application) -> None:
        application.config.clear()
        application.config.update(self.config)
        for name in set(application.extensions) - self.extensions:
            del application.extensions[name]  # made on demand by a test's settings
        for name, hooks in self.hooks.items():
            getattr(application, name).clear()
            getattr(application, name).update({key: list(funcs) for key, funcs in hooks.items()})
        # A test may add a hook of its own, as to an app that has served nobody yet.
        application._got_first_request = False
        limiter.enabled, limiter._storage, limiter._limiter = self.limiter
        limiter._storage.reset()
        cache.clear()


@pytest.fixture
def app(shared_app):
    application, state = shared_app
    with application.app_context():
        state.restore(application)
        _empty_all_tables()
        ensure_default_categories()
        ensure_default_skills()
        yield application
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_place(app):
    def _make(name="玉林北路社区", level=PlaceLevel.COMMUNITY, parent=None,
              auto_approve_reports=False) -> Community:
        level = PlaceLevel(level)
        owner = None
        if parent is not None and level.rank > PlaceLevel.COMMUNITY.rank:
            owner = parent.owning_community_id
        place = Community(name=name, level=level, parent_id=parent.id if parent else None,
                          community_id=owner, auto_approve_reports=auto_approve_reports)
        db.session.add(place)
        db.session.commit()
        return place

    return _make


@pytest.fixture
def community(make_place):
    return make_place()


@pytest.fixture
def make_org(app):
    def _make(community, name="省种子站党支部") -> Organization:
        org = Organization(name=name, community_id=community.id)
        db.session.add(org)
        db.session.commit()
        return org

    return _make


@pytest.fixture
def make_user(app):
    counter = {"n": 0}

    def _make(role="resident", community=None, *, username=None, name="测试用户",
              phone="13800001234", volunteer_type=None, report_status=None,
              organization=None, password=PASSWORD, created_at: datetime | None = None,
              verified: bool = True) -> User:
        """A user as the fixture needs them. Residents are verified by default (the
        secretary knows them); ``verified=False`` makes a newcomer whose stars wait."""
        counter["n"] += 1
        role = Role(role)
        if role is Role.VOLUNTEER:
            volunteer_type = volunteer_type or VolunteerType.PARTY_MEMBER
            report_status = report_status or ReportStatus.APPROVED
        user = User(
            username=username or f"{role.value}{counter['n']}",
            password_hash=hash_password(password), name=name, phone=phone, role=role,
            community_id=community.id if community is not None else None,
            volunteer_type=VolunteerType(volunteer_type) if volunteer_type else None,
            report_status=ReportStatus(report_status) if report_status else None,
            organization_id=organization.id if organization is not None else None,
        )
        if created_at is not None:
            user.created_at = created_at
        if role is Role.RESIDENT and verified:
            user.verified_at = user.created_at or utcnow()
        db.session.add(user)
        db.session.commit()
        return user

    return _make


@pytest.fixture
def token_for(client):
    """Log in through the API; returns the Authorization header for ``user``."""

    def _token(user, password=PASSWORD) -> dict:
        response = client.post("/api/v1/auth/token",
                               json={"username": user.username, "password": password})
        assert response.status_code == 200, response.get_json()
        return {"Authorization": f"Bearer {response.get_json()['token']}"}

    return _token


@pytest.fixture
def login_as(client):
    """Log in through the web form, as a person would."""

    def _login(user, password=PASSWORD):
        response = client.post("/auth/login", data={"username": user.username,
                                                    "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return _login


# Factories (tests/factories.py): people and wishes driven through the real services.
from factories import (  # noqa: E402,F401
    claimed_wish_fixture, completed_wish_fixture, make_resident, make_secretary, make_volunteer,
    make_wish_fixture, neighbourhood,
)
