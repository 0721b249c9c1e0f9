from datetime import timedelta

import pytest
import sqlalchemy as sa
from helpers import error_of

from wishboard.accounts.models import ApiToken, User
from wishboard.core.clock import utcnow
from wishboard.extensions import db


def register_body(community, **overrides):
    body = {"username": "li_jianguo", "password": "s3cret-pass", "name": "李建国",
            "phone": "13912345678", "role": "volunteer", "community_id": community.id,
            "volunteer_type": "party_member"}
    body.update(overrides)
    return body


def test_volunteer_registers_pending_then_secretary_approves_and_me_says_approved(
        client, community, make_user, token_for):
    response = client.post("/api/v1/auth/register", json=register_body(community))
    assert response.status_code == 201
    created = response.get_json()
    assert created["report_status"] == "pending"
    assert created["community"] == {"id": community.id, "name": "玉林北路社区"}
    assert "password" not in created and "password_hash" not in created

    token = client.post("/api/v1/auth/token",
                        json={"username": "li_jianguo", "password": "s3cret-pass"}).get_json()
    assert token["token_type"] == "Bearer" and token["expires_at"]
    volunteer = {"Authorization": f"Bearer {token['token']}"}
    assert client.get("/api/v1/me", headers=volunteer).get_json()["report_status"] == "pending"

    secretary = token_for(make_user("secretary", community))
    queue = client.get("/api/v1/volunteers?status=pending", headers=secretary).get_json()
    assert [v["username"] for v in queue["items"]] == ["li_jianguo"]
    assert queue["total"] == 1

    approved = client.post(f"/api/v1/volunteers/{created['id']}/approve", headers=secretary)
    assert approved.status_code == 200
    assert approved.get_json()["report_status"] == "approved"
    me = client.get("/api/v1/me", headers=volunteer).get_json()
    assert me["report_status"] == "approved"
    assert me["role"] == "volunteer" and me["volunteer_type"] == "party_member"
    assert client.get("/api/v1/volunteers", headers=secretary).get_json()["items"] == []


def test_community_with_auto_approval_approves_reports_at_once(client, make_place):
    auto = make_place("自动社区", auto_approve_reports=True)
    response = client.post("/api/v1/auth/register", json=register_body(auto))
    assert response.status_code == 201
    assert response.get_json()["report_status"] == "approved"


def test_resident_registers_without_a_report_status(client, community):
    response = client.post("/api/v1/auth/register", json=register_body(
        community, role="resident", volunteer_type=None))
    assert response.status_code == 201
    assert response.get_json()["role"] == "resident"
    assert response.get_json()["report_status"] is None


def test_naming_an_organisation_at_sign_up_asks_to_join_an_approved_one_of_any_community(
        client, community, make_place, make_org, make_user):
    """Membership is never taken by saying so: the sign-up files a request its contact
    decides; the organisation may report to another community (双报到), but must be
    approved."""
    from wishboard.notifications.models import Notification
    from wishboard.organizations.models import MembershipRequest
    from wishboard.places.models import OrganizationStatus

    other = make_place("别的社区")
    foreign_org, waiting_org = make_org(other, "别处党支部"), make_org(other, "待审核党支部")
    waiting_org.report_status = OrganizationStatus.PENDING
    contact = make_user("volunteer", other, name="周联络", organization=foreign_org)
    foreign_org.contact_user_id = contact.id
    db.session.commit()
    for org_id in (waiting_org.id, 999999):
        bad = client.post("/api/v1/auth/register",
                          json=register_body(community, organization_id=org_id))
        assert bad.status_code == 400
        assert error_of(bad)["fields"] == {"organization_id": ["没有这个报到党组织"]}
    good = client.post("/api/v1/auth/register",
                       json=register_body(community, organization_id=foreign_org.id))
    assert good.status_code == 201
    assert good.get_json()["organization"] is None  # not a member until the contact agrees
    request = db.session.scalar(sa.select(MembershipRequest))
    assert (request.user_id, request.organization_id, request.status.value) == (
        good.get_json()["id"], foreign_org.id, "pending")
    told = db.session.scalar(sa.select(Notification).where(
        Notification.kind == "membership_requested"))
    assert told.user_id == contact.id and "李建国（玉林北路社区）申请加入「别处党支部」" in told.text


@pytest.mark.parametrize("overrides, field", [
    ({"name": "长" * 51}, "name"),
    ({"name": ""}, "name"),
    ({"phone": "12345"}, "phone"),
    ({"password": "short"}, "password"),
    ({"username": "a b"}, "username"),
    ({"role": "secretary"}, "role"),
    ({"role": "admin"}, "role"),
    ({"volunteer_type": "astronaut"}, "volunteer_type"),
    ({"community_id": "three"}, "community_id"),
    ({"community_id": 999999}, "community_id"),
    ({"is_admin": True}, "is_admin"),
])
def test_register_rejects_bad_fields_with_400_naming_the_field(client, community, overrides,
                                                               field):
    response = client.post("/api/v1/auth/register", json=register_body(community, **overrides))
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "validation_failed"
    assert field in error["fields"], error
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_register_with_missing_fields_lists_each_in_chinese(client):
    response = client.post("/api/v1/auth/register", json={})
    error = error_of(response)
    assert response.status_code == 400
    assert set(error["fields"]) == {"username", "password", "name", "phone", "role",
                                    "community_id"}
    assert error["fields"]["name"] == ["必填"]


def test_register_at_a_building_instead_of_a_community_is_refused(client, community, make_place):
    building = make_place("1栋", "building", parent=community)
    response = client.post("/api/v1/auth/register",
                           json=register_body(community, community_id=building.id))
    assert response.status_code == 400
    assert "楼栋" in error_of(response)["fields"]["community_id"][0]


@pytest.mark.parametrize("raw", [b"{bad json", b"\xff\xfe", b"[1, 2"])
def test_malformed_json_is_a_400_not_a_500(client, raw):
    response = client.post("/api/v1/auth/register", data=raw,
                           content_type="application/json")
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_json"


def test_a_json_list_instead_of_an_object_is_a_400(client):
    response = client.post("/api/v1/auth/register", json=[1, 2, 3])
    assert response.status_code == 400
    assert error_of(response)["code"] == "validation_failed"


def test_duplicate_username_is_409_whatever_its_case(client, community):
    assert client.post("/api/v1/auth/register",
                       json=register_body(community)).status_code == 201
    again = client.post("/api/v1/auth/register",
                        json=register_body(community, username="LI_JianGuo"))
    assert again.status_code == 409
    assert error_of(again)["code"] == "username_taken"


def test_wrong_password_and_unknown_user_get_the_same_401(client, community, make_user):
    user = make_user("resident", community)
    wrong = client.post("/api/v1/auth/token", json={"username": user.username,
                                                    "password": "not-it-at-all"})
    unknown = client.post("/api/v1/auth/token", json={"username": "nobody",
                                                      "password": "not-it-at-all"})
    assert wrong.status_code == unknown.status_code == 401
    assert error_of(wrong) == error_of(unknown)
    assert error_of(wrong)["code"] == "invalid_credentials"


def test_english_messages_with_accept_language_en(client, community, make_user):
    user = make_user("resident", community)
    response = client.post("/api/v1/auth/token", headers={"Accept-Language": "en-US,en"},
                           json={"username": user.username, "password": "nope-nope"})
    assert error_of(response)["message"] == "Wrong username or password"
    chinese = client.post("/api/v1/auth/token",
                          json={"username": user.username, "password": "nope-nope"})
    assert error_of(chinese)["message"] == "用户名或密码不对"


def test_me_without_a_token_is_401_and_with_a_bad_token_says_so(client):
    assert error_of(client.get("/api/v1/me"))["code"] == "unauthorized"
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer made-up"})
    assert response.status_code == 401
    assert error_of(response)["code"] == "invalid_token"


def test_revoked_token_stops_working(client, community, make_user, token_for):
    headers = token_for(make_user("resident", community))
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    stored = db.session.scalars(sa.select(ApiToken)).all()
    assert len(stored) == 1 and stored[0].revoked_at is not None
    raw = headers["Authorization"].split()[1]
    assert raw not in {t.token_hash for t in stored}  # only the hash is kept


def test_expired_token_is_refused(client, community, make_user, token_for):
    headers = token_for(make_user("resident", community))
    db.session.execute(sa.update(ApiToken).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_inactive_user_cannot_log_in_or_use_a_token(client, community, make_user, token_for):
    user = make_user("resident", community)
    headers = token_for(user)
    user.is_active = False
    db.session.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert client.post("/api/v1/auth/token", json={"username": user.username,
                                                   "password": "correct-horse-9"}
                       ).status_code == 401


def test_failed_logins_lock_one_account_but_not_its_neighbours(client, community, make_user):
    victim = make_user("resident", community)
    neighbour = make_user("resident", community)
    for _ in range(5):
        assert client.post("/api/v1/auth/token", json={
            "username": victim.username, "password": "guess-guess"}).status_code == 401
    locked = client.post("/api/v1/auth/token", json={"username": victim.username,
                                                     "password": "correct-horse-9"})
    assert locked.status_code == 429
    assert error_of(locked)["code"] == "rate_limited"
    # The web form counts against the same account.
    assert client.post("/auth/login", data={"username": victim.username,
                                            "password": "correct-horse-9"}).status_code == 429
    assert client.post("/api/v1/auth/token", json={
        "username": neighbour.username, "password": "correct-horse-9"}).status_code == 200


def test_successful_logins_from_one_address_never_lock_it_out(make_app, community, make_user):
    app = make_app(LOGIN_FAILURES_PER_ADDRESS="3 per hour")
    client = app.test_client()
    users = [make_user("volunteer", community) for _ in range(4)]
    for _ in range(3):
        for user in users:
            assert client.post("/api/v1/auth/token", json={
                "username": user.username, "password": "correct-horse-9"}).status_code == 200


def test_cookie_session_writes_to_the_api_need_the_csrf_header(make_app, community, make_user):
    app = make_app(WTF_CSRF_ENABLED=True)
    secretary = make_user("secretary", community)
    volunteer = make_user("volunteer", community, report_status="pending")
    client = app.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    csrf = page.split('name="csrf_token" value="')[1].split('"')[0]
    assert client.post("/auth/login", data={"username": secretary.username,
                                            "password": "correct-horse-9",
                                            "csrf_token": csrf}).status_code == 302
    # A log-in starts a fresh session, and with it a fresh CSRF token.
    page = client.get("/auth/account").get_data(as_text=True)
    assert page.split('name="csrf_token" value="')[1].split('"')[0] != csrf
    csrf = page.split('name="csrf_token" value="')[1].split('"')[0]
    url = f"/api/v1/volunteers/{volunteer.id}/approve"
    refused = client.post(url)
    assert refused.status_code == 400
    assert error_of(refused)["code"] == "csrf_failed"
    assert client.post(url, headers={"X-CSRFToken": csrf}).status_code == 200


def test_bearer_clients_need_no_csrf_token(make_app, community, make_user):
    app = make_app(WTF_CSRF_ENABLED=True)
    secretary = make_user("secretary", community)
    volunteer = make_user("volunteer", community, report_status="pending")
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"username": secretary.username,
                                                    "password": "correct-horse-9"})
    assert token.status_code == 200
    headers = {"Authorization": f"Bearer {token.get_json()['token']}"}
    assert client.post(f"/api/v1/volunteers/{volunteer.id}/approve",
                       headers=headers).status_code == 200


def test_field_messages_in_english_when_asked(client, community):
    response = client.post("/api/v1/auth/register", headers={"Accept-Language": "en"},
                           json=register_body(community, name="长" * 51, phone="1",
                                              role="boss", password=None))
    fields = error_of(response)["fields"]
    assert fields["name"] == ["Length must be between 1 and 50."]
    assert fields["phone"] == ["Enter an 11-digit mobile number or a landline with area code."]
    assert fields["role"] == ["Must be one of: resident, volunteer."]
    assert fields["password"] == ["May not be null."]
    chinese = client.post("/api/v1/auth/register", json=register_body(community, name=""))
    assert error_of(chinese)["fields"]["name"] == ["长度应在1到50个字之间"]
