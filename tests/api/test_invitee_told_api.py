"""The invitee hears how their invitation ended when nobody answered for them: it lapsed
with its wish (claimed by someone else, cancelled, expired), said why, in the transaction
that ended it; or it passed its time to answer. A volunteer whose own claim ended their
invitation is not told; an organisation's contact is told for it."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from factories import make_wish

from wishboard.core.clock import utcnow
from wishboard.extensions import db
from wishboard.invitations.models import Invitation, InvitationStatus
from wishboard.jobs import sweeps
from wishboard.notifications.models import Notification
from wishboard.notifications.services import MESSAGE_GROUPS

TITLE = "帮独居老人联系康复护理"


@pytest.fixture
def wish(neighbourhood):
    return make_wish(neighbourhood.secretary, title=TITLE, description="吴奶奶92岁独居")


def invite(client, headers, wish_id, **body) -> int:
    response = client.post(f"/api/v1/wishes/{wish_id}/invitations", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def messages(user, kind) -> list[Notification]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Notification).where(
        Notification.user_id == user.id, Notification.kind == kind).order_by(Notification.id)))


def claim(client, headers, wish_id, **body):
    return client.post(f"/api/v1/wishes/{wish_id}/claim", headers=headers,
                       json={"accept_letter": True, **body})


def test_an_invitee_hears_that_someone_else_claimed_and_the_claimant_hears_nothing(
        client, neighbourhood, wish, token_for):
    n = neighbourhood
    secretary = token_for(n.secretary)
    invite(client, secretary, wish.id, user_id=n.volunteer.id)
    invite(client, secretary, wish.id, user_id=n.other_volunteer.id)
    # 王晓梅 was invited too, and claims from the wish page: hers is accepted, his lapses.
    assert claim(client, token_for(n.other_volunteer), wish.id).status_code == 200
    [told] = messages(n.volunteer, "invitation_lapsed")
    assert told.text == f"您受邀的心愿「{TITLE}」已由其他志愿者认领，邀请已失效，谢谢您。"
    assert told.wish_id == wish.id
    assert messages(n.other_volunteer, "invitation_lapsed") == []
    assert messages(n.secretary, "invitation_lapsed") == []


def test_claiming_after_ones_own_invitation_ran_out_tells_oneself_nothing(
        client, neighbourhood, wish, token_for):
    n = neighbourhood
    invitation_id = invite(client, token_for(n.secretary), wish.id, user_id=n.volunteer.id)
    invitation = db.session.get(Invitation, invitation_id)
    invitation.expires_at = utcnow() - timedelta(minutes=1)  # past its time, not yet swept
    db.session.commit()
    assert claim(client, token_for(n.volunteer), wish.id).status_code == 200
    db.session.expire_all()
    assert db.session.get(Invitation, invitation_id).status is InvitationStatus.LAPSED
    assert messages(n.volunteer, "invitation_lapsed") == []


def test_a_cancelled_or_expired_wish_tells_its_invitees_why(
        client, neighbourhood, token_for):
    n = neighbourhood
    secretary = token_for(n.secretary)
    cancelled = make_wish(n.secretary, title="修水管")
    expiring = make_wish(n.secretary, title="换灯泡", expires_at=utcnow() + timedelta(hours=1))
    invite(client, secretary, cancelled.id, user_id=n.volunteer.id)
    invite(client, secretary, expiring.id, user_id=n.volunteer.id)
    assert client.post(f"/api/v1/wishes/{cancelled.id}/cancel", json={"reason": "已解决"},
                       headers=secretary).status_code == 200
    sweeps.run_sweep(now=utcnow() + timedelta(hours=2))
    assert [(m.wish_id, m.text) for m in messages(n.volunteer, "invitation_lapsed")] == [
        (cancelled.id, "您受邀的心愿「修水管」已被社区取消，邀请已失效，谢谢您。"),
        (expiring.id, "您受邀的心愿「换灯泡」已过期，邀请已失效，谢谢您。")]
    # The invitation lapsed with its wish: it never expires on its own as well.
    sweeps.run_sweep(now=utcnow() + timedelta(hours=72))
    assert messages(n.volunteer, "invitee_invitation_expired") == []
    assert len(messages(n.volunteer, "invitation_lapsed")) == 2


def test_an_organisations_contact_hears_for_it_unless_their_own_claim_ended_it(
        client, neighbourhood, token_for):
    n = neighbourhood
    n.org.contact_user_id = n.volunteer.id
    db.session.commit()
    secretary = token_for(n.secretary)
    first = make_wish(n.secretary, title="社区义诊")
    second = make_wish(n.secretary, title="垃圾分类宣传")
    invite(client, secretary, first.id, organization_id=n.org.id)
    invite(client, secretary, second.id, organization_id=n.org.id)
    assert claim(client, token_for(n.other_volunteer), first.id).status_code == 200
    [told] = messages(n.volunteer, "invitation_lapsed")
    assert told.wish_id == first.id and "已由其他志愿者认领" in told.text
    # The contact claims the second for themselves, not for the organisation: the
    # organisation's invitation lapses with their own claim, and they are not told of it.
    assert claim(client, token_for(n.volunteer), second.id).status_code == 200
    assert len(messages(n.volunteer, "invitation_lapsed")) == 1


def test_an_unanswered_invitation_tells_the_invitee_it_expired_once(
        client, neighbourhood, wish, token_for):
    n = neighbourhood
    secretary = token_for(n.secretary)
    invite(client, secretary, wish.id, user_id=n.volunteer.id)
    n.org.contact_user_id = n.volunteer.id  # and, for the organisation, its contact
    db.session.commit()
    invite(client, secretary, wish.id, organization_id=n.org.id)
    later = utcnow() + timedelta(hours=49)
    assert sweeps.run_sweep(now=later).changed["expire_invitation"] == 2
    told = messages(n.volunteer, "invitee_invitation_expired")
    assert [(m.wish_id, m.text) for m in told] == [
        (wish.id, f"您受邀的心愿「{TITLE}」邀请已过答复期限。心愿还在等人认领，您方便的话仍可以认领。")]
    assert len(messages(n.secretary, "invitation_expired")) == 2  # the staff, as before
    sweeps.run_sweep(now=later + timedelta(hours=1))
    assert len(messages(n.volunteer, "invitee_invitation_expired")) == 1
    assert messages(n.volunteer, "invitation_lapsed") == []


def test_the_invitees_messages_are_progress_messages_one_may_keep_inside():
    progress = MESSAGE_GROUPS["progress"][1]
    assert {"invitation_lapsed", "invitee_invitation_expired"} <= set(progress)
    assert "invitation_expired" in MESSAGE_GROUPS["staff"][1]
