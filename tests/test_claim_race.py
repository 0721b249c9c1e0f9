"""Twenty volunteers press 认领 on one wish at the same moment, against gunicorn with several
workers and threads: exactly one wins, the rest get 409, one claim row exists."""

import sqlalchemy as sa
from live import gunicorn, post_all_at_once

from wishboard.accounts import tokens
from wishboard.extensions import db
from wishboard.wishes import services as wishes
from wishboard.wishes.models import Claim, Wish
from wishboard.wishes.states import WishState

RACERS = 20


def test_twenty_simultaneous_claims_one_winner(app, migrated_url, community, make_user):
    secretary = make_user("secretary", community)
    volunteers = [make_user("volunteer", community, name=f"志愿者{i}") for i in range(RACERS)]
    category_id = db.session.scalar(sa.text("SELECT id FROM categories ORDER BY id LIMIT 1"))
    wish = wishes.create_wish(secretary, title="帮吴婆婆买药", description="每周一次",
                              category_id=category_id, beneficiary_name="吴秀英")
    raw_tokens = [tokens.issue_token(v)[0] for v in volunteers]

    with gunicorn(migrated_url) as base:
        results = post_all_at_once(f"{base}/api/v1/wishes/{wish.id}/claim", raw_tokens,
                                   {"accept_letter": True})

    statuses = sorted(status for status, _ in results)
    assert statuses == [200] + [409] * (RACERS - 1), results
    losers = [body for status, body in results if status == 409]
    assert {body["error"]["code"] for body in losers} == {"wish_already_claimed"}
    winner = next(body for status, body in results if status == 200)

    db.session.expire_all()
    claims = db.session.scalars(sa.select(Claim).where(Claim.wish_id == wish.id)).all()
    assert len(claims) == 1
    stored = db.session.get(Wish, wish.id)
    assert stored.state is WishState.CLAIMED
    assert stored.claimant_id == claims[0].volunteer_id == winner["claimant"]["id"]
