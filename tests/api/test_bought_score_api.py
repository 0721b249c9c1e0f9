"""The score cannot be bought through the API (docs/API.md "When points count"): what an
organisation's contact with a few fresh accounts, or a volunteer alone, tried, and the
answers they now get. The rules behind each answer are proved in
tests/services/test_independent_word.py."""

from datetime import timedelta

from factories import completed_wish

from wishboard.core.clock import local_day, utcnow
from wishboard.extensions import db
from wishboard.wishes import services as wishes


def error_of(response) -> dict:
    return response.get_json()["error"]


def card(client, user) -> dict:
    return client.get(f"/api/v1/volunteers/{user.id}").get_json()


def test_sock_puppet_members_can_neither_backdate_nor_have_their_contact_confirm(
        client, neighbourhood, make_volunteer, token_for):
    n = neighbourhood
    contact = make_volunteer(n.community, name="联络员", organization=n.org)
    n.org.contact_user_id = contact.id
    n.community.auto_approve_reports = True
    db.session.commit()
    now = utcnow()
    project = wishes.create_wish(n.secretary, title="关爱独居老人", description="每周上门",
                                 kind="project", category_id=n.category_id,
                                 beneficiary_name="独居老人", now=now - timedelta(days=7))
    wishes.claim_wish(contact, project.id, accept_letter=True, organization_id=n.org.id,
                      now=now - timedelta(days=7))

    # A fresh account names the organisation at sign-up; the contact approves it.
    signed = client.post("/api/v1/auth/register", json={
        "username": "puppet_a", "password": "a-long-pass-9x", "name": "马甲甲",
        "phone": "13900000011", "role": "volunteer", "community_id": n.community.id,
        "organization_id": n.org.id})
    assert signed.status_code == 201, signed.get_json()
    assert signed.get_json()["report_auto_approved"] is True
    puppet = token_for(type(contact)(id=signed.get_json()["id"], username="puppet_a"),
                       password="a-long-pass-9x")
    requests = client.get(f"/api/v1/organizations/{n.org.id}/membership-requests",
                          headers=token_for(contact)).get_json()["items"]
    assert client.post(f"/api/v1/membership-requests/{requests[0]['id']}/approve",
                       headers=token_for(contact)).status_code == 200
    assert client.post(f"/api/v1/wishes/{project.id}/members", headers=puppet).status_code == 201

    today = local_day(now)
    for back in (1, 3, 6):  # days before the account, and its membership, existed
        early = client.post(f"/api/v1/wishes/{project.id}/service-logs", headers=puppet,
                            json={"served_on": (today - timedelta(days=back)).isoformat(),
                                  "hours": 24})
        assert early.status_code == 400 and "served_on" in error_of(early)["fields"]
    whole_day = client.post(f"/api/v1/wishes/{project.id}/service-logs", headers=puppet,
                            json={"served_on": today.isoformat(), "hours": 24})
    assert whole_day.status_code == 400 and error_of(whole_day)["code"] == "too_many_hours"
    logged = client.post(f"/api/v1/wishes/{project.id}/service-logs", headers=puppet,
                         json={"served_on": today.isoformat(), "hours": 10})
    assert logged.status_code == 201
    by_contact = client.post(f"/api/v1/service-logs/{logged.get_json()['id']}/confirm",
                             headers=token_for(contact))
    assert by_contact.status_code == 403
    assert error_of(by_contact)["code"] == "cannot_confirm_own_work"

    # Confirmed by the community's staff, the puppet's work still waits for a person to
    # check its 报到: nothing on the organisation's board or its own.
    board = lambda: client.get(  # noqa: E731
        f"/api/v1/leaderboard?community_id={n.community.id}&kind=organizations"
    ).get_json()["items"]
    before = board()[0]["points"]
    assert client.post(f"/api/v1/service-logs/{logged.get_json()['id']}/confirm",
                       headers=token_for(n.secretary)).status_code == 200
    assert board()[0]["points"] == before
    shown = client.get(f"/api/v1/volunteers/{signed.get_json()['id']}").get_json()
    assert shown["points"] == 0 and shown["pending_points"] == 5 + 50
    assert {item["waits_for"] for item in shown["pending"]} == {"等社区核实报到"}


def test_a_completion_waits_and_a_not_served_verdict_takes_the_claim_back(
        client, neighbourhood, token_for):
    n = neighbourhood
    wish = completed_wish(n.secretary, n.volunteer, hours=0.1)
    shown = card(client, n.volunteer)
    assert (shown["points"], shown["completions"], shown["pending_points"]) == (5, 0, 20)
    staff = token_for(n.secretary)
    no_reason = client.post(f"/api/v1/wishes/{wish.id}/confirm", headers=staff,
                            json={"hours": 0})
    assert no_reason.status_code == 400 and "reason" in error_of(no_reason)["fields"]
    verdict = client.post(f"/api/v1/wishes/{wish.id}/confirm", headers=staff,
                          json={"hours": 0, "reason": "未实际服务"})
    assert verdict.status_code == 200
    shown = card(client, n.volunteer)
    assert (shown["points"], shown["pending_points"]) == (0, 0)
    story = client.get(f"/api/v1/wishes/{wish.id}", headers=staff).get_json()
    assert story["claims"][0]["hours_status"] == "not_served"
    again = client.post(f"/api/v1/wishes/{wish.id}/confirm", headers=staff, json={})
    assert again.status_code == 409 and error_of(again)["code"] == "hours_already_settled"
    told = client.get("/api/v1/notifications", headers=token_for(n.volunteer)).get_json()
    assert any("没有实际服务" in item["text"] for item in told["items"])


def test_an_unverified_residents_stars_show_as_waiting_outside_the_average(
        client, neighbourhood, make_resident, token_for):
    n = neighbourhood
    fake = make_resident(n.community, name="新居民", verified=False)
    wish = completed_wish(n.secretary, n.volunteer, hours=1)
    rated = client.post(f"/api/v1/wishes/{wish.id}/ratings", headers=token_for(fake),
                        json={"stars": 5, "comment": "很好"})
    assert rated.status_code == 201
    story = client.get(f"/api/v1/wishes/{wish.id}").get_json()
    assert (story["rating_count"], story["average_stars"]) == (0, None)
    assert [(r["stars"], r["comment"], r["counted"]) for r in story["ratings"]] == [
        (5, "很好", False)]
    settings = client.get(f"/api/v1/communities/{n.community.id}").get_json()
    assert settings["rating_trust_days"] is None
