"""Invitations (社区请您帮忙), through the API: the secretary invites a volunteer or an
organisation to claim an open wish; the invitee accepts (the one claim path, with the
letter) or declines; the stale-work policy ends those nobody answered; a wish that leaves
open ends its invitations with it."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from factories import make_wish
from helpers import error_of
from sqlalchemy.exc import IntegrityError

from wishboard.accounts.models import ReportStatus
from wishboard.audit.models import AuditEntry
from wishboard.core.clock import utcnow
from wishboard.extensions import db
from wishboard.invitations.models import Invitation, InvitationStatus
from wishboard.jobs import sweeps
from wishboard.notifications.models import Notification
from wishboard.wishes import services as wishes
from wishboard.wishes.models import Wish
from wishboard.wishes.states import WishState

TITLE = "帮独居老人联系康复护理"


@pytest.fixture
def wish(neighbourhood):
    return make_wish(neighbourhood.secretary, title=TITLE,
                     description="吴奶奶92岁独居，想在家附近做康复护理")


def invite(client, headers, wish_id, **body):
    return client.post(f"/api/v1/wishes/{wish_id}/invitations", json=body, headers=headers)


def messages(user, kind) -> list[Notification]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Notification).where(
        Notification.user_id == user.id, Notification.kind == kind)
        .order_by(Notification.id)))


def status_of(invitation_id) -> InvitationStatus:
    db.session.expire_all()
    return db.session.get(Invitation, invitation_id).status


def wish_row(wish_id) -> Wish:
    db.session.expire_all()
    return db.session.get(Wish, wish_id)


# --- the journey ----------------------------------------------------------------------------

def test_invite_notify_list_and_accept_makes_the_claim_with_the_letter(
        client, neighbourhood, wish, token_for):
    n = neighbourhood
    secretary, volunteer = token_for(n.secretary), token_for(n.volunteer)
    before = utcnow()
    sent = invite(client, secretary, wish.id, user_id=n.volunteer.id)
    assert sent.status_code == 201, sent.get_json()
    body = sent.get_json()
    assert {"id", "wish_id", "user_id", "organization_id", "status", "expires_at",
            "created_at", "invited_by"} <= set(body)
    assert (body["wish_id"], body["user_id"], body["organization_id"], body["status"]) == (
        wish.id, n.volunteer.id, None, "pending")
    assert body["invited_by"] == {"id": n.secretary.id, "name": "张丽华"}
    invitation = db.session.get(Invitation, body["id"])
    # The community's default: 48 hours to answer.
    assert before + timedelta(hours=48) <= invitation.expires_at <= utcnow() + timedelta(hours=48)

    told = messages(n.volunteer, "invited")
    assert len(told) == 1 and told[0].wish_id == wish.id
    assert told[0].text.startswith(f"张丽华请您帮忙：{TITLE}")
    audit = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "invitation_sent"))
    assert audit.object_id == body["id"] and audit.actor_id == n.secretary.id
    assert audit.action_label == "邀请认领心愿"

    mine = client.get("/api/v1/me/invitations", headers=volunteer)
    assert mine.status_code == 200 and [i["id"] for i in mine.get_json()] == [body["id"]]
    assert mine.get_json()[0]["wish"] == {"id": wish.id, "title": TITLE, "state": "open"}
    assert client.get("/api/v1/me/invitations", headers=token_for(n.other_volunteer)
                      ).get_json() == []

    url = f"/api/v1/invitations/{body['id']}/accept"
    unsigned = client.post(url, json={}, headers=volunteer)
    assert unsigned.status_code == 400
    assert error_of(unsigned)["code"] == "letter_not_accepted"
    assert status_of(body["id"]) is InvitationStatus.PENDING

    accepted = client.post(url, json={"accept_letter": True}, headers=volunteer)
    assert accepted.status_code == 200, accepted.get_json()
    assert accepted.get_json()["status"] == "accepted"
    claimed = wish_row(wish.id)
    assert claimed.state is WishState.CLAIMED and claimed.claimant_id == n.volunteer.id
    page = client.get(f"/api/v1/wishes/{wish.id}", headers=volunteer).get_json()
    assert page["claim"]["letter"].startswith("项目责任书") and "李建国" in page["claim"]["letter"]
    assert client.get("/api/v1/me/invitations", headers=volunteer).get_json() == []
    again = client.post(url, json={"accept_letter": True}, headers=volunteer)
    assert again.status_code == 409 and error_of(again)["code"] == "invitation_answered"


def test_declining_tells_the_secretary(client, neighbourhood, wish, token_for):
    n = neighbourhood
    secretary, volunteer = token_for(n.secretary), token_for(n.volunteer)
    invitation_id = invite(client, secretary, wish.id, user_id=n.volunteer.id).get_json()["id"]
    declined = client.post(f"/api/v1/invitations/{invitation_id}/decline",
                           json={"reason": "这周在外地"}, headers=volunteer)
    assert declined.status_code == 200, declined.get_json()
    assert declined.get_json()["status"] == "declined"
    assert declined.get_json()["decline_reason"] == "这周在外地"
    told = messages(n.secretary, "invitation_declined")
    assert len(told) == 1 and told[0].wish_id == wish.id
    assert "李建国婉拒了邀请" in told[0].text and "这周在外地" in told[0].text
    assert wish_row(wish.id).state is WishState.OPEN

    twice = client.post(f"/api/v1/invitations/{invitation_id}/decline", json={},
                        headers=volunteer)
    assert twice.status_code == 409 and error_of(twice)["code"] == "invitation_answered"
    late = client.post(f"/api/v1/invitations/{invitation_id}/accept",
                       json={"accept_letter": True}, headers=volunteer)
    assert late.status_code == 409
    # Once answered, the volunteer may be asked again.
    assert invite(client, secretary, wish.id, user_id=n.volunteer.id).status_code == 201

    listed = client.get(f"/api/v1/wishes/{wish.id}/invitations", headers=secretary)
    assert listed.status_code == 200
    assert [i["status"] for i in listed.get_json()] == ["pending", "declined"]


def test_one_live_invitation_per_wish_and_invitee(client, neighbourhood, wish, token_for):
    n = neighbourhood
    secretary = token_for(n.secretary)
    assert invite(client, secretary, wish.id, user_id=n.volunteer.id).status_code == 201
    twice = invite(client, secretary, wish.id, user_id=n.volunteer.id)
    assert twice.status_code == 409 and error_of(twice)["code"] == "already_invited"
    assert invite(client, secretary, wish.id, user_id=n.other_volunteer.id).status_code == 201
    assert len(messages(n.volunteer, "invited")) == 1
    # The database refuses it too (the partial unique index), whoever writes.
    db.session.add(Invitation(wish_id=wish.id, user_id=n.volunteer.id,
                              status=InvitationStatus.PENDING, invited_by_id=n.secretary.id,
                              expires_at=utcnow() + timedelta(hours=1)))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    # Exactly one invitee per row.
    db.session.add(Invitation(wish_id=wish.id, user_id=n.volunteer.id, organization_id=n.org.id,
                              status=InvitationStatus.DECLINED, invited_by_id=n.secretary.id,
                              expires_at=utcnow() + timedelta(hours=1)))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


# --- who may be invited, and by whom --------------------------------------------------------

def test_only_approved_volunteers_and_organisations_of_the_community_are_invited(
        client, neighbourhood, wish, token_for, make_user, make_org):
    n = neighbourhood
    secretary = token_for(n.secretary)
    pending = make_user("volunteer", n.community, report_status=ReportStatus.PENDING)
    for user in (pending, n.neighbour, n.far_volunteer, n.secretary):
        refused = invite(client, secretary, wish.id, user_id=user.id)
        assert refused.status_code == 400, user.username
        assert error_of(refused)["fields"] == {"user_id": ["只能邀请本社区已通过报到的志愿者"]}
    assert error_of(invite(client, secretary, wish.id, user_id=999999))["fields"] == {
        "user_id": ["只能邀请本社区已通过报到的志愿者"]}
    for body in ({}, {"user_id": n.volunteer.id, "organization_id": n.org.id},
                 {"user_id": None}):
        both = invite(client, secretary, wish.id, **body)
        assert both.status_code == 400 and set(error_of(both)["fields"]) == {
            "user_id", "organization_id"}
    no_contact = invite(client, secretary, wish.id, organization_id=n.org.id)
    assert no_contact.status_code == 400 and "organization_id" in error_of(no_contact)["fields"]
    far_org = make_org(n.elsewhere, name="远处党支部")
    far = invite(client, secretary, wish.id, organization_id=far_org.id)
    assert error_of(far)["fields"] == {"organization_id": ["只能邀请本社区的报到党组织"]}
    unknown = invite(client, secretary, wish.id, organization_id=999999)
    assert unknown.status_code == 400 and "organization_id" in error_of(unknown)["fields"]
    # A contact who is no member of the organisation cannot answer for it.
    n.org.contact_user_id = n.other_volunteer.id
    db.session.commit()
    outsider = invite(client, secretary, wish.id, organization_id=n.org.id)
    assert outsider.status_code == 400 and "organization_id" in error_of(outsider)["fields"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invitation)) == 0


def test_only_the_communitys_staff_invite_and_only_to_open_wishes(
        client, neighbourhood, wish, token_for):
    n = neighbourhood
    url = f"/api/v1/wishes/{wish.id}/invitations"
    by_volunteer = client.post(url, json={"user_id": n.other_volunteer.id},
                               headers=token_for(n.volunteer))
    assert by_volunteer.status_code == 403
    far = client.post(url, json={"user_id": n.volunteer.id}, headers=token_for(n.far_secretary))
    assert far.status_code == 403 and error_of(far)["code"] == "not_your_community"
    assert client.post(url, json={"user_id": n.volunteer.id}).status_code == 401
    assert client.post("/api/v1/wishes/999999/invitations", json={"user_id": n.volunteer.id},
                       headers=token_for(n.secretary)).status_code == 404
    assert client.get(url, headers=token_for(n.volunteer)).status_code == 403
    assert client.get(url, headers=token_for(n.far_secretary)).status_code == 403

    wishes.claim_wish(n.other_volunteer, wish.id, accept_letter=True)
    closed = client.post(url, json={"user_id": n.volunteer.id}, headers=token_for(n.secretary))
    assert closed.status_code == 409 and error_of(closed)["code"] == "wish_not_open"


def test_only_the_invitee_answers(client, neighbourhood, wish, token_for):
    n = neighbourhood
    invitation_id = invite(client, token_for(n.secretary), wish.id,
                           user_id=n.volunteer.id).get_json()["id"]
    for who in (n.other_volunteer, n.secretary, n.far_volunteer):
        accept = client.post(f"/api/v1/invitations/{invitation_id}/accept",
                             json={"accept_letter": True}, headers=token_for(who))
        assert accept.status_code == 403 and error_of(accept)["code"] == "not_invitee"
        decline = client.post(f"/api/v1/invitations/{invitation_id}/decline", json={},
                              headers=token_for(who))
        assert decline.status_code == 403
    assert client.post("/api/v1/invitations/999999/accept", json={"accept_letter": True},
                       headers=token_for(n.volunteer)).status_code == 404
    assert status_of(invitation_id) is InvitationStatus.PENDING
    assert wish_row(wish.id).state is WishState.OPEN


# --- an organisation ------------------------------------------------------------------------

def test_an_organisation_is_invited_its_contact_answers_and_claims_for_it(
        client, neighbourhood, wish, token_for):
    n = neighbourhood
    n.org.contact_user_id = n.volunteer.id
    db.session.commit()
    sent = invite(client, token_for(n.secretary), wish.id, organization_id=n.org.id)
    assert sent.status_code == 201, sent.get_json()
    assert (sent.get_json()["user_id"], sent.get_json()["organization_id"]) == (None, n.org.id)
    told = messages(n.volunteer, "invited")
    assert len(told) == 1 and told[0].text.startswith(f"张丽华请省种子站党支部帮忙：{TITLE}")
    contact = token_for(n.volunteer)
    assert [i["id"] for i in client.get("/api/v1/me/invitations", headers=contact).get_json()
            ] == [sent.get_json()["id"]]

    url = f"/api/v1/invitations/{sent.get_json()['id']}/accept"
    assert client.post(url, json={"accept_letter": True},
                       headers=token_for(n.other_volunteer)).status_code == 403
    other_org = client.post(url, json={"accept_letter": True, "organization_id": 999999},
                            headers=contact)
    assert other_org.status_code == 400 and "organization_id" in error_of(other_org)["fields"]
    accepted = client.post(url, json={"accept_letter": True}, headers=contact)
    assert accepted.status_code == 200, accepted.get_json()
    assert accepted.get_json()["status"] == "accepted"
    claimed = wish_row(wish.id)
    assert (claimed.state, claimed.claimant_id, claimed.claim_organization_id) == (
        WishState.CLAIMED, n.volunteer.id, n.org.id)


# --- how invitations end ----------------------------------------------------------------------

def test_an_unanswered_invitation_expires_and_the_secretary_is_told_once(
        client, neighbourhood, wish, token_for):
    n = neighbourhood
    invitation_id = invite(client, token_for(n.secretary), wish.id,
                           user_id=n.volunteer.id).get_json()["id"]
    later = utcnow() + timedelta(hours=49)
    due = [d for d in sweeps.plan(later) if d.rule == "expire_invitation"]
    assert [(d.wish_id, d.title) for d in due] == [(wish.id, TITLE)]
    assert "李建国" in due[0].why
    assert sweeps.run_sweep(now=utcnow() + timedelta(hours=47)).changed["expire_invitation"] == 0
    assert status_of(invitation_id) is InvitationStatus.PENDING

    result = sweeps.run_sweep(now=later)
    assert result.changed["expire_invitation"] == 1
    assert status_of(invitation_id) is InvitationStatus.EXPIRED
    told = messages(n.secretary, "invitation_expired")
    assert len(told) == 1 and TITLE in told[0].text and told[0].wish_id == wish.id
    sweeps.run_sweep(now=later + timedelta(hours=1))
    assert len(messages(n.secretary, "invitation_expired")) == 1
    accept = client.post(f"/api/v1/invitations/{invitation_id}/accept",
                         json={"accept_letter": True}, headers=token_for(n.volunteer))
    assert accept.status_code == 409 and error_of(accept)["code"] == "invitation_expired"
    assert wish_row(wish.id).state is WishState.OPEN


def test_past_its_time_an_invitation_is_over_before_the_sweep_comes(
        client, neighbourhood, wish, token_for):
    n = neighbourhood
    secretary, volunteer = token_for(n.secretary), token_for(n.volunteer)
    invitation_id = invite(client, secretary, wish.id, user_id=n.volunteer.id).get_json()["id"]
    invitation = db.session.get(Invitation, invitation_id)
    invitation.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert client.get("/api/v1/me/invitations", headers=volunteer).get_json() == []
    accept = client.post(f"/api/v1/invitations/{invitation_id}/accept",
                         json={"accept_letter": True}, headers=volunteer)
    assert accept.status_code == 409 and error_of(accept)["code"] == "invitation_expired"
    listed = client.get(f"/api/v1/wishes/{wish.id}/invitations", headers=secretary).get_json()
    assert listed[0]["status"] == "expired"
    # And it no longer stands in the way of asking again.
    assert invite(client, secretary, wish.id, user_id=n.volunteer.id).status_code == 201
    assert status_of(invitation_id) is InvitationStatus.EXPIRED


def test_someone_else_claims_first_and_the_invitation_lapses(
        client, neighbourhood, wish, token_for):
    n = neighbourhood
    secretary = token_for(n.secretary)
    invitation_id = invite(client, secretary, wish.id, user_id=n.volunteer.id).get_json()["id"]
    claimed = client.post(f"/api/v1/wishes/{wish.id}/claim", json={"accept_letter": True},
                          headers=token_for(n.other_volunteer))
    assert claimed.status_code == 200
    assert status_of(invitation_id) is InvitationStatus.LAPSED
    accept = client.post(f"/api/v1/invitations/{invitation_id}/accept",
                         json={"accept_letter": True}, headers=token_for(n.volunteer))
    assert accept.status_code == 409 and error_of(accept)["code"] == "invitation_lapsed"
    assert status_of(invitation_id) is InvitationStatus.LAPSED
    assert wish_row(wish.id).claimant_id == n.other_volunteer.id
    listed = client.get(f"/api/v1/wishes/{wish.id}/invitations", headers=secretary).get_json()
    assert [i["status"] for i in listed] == ["lapsed"]
    # Released and open again: the old invitation stays lapsed; a new one may be sent.
    client.post(f"/api/v1/wishes/{wish.id}/release", json={"reason": "临时有事"},
                headers=token_for(n.other_volunteer))
    assert status_of(invitation_id) is InvitationStatus.LAPSED
    assert invite(client, secretary, wish.id, user_id=n.volunteer.id).status_code == 201


def test_claiming_on_the_wish_page_answers_the_invitees_own_invitation(
        client, neighbourhood, wish, token_for):
    n = neighbourhood
    secretary = token_for(n.secretary)
    mine = invite(client, secretary, wish.id, user_id=n.volunteer.id).get_json()["id"]
    other = invite(client, secretary, wish.id, user_id=n.other_volunteer.id).get_json()["id"]
    assert client.post(f"/api/v1/wishes/{wish.id}/claim", json={"accept_letter": True},
                       headers=token_for(n.volunteer)).status_code == 200
    assert status_of(mine) is InvitationStatus.ACCEPTED
    assert status_of(other) is InvitationStatus.LAPSED


def test_cancelled_and_expired_wishes_take_their_invitations_with_them(
        client, neighbourhood, token_for):
    n = neighbourhood
    secretary = token_for(n.secretary)
    cancelled = make_wish(n.secretary, title="修水管")
    expiring = make_wish(n.secretary, title="换灯泡", expires_at=utcnow() + timedelta(hours=1))
    first = invite(client, secretary, cancelled.id, user_id=n.volunteer.id).get_json()["id"]
    second = invite(client, secretary, expiring.id, user_id=n.volunteer.id).get_json()["id"]
    assert client.post(f"/api/v1/wishes/{cancelled.id}/cancel", json={"reason": "已解决"},
                       headers=secretary).status_code == 200
    assert status_of(first) is InvitationStatus.LAPSED
    sweeps.run_sweep(now=utcnow() + timedelta(hours=72))
    assert wish_row(expiring.id).state is WishState.EXPIRED
    assert status_of(second) is InvitationStatus.LAPSED
    assert messages(n.secretary, "invitation_expired") == []  # the wish's expiry says it


def test_the_community_sets_how_long_an_invitation_waits(client, neighbourhood, wish, token_for):
    n = neighbourhood
    secretary = token_for(n.secretary)
    changed = client.patch(f"/api/v1/communities/{n.community.id}",
                           json={"invitation_hours": 24}, headers=secretary)
    assert changed.status_code == 200 and changed.get_json()["invitation_hours"] == 24
    bad = client.patch(f"/api/v1/communities/{n.community.id}", json={"invitation_hours": 0},
                       headers=secretary)
    assert bad.status_code == 400 and "invitation_hours" in error_of(bad)["fields"]
    body = invite(client, secretary, wish.id, user_id=n.volunteer.id).get_json()
    invitation = db.session.get(Invitation, body["id"])
    assert invitation.expires_at - invitation.created_at == timedelta(hours=24)


def test_the_wish_says_whether_the_viewer_may_invite(client, neighbourhood, wish, token_for):
    n = neighbourhood
    url = f"/api/v1/wishes/{wish.id}"
    assert client.get(url, headers=token_for(n.secretary)).get_json()["actions"]["invite"]
    assert not client.get(url, headers=token_for(n.volunteer)).get_json()["actions"]["invite"]
    assert not client.get(url).get_json()["actions"]["invite"]
