"""Getting back in: the secretary's one-time code, the new password, log-in by phone."""

import sqlalchemy as sa
from helpers import error_of

from wishboard.audit.models import AuditEntry
from wishboard.extensions import db

NEW = "Huang-yeye-2026"


def _code(client, token, user):
    answer = client.post(f"/api/v1/users/{user.id}/password-reset", headers=token)
    assert answer.status_code == 201, answer.get_json()
    body = answer.get_json()
    assert len(body["code"]) == 6 and body["code"].isdigit() and body["expires_at"]
    return body["code"]


def test_a_resident_gets_back_in_with_the_secretarys_code(client, community, make_user,
                                                          token_for):
    secretary = token_for(make_user("secretary", community))
    resident = make_user("resident", community, name="黄大爷", phone="13980001111")
    old_token = token_for(resident)
    code = _code(client, secretary, resident)

    done = client.post("/api/v1/auth/reset", json={"username": "13980001111", "code": code,
                                                   "password": NEW})
    assert done.status_code == 200 and done.get_json()["username"] == resident.username
    # The old token ended; the new password works, with the phone number as the login.
    assert client.get("/api/v1/me", headers=old_token).status_code == 401
    logged = client.post("/api/v1/auth/token", json={"username": "13980001111",
                                                     "password": NEW})
    assert logged.status_code == 200
    # Once only.
    again = client.post("/api/v1/auth/reset", json={"username": resident.username,
                                                    "code": code, "password": NEW + "x"})
    assert again.status_code == 400 and error_of(again)["code"] == "reset_code_wrong"
    actions = set(db.session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.object_id == resident.id, AuditEntry.object_type == "user")))
    assert {"password_reset_issued", "password_reset_used"} <= actions
    # The person is told both times, in the inbox they see once logged in.
    inbox = client.get("/api/v1/notifications", headers={
        "Authorization": f"Bearer {logged.get_json()['token']}"}).get_json()["items"]
    assert {n["kind"] for n in inbox} >= {"password_reset_issued", "password_reset_used"}


def test_a_reset_with_bad_input_is_a_400_naming_the_field(client, community, make_user):
    make_user("resident", community)
    for body, field in (({"username": "x", "code": "12ab", "password": NEW}, "code"),
                        ({"username": "x", "code": "123456"}, "password"),
                        ({"code": "123456", "password": NEW}, "username"),
                        ({"username": "x", "code": "123456", "password": "short"}, "password")):
        answer = client.post("/api/v1/auth/reset", json=body)
        assert answer.status_code == 400 and field in error_of(answer)["fields"], body


def test_a_newer_code_replaces_the_older_and_a_wrong_code_says_nothing_more(
        client, community, make_user, token_for):
    secretary = token_for(make_user("secretary", community))
    resident = make_user("resident", community)
    first = _code(client, secretary, resident)
    second = _code(client, secretary, resident)
    for login, code in ((resident.username, first), (resident.username, "000000"
                        if second != "000000" else "111111"), ("nobody_here", second)):
        refused = client.post("/api/v1/auth/reset", json={"username": login, "code": code,
                                                          "password": NEW})
        assert refused.status_code == 400 and error_of(refused)["code"] == "reset_code_wrong"
    weak = client.post("/api/v1/auth/reset", json={"username": resident.username,
                                                   "code": second, "password": "12345678"})
    assert weak.status_code == 400 and "password" in error_of(weak)["fields"]
    ok = client.post("/api/v1/auth/reset", json={"username": resident.username,
                                                 "code": second, "password": NEW})
    assert ok.status_code == 200


def test_guessing_codes_is_slowed_like_guessing_passwords(make_app, community, make_user,
                                                          token_for, client):
    app = make_app(LOGIN_FAILURES_PER_ACCOUNT="3 per 15 minutes")
    resident = make_user("resident", community)
    _code(client, token_for(make_user("secretary", community)), resident)
    guesser = app.test_client()
    answers = [guesser.post("/api/v1/auth/reset", json={
        "username": resident.username, "code": f"{n:06d}", "password": NEW}).status_code
        for n in range(5)]
    assert answers[:3] == [400, 400, 400] and 429 in answers[3:]


def test_who_may_issue_a_code(client, community, make_place, make_user, token_for):
    secretary = token_for(make_user("secretary", community))
    volunteer = make_user("volunteer", community)
    elsewhere = make_user("resident", make_place("肖家河社区"))
    colleague = make_user("secretary", community)
    assert client.post(f"/api/v1/users/{elsewhere.id}/password-reset",
                       headers=secretary).status_code == 403
    assert client.post(f"/api/v1/users/{colleague.id}/password-reset",
                       headers=secretary).status_code == 403
    assert client.post(f"/api/v1/users/{volunteer.id}/password-reset",
                       headers=token_for(volunteer)).status_code == 403
    assert client.post("/api/v1/users/99999/password-reset", headers=secretary).status_code == 404
    admin = token_for(make_user("admin", None))
    assert client.post(f"/api/v1/users/{colleague.id}/password-reset",
                       headers=admin).status_code == 201


def test_a_phone_shared_by_two_accounts_asks_for_the_username(client, community, make_user):
    make_user("resident", community, phone="13980002222", password="Correct-horse-91")
    make_user("resident", community, phone="13980002222")
    shared = client.post("/api/v1/auth/token", json={"username": "13980002222",
                                                     "password": "Correct-horse-91"})
    assert shared.status_code == 400 and error_of(shared)["code"] == "phone_not_unique"
