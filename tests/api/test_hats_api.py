"""One person, two hats (切换身份): a community secretary who also volunteers where they
live, with one log-in."""

import sqlalchemy as sa

from factories import make_wish
from conftest import PASSWORD
from helpers import error_of
from wishboard.accounts.models import AccountLink, User
from wishboard.audit.models import AuditEntry
from wishboard.extensions import db


def _add_hat(client, headers, community, volunteer_type="party_member"):
    return client.post("/api/v1/me/hats", headers=headers,
                       json={"community_id": community.id, "volunteer_type": volunteer_type})


def _switch(client, headers, user_id):
    return client.post("/api/v1/auth/switch", headers=headers, json={"user_id": user_id})


def test_a_secretary_volunteers_where_she_lives_and_claims_there(client, neighbourhood,
                                                                 token_for):
    n = neighbourhood
    mine = token_for(n.secretary)
    response = _add_hat(client, mine, n.elsewhere)
    assert response.status_code == 201, response.get_json()
    hat = response.get_json()
    assert hat["role"] == "volunteer" and hat["community"]["id"] == n.elsewhere.id
    assert hat["report_status"] == "pending" and hat["name"] == n.secretary.name

    # Her 报到 waits in the other community's queue, for its secretary to decide.
    queue = client.get(f"/api/v1/volunteers?community_id={n.elsewhere.id}&status=pending",
                       headers=token_for(n.far_secretary)).get_json()["items"]
    assert [row["id"] for row in queue] == [hat["id"]]
    assert client.post(f"/api/v1/volunteers/{hat['id']}/approve",
                       headers=mine).status_code == 403
    assert client.post(f"/api/v1/volunteers/{hat['id']}/approve",
                       headers=token_for(n.far_secretary)).status_code == 200

    listed = client.get("/api/v1/me/hats", headers=mine).get_json()
    assert [(h["id"], h["current"]) for h in listed] == [(n.secretary.id, True),
                                                         (hat["id"], False)]

    switched = _switch(client, mine, hat["id"])
    assert switched.status_code == 200, switched.get_json()
    as_volunteer = {"Authorization": f"Bearer {switched.get_json()['token']}"}
    assert client.get("/api/v1/me", headers=as_volunteer).get_json()["id"] == hat["id"]

    there = make_wish(n.far_secretary, title="帮忙修水管")
    at_home = make_wish(n.secretary, title="帮忙搬花盆")
    claimed = client.post(f"/api/v1/wishes/{there.id}/claim", headers=as_volunteer,
                          json={"accept_letter": True})
    assert claimed.status_code == 200, claimed.get_json()
    assert claimed.get_json()["state"] == "claimed"
    # In the community she runs she is the secretary, not a volunteer.
    refused = client.post(f"/api/v1/wishes/{at_home.id}/claim", headers=as_volunteer,
                          json={"accept_letter": True})
    assert refused.status_code == 403 and error_of(refused)["code"] == "not_your_community"
    assert client.post(f"/api/v1/wishes/{at_home.id}/claim", headers=mine,
                       json={"accept_letter": True}).status_code == 403

    # And back, with her password: the secretary manages her own community.
    back = client.post("/api/v1/auth/switch", headers=as_volunteer,
                       json={"user_id": n.secretary.id, "password": PASSWORD})
    assert back.status_code == 200
    as_secretary = {"Authorization": f"Bearer {back.get_json()['token']}"}
    assert client.get("/api/v1/me", headers=as_secretary).get_json()["role"] == "secretary"
    actions = set(db.session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.object_id == hat["id"], AuditEntry.object_type == "user")))
    assert {"volunteer_hat_added", "hat_switched"} <= actions


def test_who_may_add_a_hat_and_where(client, neighbourhood, token_for):
    n = neighbourhood
    own = _add_hat(client, token_for(n.secretary), n.community)
    assert own.status_code == 400 and error_of(own)["code"] == "own_community"
    for person in (n.volunteer, n.served):
        refused = _add_hat(client, token_for(person), n.elsewhere)
        assert refused.status_code == 403
    bad_type = _add_hat(client, token_for(n.secretary), n.elsewhere, volunteer_type="boss")
    assert bad_type.status_code == 400 and "volunteer_type" in error_of(bad_type)["fields"]
    nowhere = client.post("/api/v1/me/hats", headers=token_for(n.secretary),
                          json={"community_id": 999999, "volunteer_type": "elder"})
    assert nowhere.status_code == 400
    assert _add_hat(client, token_for(n.secretary), n.elsewhere).status_code == 201
    twice = _add_hat(client, token_for(n.secretary), n.elsewhere)
    assert twice.status_code == 409 and error_of(twice)["code"] == "already_volunteer_elsewhere"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AccountLink)) == 1


def test_nobody_switches_into_someone_elses_account(client, neighbourhood, token_for):
    n = neighbourhood
    hat_id = _add_hat(client, token_for(n.secretary), n.elsewhere).get_json()["id"]
    for person in (n.far_secretary, n.volunteer):
        refused = _switch(client, token_for(person), hat_id)
        assert refused.status_code == 403 and error_of(refused)["code"] == "not_your_hat"
    refused = _switch(client, token_for(n.secretary), n.far_secretary.id)
    assert refused.status_code == 403
    assert _switch(client, token_for(n.secretary), "x").status_code == 400


def test_the_hat_has_no_password_and_ends_with_its_person(app, client, neighbourhood,
                                                          token_for, login_as):
    n = neighbourhood
    n.secretary.phone = "13911112222"  # hers alone (the fixture's people share one)
    db.session.commit()
    mine = token_for(n.secretary)
    hat_id = _add_hat(client, mine, n.elsewhere).get_json()["id"]
    hat = db.session.get(User, hat_id)
    assert hat.phone == n.secretary.phone
    # The hat cannot be logged in to: not by its username, and the phone number it shares
    # with its person still logs the person in (it is not "several accounts").
    refused = client.post("/api/v1/auth/token", json={"username": hat.username,
                                                      "password": PASSWORD})
    assert refused.status_code == 401
    by_phone = client.post("/api/v1/auth/token", json={"username": n.secretary.phone,
                                                       "password": PASSWORD})
    assert by_phone.status_code == 200, by_phone.get_json()
    # Nobody gives it a reset code: the person resets their own account.
    refused = client.post(f"/api/v1/users/{hat_id}/password-reset",
                          headers=token_for(n.far_secretary))
    assert refused.status_code == 400 and error_of(refused)["code"] == "hat_has_no_password"

    # A browser switched to the hat; another device logged in as the person; a token for
    # the hat. Logging out everywhere from the hat ends all of them.
    other_device = app.test_client()
    assert other_device.post("/auth/login", data={"username": n.secretary.username,
                                                  "password": PASSWORD}).status_code == 302
    hat_token = {"Authorization": "Bearer " + _switch(client, mine, hat_id).get_json()["token"]}
    login_as(n.secretary)
    page = client.get("/auth/account").get_data(as_text=True)
    csrf = page.split('name="csrf_token" value="')[1].split('"')[0]
    switched = client.post("/api/v1/auth/switch", json={"user_id": hat_id},
                           headers={"X-CSRFToken": csrf})
    assert switched.status_code == 200, switched.get_json()
    assert switched.get_json()["token"] is None
    assert client.get("/api/v1/me").get_json()["id"] == hat_id
    assert other_device.get("/api/v1/me").get_json()["id"] == n.secretary.id

    assert client.post("/auth/logout-everywhere").status_code == 302
    assert client.get("/api/v1/me").status_code == 401
    assert other_device.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers=hat_token).status_code == 401
    assert client.get("/api/v1/me", headers=mine).status_code == 401


def test_the_hat_never_judges_its_persons_work(client, neighbourhood, token_for):
    """Her hat lives in another community; in the one she runs it reports and joins no
    organisation (whose claims, hours and logs she would confirm), and the rules that say
    "nobody approves their own work" see the hat and its person as one."""
    from wishboard.access import same_person

    n = neighbourhood
    mine = token_for(n.secretary)
    hat_id = _add_hat(client, mine, n.elsewhere).get_json()["id"]
    client.post(f"/api/v1/volunteers/{hat_id}/approve", headers=token_for(n.far_secretary))
    as_hat = {"Authorization": "Bearer " + _switch(client, mine, hat_id).get_json()["token"]}

    report = client.post("/api/v1/organizations/reports", headers=as_hat, json={
        "name": "书记的服务队", "unit": "某单位", "kind": "service_team",
        "community_id": n.community.id})
    assert report.status_code == 403 and error_of(report)["code"] == "own_community"
    join = client.post(f"/api/v1/organizations/{n.org.id}/membership-requests",
                       headers=as_hat, json={})
    assert join.status_code == 403 and error_of(join)["code"] == "own_community"
    # Elsewhere she may: an organisation of the community she lives in.
    elsewhere = client.post("/api/v1/organizations/reports", headers=as_hat, json={
        "name": "肖家河邻里服务队", "unit": "肖家河社区", "kind": "service_team",
        "community_id": n.elsewhere.id})
    assert elsewhere.status_code == 201, elsewhere.get_json()
    assert same_person(hat_id, n.secretary.id) and same_person(n.secretary.id, hat_id)
    assert not same_person(hat_id, n.far_secretary.id)


def test_switching_back_to_the_secretary_takes_her_password(client, neighbourhood, token_for):
    n = neighbourhood
    mine = token_for(n.secretary)
    hat_id = _add_hat(client, mine, n.elsewhere).get_json()["id"]
    as_hat = {"Authorization": "Bearer " + _switch(client, mine, hat_id).get_json()["token"]}
    bare = _switch(client, as_hat, n.secretary.id)
    assert bare.status_code == 400 and error_of(bare)["code"] == "wrong_password"
    wrong = client.post("/api/v1/auth/switch", headers=as_hat,
                        json={"user_id": n.secretary.id, "password": "not-hers-at-all"})
    assert wrong.status_code == 400 and error_of(wrong)["code"] == "wrong_password"
    right = client.post("/api/v1/auth/switch", headers=as_hat,
                        json={"user_id": n.secretary.id, "password": PASSWORD})
    assert right.status_code == 200 and right.get_json()["user"]["role"] == "secretary"
