"""Sessions that end: log-out, 退出所有设备 and a password change end the sessions, 记住我
cookies and (the last two) API tokens made before; a log-in starts a fresh session."""

from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from helpers import error_of

from wishboard.accounts.models import ApiToken, User
from wishboard.audit.models import AuditEntry
from wishboard.extensions import db

# conftest.PASSWORD, the fixtures' password (a top-level test module cannot import
# conftest: the name may be tests/browser/conftest.py by the time it is collected).
PASSWORD = "correct-horse-9"
NEW_PASSWORD = "quiet-river-2031"


def _csrf_of(page: str) -> str:
    return page.split('name="csrf_token" value="')[1].split('"')[0]


def _copy_cookie(source, target, name: str) -> None:
    target.set_cookie(name, source.get_cookie(name).value)


def _logged_in(client) -> bool:
    return client.get("/auth/account").status_code == 200


def test_a_copied_session_cookie_stops_working_at_log_out(app, community, make_user, login_as):
    user = make_user("resident", community)
    client = login_as(user)
    thief = app.test_client()
    _copy_cookie(client, thief, "session")
    assert _logged_in(thief)

    assert client.post("/auth/logout").status_code == 302
    assert not _logged_in(client)
    answer = thief.get("/auth/account")
    assert answer.status_code == 302 and "/auth/login" in answer.headers["Location"]
    # The cookie says nothing to the API either.
    assert thief.get("/api/v1/me").status_code == 401


def test_log_in_starts_a_fresh_session_with_a_fresh_csrf_token(make_app, community, make_user):
    app = make_app(WTF_CSRF_ENABLED=True)
    user = make_user("volunteer", community)
    client = app.test_client()
    before = _csrf_of(client.get("/auth/login").get_data(as_text=True))
    with client.session_transaction() as sess:
        secret_before = sess["csrf_token"]
        sess["planted"] = "by someone else"
    assert client.post("/auth/login", data={"username": user.username, "password": PASSWORD,
                                            "csrf_token": before}).status_code == 302
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess.get("csrf_token") != secret_before
        assert sess["_user_id"] == f"{user.id}:0"

    after = _csrf_of(client.get("/auth/account").get_data(as_text=True))
    assert after != before
    body = {"show_on_boards": False}
    stale = client.patch("/api/v1/me", json=body, headers={"X-CSRFToken": before})
    assert stale.status_code == 400 and error_of(stale)["code"] == "csrf_failed"
    assert client.patch("/api/v1/me", json=body, headers={"X-CSRFToken": after}).status_code == 200


def test_remember_me_logs_in_again_for_the_configured_days(make_app, community, make_user):
    app = make_app(REMEMBER_COOKIE_DURATION_DAYS=3)
    user = make_user("resident", community)
    client = app.test_client()
    answer = client.post("/auth/login", data={"username": user.username, "password": PASSWORD,
                                              "remember": "1"})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    remember = client.get_cookie("remember_token")
    assert remember is not None and remember.value.startswith(f"{user.id}:0|")
    lasts = remember.expires - datetime.now(timezone.utc)
    assert timedelta(days=2, hours=23) < lasts <= timedelta(days=3)

    client.delete_cookie("session")  # the browser was closed
    assert _logged_in(client)


def test_without_remember_me_no_cookie_is_left(client, community, make_user):
    user = make_user("resident", community)
    assert client.post("/auth/login", data={"username": user.username,
                                            "password": PASSWORD}).status_code == 302
    assert client.get_cookie("remember_token") is None
    client.delete_cookie("session")
    assert not _logged_in(client)


def test_log_out_everywhere_ends_sessions_remember_cookies_and_tokens(
        app, community, make_user, token_for):
    user = make_user("volunteer", community)
    phone = app.test_client()
    assert phone.post("/auth/login", data={"username": user.username, "password": PASSWORD,
                                           "remember": "1"}).status_code == 302
    remembered = app.test_client()  # a second browser holding only the 记住我 cookie
    _copy_cookie(phone, remembered, "remember_token")
    assert _logged_in(remembered)
    headers = token_for(user)
    laptop = app.test_client()
    assert laptop.post("/auth/login", data={"username": user.username,
                                            "password": PASSWORD}).status_code == 302

    answer = laptop.post("/auth/logout-everywhere")
    assert answer.status_code == 302 and "/auth/login" in answer.headers["Location"]
    for browser in (laptop, phone, remembered):
        assert not _logged_in(browser)
    assert phone.get("/api/v1/me", headers=headers).status_code == 401
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)
                             .where(ApiToken.revoked_at.is_(None))) == 0
    assert db.session.scalar(sa.select(AuditEntry.action).where(
        AuditEntry.actor_id == user.id, AuditEntry.action == "logged_out_everywhere"))
    # Logging in again works as before.
    assert phone.post("/auth/login", data={"username": user.username,
                                           "password": PASSWORD}).status_code == 302
    assert _logged_in(phone)


def test_plain_log_out_also_kills_a_copied_remember_cookie(app, community, make_user):
    user = make_user("resident", community)
    client = app.test_client()
    client.post("/auth/login", data={"username": user.username, "password": PASSWORD,
                                     "remember": "1"})
    copy = app.test_client()
    _copy_cookie(client, copy, "remember_token")
    client.post("/auth/logout")
    assert not _logged_in(copy)


def _change(client, old=PASSWORD, new=NEW_PASSWORD, again=None):
    return client.post("/auth/account/password", data={
        "old_password": old, "new_password": new,
        "new_password_again": new if again is None else again})


def test_changing_the_password_ends_other_sessions_and_tokens_but_not_this_one(
        app, community, make_user, login_as, token_for):
    user = make_user("resident", community)
    headers = token_for(user)
    client = login_as(user)
    other = app.test_client()
    _copy_cookie(client, other, "session")

    answer = _change(client)
    assert answer.status_code == 302, answer.get_data(as_text=True)
    assert "密码已修改" in client.get("/auth/account").get_data(as_text=True)
    assert not _logged_in(other)
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    entry = db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.action == "password_changed")).one()
    assert entry.actor_id == user.id and entry.after == {"tokens_revoked": 1}

    fresh = app.test_client()
    assert fresh.post("/api/v1/auth/token", json={"username": user.username,
                                                  "password": PASSWORD}).status_code == 401
    assert fresh.post("/api/v1/auth/token", json={"username": user.username,
                                                  "password": NEW_PASSWORD}).status_code == 200


def test_changing_the_password_keeps_this_devices_remember_me_alive(app, community, make_user):
    user = make_user("resident", community)
    client = app.test_client()
    client.post("/auth/login", data={"username": user.username, "password": PASSWORD,
                                     "remember": "1"})
    old_cookie = client.get_cookie("remember_token").value
    assert _change(client).status_code == 302
    assert client.get_cookie("remember_token").value != old_cookie
    client.delete_cookie("session")
    assert _logged_in(client)
    stale = app.test_client()
    stale.set_cookie("remember_token", old_cookie)
    assert not _logged_in(stale)


def test_a_wrong_current_password_changes_nothing(app, community, make_user, login_as,
                                                  token_for):
    user = make_user("resident", community)
    headers = token_for(user)
    client = login_as(user)
    answer = _change(client, old="not-my-password")
    assert answer.status_code == 200
    assert "原密码不对" in answer.get_data(as_text=True)
    assert _logged_in(client)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    db.session.expire_all()
    assert db.session.get(User, user.id).session_version == 0


def test_the_new_password_must_be_typed_twice_alike(client, community, make_user, login_as):
    login_as(make_user("resident", community))
    answer = _change(client, again=NEW_PASSWORD + "x")
    assert "两次输入的新密码不一样" in answer.get_data(as_text=True)


def test_a_session_made_before_versions_is_logged_out(app, community, make_user):
    user = make_user("resident", community)
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = str(user.id)  # what Flask-Login stored before this change
        sess["_fresh"] = True
    assert not _logged_in(client)


def test_the_session_version_migration_goes_down_with_people_in_it(make_app, tmp_path):
    """SQLite: the column is dropped in place; copying "users" would trip its foreign keys."""
    app = make_app(SQLALCHEMY_DATABASE_URI="sqlite:///" + str(tmp_path / "down.sqlite"))
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    seeded = runner.invoke(args=["wishboard", "seed-demo"])
    assert seeded.exit_code == 0, seeded.output
    with app.app_context():
        people = db.session.scalar(sa.select(sa.func.count()).select_from(User))
        db.session.remove()
    down = runner.invoke(args=["db", "downgrade", "25cddc205060"])
    assert down.exit_code == 0, down.output
    with app.app_context():
        inspector = sa.inspect(db.engine)
        assert "session_version" not in {c["name"] for c in inspector.get_columns("users")}
        assert "_alembic_tmp_users" not in inspector.get_table_names()
        assert db.session.scalar(sa.text("SELECT count(*) FROM users")) == people
        db.session.remove()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
