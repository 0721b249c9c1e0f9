"""Invitations on the pages: the secretary's 邀请 buttons beside the suggested volunteers,
社区请您帮忙 first on 我的, accepting through the wish page's claim form (the letter read
and ticked), declining with a small form."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from factories import make_wish

from wishboard.extensions import db
from wishboard.invitations.models import Invitation, InvitationStatus
from wishboard.notifications.models import Notification
from wishboard.places.models import Community
from wishboard.wishes.models import Wish
from wishboard.wishes.states import WishState

TITLE = "帮独居老人联系康复护理"


def text(response) -> str:
    return response.get_data(as_text=True)


def as_user(app, user):
    client = app.test_client()
    response = client.post("/auth/login", data={"username": user.username,
                                                "password": "correct-horse-9"})
    assert response.status_code == 302
    return client


@pytest.fixture
def wish(neighbourhood):
    return make_wish(neighbourhood.secretary, title=TITLE,
                     description="吴奶奶92岁独居，想在家附近做康复护理")


def only_invitation() -> Invitation:
    db.session.expire_all()
    return db.session.scalars(sa.select(Invitation)).one()


def test_the_secretary_invites_from_the_suggestions_and_sees_the_answer(
        app, neighbourhood, wish):
    n = neighbourhood
    secretary = as_user(app, n.secretary)
    page = text(secretary.get(f"/wishes/{wish.id}"))
    suggestions = page[page.index('id="suggestions"'):]
    assert f'aria-label="邀请{n.volunteer.name}"' in suggestions
    assert f'name="user_id" value="{n.volunteer.id}"' in suggestions
    assert "还没有邀请过谁" in suggestions

    sent = secretary.post(f"/wishes/{wish.id}/invite", data={"user_id": str(n.volunteer.id)},
                          follow_redirects=True)
    assert sent.status_code == 200 and "邀请已发出" in text(sent)
    assert only_invitation().user_id == n.volunteer.id
    page = text(secretary.get(f"/wishes/{wish.id}"))
    suggestions = page[page.index('id="suggestions"'):]
    assert f'aria-label="邀请{n.volunteer.name}"' not in suggestions  # asked already
    assert "已邀请，请在" in suggestions
    assert re.search(r"李建国 · 待答复（请在.+前答复）", suggestions)

    twice = secretary.post(f"/wishes/{wish.id}/invite", data={"user_id": str(n.volunteer.id)})
    assert twice.status_code == 200 and "已经邀请过了" in text(twice)
    resident = secretary.post(f"/wishes/{wish.id}/invite", data={"user_id": str(n.served.id)})
    assert "只能邀请本社区已通过报到的志愿者" in text(resident)
    by_volunteer = as_user(app, n.other_volunteer).post(
        f"/wishes/{wish.id}/invite", data={"user_id": str(n.volunteer.id)})
    assert by_volunteer.status_code == 403


def test_an_invitation_comes_first_on_my_page_and_accepting_claims_with_the_letter(
        app, neighbourhood, wish):
    n = neighbourhood
    as_user(app, n.secretary).post(f"/wishes/{wish.id}/invite",
                                   data={"user_id": str(n.volunteer.id)})
    volunteer = as_user(app, n.volunteer)
    mine = text(volunteer.get("/auth/account"))
    heading = mine.index("社区请您帮忙")
    assert heading < mine.index("我的认领") and heading < mine.index("报到状态")
    section = mine[heading:mine.index("</section>", heading)]
    assert TITLE in section and "张丽华请您帮忙，请在" in section and "前答复" in section
    assert "接受（签责任书认领）" in section and ">婉拒</button>" in section
    assert f'href="/wishes/{wish.id}#claim"' in section

    page = text(volunteer.get(f"/wishes/{wish.id}"))
    claim = page[page.index('id="claim"'):]
    invitation = only_invitation()
    action = f"/wishes/{wish.id}/invitations/{invitation.id}/accept"
    assert f'action="{action}"' in claim and "社区请您帮忙：张丽华请您认领这个心愿" in claim
    assert "项目责任书" in claim and 'name="accept_letter"' in claim

    unticked = volunteer.post(action, data={})
    assert unticked.status_code == 200 and "请先阅读并同意项目责任书" in text(unticked)
    assert only_invitation().status is InvitationStatus.PENDING
    done = volunteer.post(action, data={"accept_letter": "true"}, follow_redirects=True)
    assert done.status_code == 200 and "认领成功" in text(done)
    assert only_invitation().status is InvitationStatus.ACCEPTED
    claimed = db.session.get(Wish, wish.id)
    assert claimed.state is WishState.CLAIMED and claimed.claimant_id == n.volunteer.id
    assert "社区请您帮忙" not in text(volunteer.get("/auth/account"))


def test_declining_from_my_page_tells_the_secretary(app, neighbourhood, wish):
    n = neighbourhood
    as_user(app, n.secretary).post(f"/wishes/{wish.id}/invite",
                                   data={"user_id": str(n.volunteer.id)})
    invitation = only_invitation()
    volunteer = as_user(app, n.volunteer)
    declined = volunteer.post(f"/invitations/{invitation.id}/decline",
                              data={"reason": "腿脚不好"}, follow_redirects=True)
    assert declined.status_code == 200 and "谢谢您" in text(declined)
    assert "社区请您帮忙" not in text(declined)
    assert only_invitation().status is InvitationStatus.DECLINED
    told = db.session.scalars(sa.select(Notification).where(
        Notification.user_id == n.secretary.id,
        Notification.kind == "invitation_declined")).all()
    assert len(told) == 1 and "腿脚不好" in told[0].text
    again = volunteer.post(f"/invitations/{invitation.id}/decline", data={},
                           follow_redirects=True)
    assert "这份邀请已经答复过了" in text(again)
    page = text(as_user(app, n.secretary).get(f"/wishes/{wish.id}"))
    assert "李建国 · 已婉拒：腿脚不好" in page


def test_an_organisations_invitation_is_claimed_for_it(app, neighbourhood, wish):
    n = neighbourhood
    n.org.contact_user_id = n.volunteer.id
    db.session.commit()
    secretary = as_user(app, n.secretary)
    page = text(secretary.get(f"/wishes/{wish.id}"))
    assert "邀请报到党组织" in page and f'<option value="{n.org.id}">省种子站党支部' in page
    secretary.post(f"/wishes/{wish.id}/invite", data={"organization_id": str(n.org.id)})
    invitation = only_invitation()
    assert invitation.organization_id == n.org.id

    contact = as_user(app, n.volunteer)
    assert "张丽华请省种子站党支部帮忙" in text(contact.get("/auth/account"))
    claim = text(contact.get(f"/wishes/{wish.id}"))
    claim = claim[claim.index('id="claim"'):]
    assert f'type="hidden" name="organization_id" value="{n.org.id}"' in claim
    assert "代表省种子站党支部认领" in claim
    contact.post(f"/wishes/{wish.id}/invitations/{invitation.id}/accept",
                 data={"accept_letter": "true", "organization_id": str(n.org.id)})
    claimed = db.session.get(Wish, wish.id)
    assert (claimed.claimant_id, claimed.claim_organization_id) == (n.volunteer.id, n.org.id)
    assert only_invitation().status is InvitationStatus.ACCEPTED


def test_the_settings_page_sets_the_hours_an_invitation_waits(app, neighbourhood):
    n = neighbourhood
    secretary = as_user(app, n.secretary)
    page = text(secretary.get("/manage/settings"))
    assert 'name="invitation_hours"' in page and 'value="48"' in page
    saved = secretary.post("/manage/settings", data={"invitation_hours": "72"},
                           follow_redirects=True)
    assert saved.status_code == 200
    db.session.expire_all()
    assert db.session.get(Community, n.community.id).invitation_hours == 72
