"""Ten invited volunteers press 接受 and ten others press 认领 on one wish at the same
moment, against gunicorn with several workers and threads: exactly one wins, the rest get
409 (never a 500, never a deadlock), one claim exists, and every invitation has ended:
the winner's accepted if they were invited, every other lapsed."""

import sqlalchemy as sa
from live import gunicorn, post_each_at_once

from wishboard.accounts import tokens
from wishboard.extensions import db
from wishboard.invitations import services as invitations
from wishboard.invitations.models import Invitation, InvitationStatus
from wishboard.wishes import services as wishes
from wishboard.wishes.models import Claim, Wish
from wishboard.wishes.states import WishState

INVITED = CLAIMING = 10


def test_invitees_accepting_and_others_claiming_at_once_one_winner(
        app, migrated_url, community, make_user):
    secretary = make_user("secretary", community)
    invited = [make_user("volunteer", community, name=f"受邀{i}") for i in range(INVITED)]
    others = [make_user("volunteer", community, name=f"志愿者{i}") for i in range(CLAIMING)]
    category_id = db.session.scalar(sa.text("SELECT id FROM categories ORDER BY id LIMIT 1"))
    wish = wishes.create_wish(secretary, title="帮吴婆婆买药", description="每周一次",
                              category_id=category_id, beneficiary_name="吴秀英")
    sent = [invitations.invite(secretary, wish.id, user_id=v.id).id for v in invited]

    with gunicorn(migrated_url) as base:
        requests = [(f"{base}/api/v1/invitations/{invitation_id}/accept",
                     tokens.issue_token(volunteer)[0])
                    for invitation_id, volunteer in zip(sent, invited)]
        requests += [(f"{base}/api/v1/wishes/{wish.id}/claim", tokens.issue_token(v)[0])
                     for v in others]
        results = post_each_at_once(requests, {"accept_letter": True})

    statuses = sorted(status for status, _ in results)
    assert statuses == [200] + [409] * (INVITED + CLAIMING - 1), results
    assert {body["error"]["code"] for status, body in results if status == 409} <= {
        "wish_already_claimed", "invitation_lapsed"}

    db.session.expire_all()
    claims = db.session.scalars(sa.select(Claim).where(Claim.wish_id == wish.id)).all()
    assert len(claims) == 1
    stored = db.session.get(Wish, wish.id)
    assert stored.state is WishState.CLAIMED and stored.claimant_id == claims[0].volunteer_id
    ended = {i.user_id: i.status for i in db.session.scalars(sa.select(Invitation))}
    winner = stored.claimant_id
    assert ended == {v.id: InvitationStatus.ACCEPTED if v.id == winner
                     else InvitationStatus.LAPSED for v in invited}
