"""/healthz says the process answers, without the database; /readyz says the database (and
Redis, when used) answer, or 503 with the reason."""

import sqlalchemy as sa

from wishboard import create_app
from wishboard.extensions import db

UNREACHABLE_DB = "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2"


def test_both_answer_when_all_is_well(client):
    alive = client.get("/healthz")
    assert alive.status_code == 200 and alive.get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json() == {"status": "ready"}
    assert ready.headers["Cache-Control"] == "no-store"


def test_without_a_database_the_process_is_alive_but_not_ready():
    app = create_app(SQLALCHEMY_DATABASE_URI=UNREACHABLE_DB, SECRET_KEY="x", TESTING=True,
                     SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": False})
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.get_json() == {"status": "not_ready", "reasons": ["database: OperationalError"]}


def test_an_unreachable_redis_is_not_ready(make_app):
    app = make_app(RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0")
    ready = app.test_client().get("/readyz")
    assert ready.status_code == 503
    assert ready.get_json()["reasons"] == ["redis: ConnectionError"]


def test_an_unreachable_page_cache_is_not_ready_either(make_app):
    app = make_app(CACHE_REDIS_URL="redis://127.0.0.1:1/0")
    ready = app.test_client().get("/readyz")
    assert ready.status_code == 503
    assert ready.get_json()["reasons"] == ["redis: ConnectionError"]
    assert make_app(CACHE_REDIS_URL="redis://127.0.0.1:6379/0").test_client().get(
        "/readyz").status_code == 200


def test_alive_asks_nothing_of_the_database(app, client):
    queries = []

    def record(_conn, _cursor, statement, *_args):
        queries.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get("/healthz").status_code == 200
        assert queries == []
        assert client.get("/readyz").status_code == 200
        assert queries == ["SELECT 1"]
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
