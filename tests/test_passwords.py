"""Passwords: at least 8 characters, not the person's own username, name or phone number, not
among the passwords guessers try first; refused in plain Chinese wherever one is chosen."""

import pytest
import sqlalchemy as sa
from helpers import error_of

from wishboard.accounts.models import User
from wishboard.accounts.services import (
    PASSWORD_HAS_NAME, PASSWORD_HAS_PHONE, PASSWORD_HAS_USERNAME, PASSWORD_TOO_SHORT,
    PASSWORD_TOO_WEAK, password_problem,
)
from wishboard.cli.demo import DEMO_PASSWORD
from wishboard.extensions import db

# conftest.PASSWORD, the fixtures' password (a top-level test module cannot import
# conftest: the name may be tests/browser/conftest.py by the time it is collected).
PASSWORD = "correct-horse-9"


def register_body(community, password):
    return {"username": "li_jianguo", "password": password, "name": "李建国",
            "phone": "13912345678", "role": "resident", "community_id": community.id}


def _users() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User))


@pytest.mark.parametrize("password, message", [
    ("password", PASSWORD_TOO_WEAK),
    ("12345678", PASSWORD_TOO_WEAK),
    ("qwertyuiop", PASSWORD_TOO_WEAK),
    ("woaini1314", PASSWORD_TOO_WEAK),
    ("iloveyou2026", PASSWORD_TOO_WEAK),
    ("li_jianguo", PASSWORD_HAS_USERNAME),
    ("Li_JianGuo-1958", PASSWORD_HAS_USERNAME),
    ("李建国的密码很长", PASSWORD_HAS_NAME),
    ("13912345678", PASSWORD_HAS_PHONE),
    ("tel13912345678!", PASSWORD_HAS_PHONE),
])
def test_sign_up_refuses_a_weak_password_in_chinese(client, community, password, message):
    response = client.post("/api/v1/auth/register", json=register_body(community, password))
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "validation_failed"
    assert error["fields"] == {"password": [message]}
    assert _users() == 0


def test_the_words_say_what_to_do():
    assert PASSWORD_TOO_SHORT == "密码至少8位"
    assert "太容易被猜到" in PASSWORD_TOO_WEAK and "请换一个" in PASSWORD_TOO_WEAK


@pytest.mark.parametrize("password", [PASSWORD, DEMO_PASSWORD, "quiet-river-2031",
                                      "s3cret-pass", "long-enough-1", "我家门口有棵老槐树"])
def test_reasonable_passwords_pass(client, community, password):
    response = client.post("/api/v1/auth/register", json=register_body(community, password))
    assert response.status_code == 201, response.get_json()


def test_the_sign_up_page_shows_the_reason_next_to_the_field(client, community):
    page = client.post(f"/auth/register?community_id={community.id}", data={
        "username": "wang_ayi", "password": "12345678", "name": "王阿姨",
        "phone": "13880030001", "role": "resident", "community_id": community.id})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f"错误：{PASSWORD_TOO_WEAK}" in html
    assert _users() == 0


def test_staff_accounts_follow_the_same_rule(client, community, make_user, token_for):
    admin = token_for(make_user("admin", None))
    body = {"username": "shuji_li", "password": "shuji_li2026", "name": "李书记",
            "community_id": community.id}
    response = client.post("/api/v1/admin/users", headers=admin, json=body)
    assert response.status_code == 400
    assert error_of(response)["fields"] == {"password": [PASSWORD_HAS_USERNAME]}
    body["password"] = "quiet-river-2031"
    assert client.post("/api/v1/admin/users", headers=admin, json=body).status_code == 201


def test_the_command_line_follows_the_same_rule(runner):
    result = runner.invoke(args=["wishboard", "create-admin", "--username", "root_admin",
                                 "--password", "11111111", "--name", "管理员"])
    assert result.exit_code != 0
    assert PASSWORD_TOO_WEAK in result.output


def test_a_new_password_on_the_account_page_follows_the_rule(app, client, community,
                                                             make_user, login_as):
    user = make_user("resident", community, name="赵桂兰", phone="13700001111")
    login_as(user)
    for new, message in (("13700001111", PASSWORD_HAS_PHONE), ("abc12345", PASSWORD_TOO_WEAK),
                         (PASSWORD, "新密码不能和原密码一样")):
        page = client.post("/auth/account/password", data={
            "old_password": PASSWORD, "new_password": new, "new_password_again": new})
        assert page.status_code == 200
        assert f"错误：{message}" in page.get_data(as_text=True)
    # Nothing changed: the old password still logs in.
    assert app.test_client().post("/api/v1/auth/token", json={
        "username": user.username, "password": PASSWORD}).status_code == 200


def test_the_check_is_cheap_enough_for_every_sign_up(app):
    import time

    started = time.perf_counter()
    for n in range(50):
        password_problem(f"yulin-north-{n}-garden", username=f"user{n}", name="张三",
                         phone="13800001234")
    assert time.perf_counter() - started < 2
