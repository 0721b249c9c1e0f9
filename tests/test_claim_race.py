"""Twenty volunteers press 认领 on one wish at the same moment, against gunicorn with several
workers and threads: exactly one wins, the rest get 409, one claim row exists."""

import json
import threading
import urllib.error
import urllib.request

import sqlalchemy as sa

from live import gunicorn
from wishboard.extensions import db
from wishboard.models import Claim, Wish, WishState
from wishboard.services import needs, tokens

RACERS = 20


def _claim(url: str, token: str, barrier: threading.Barrier, results: list, index: int):
    request = urllib.request.Request(
        url, data=json.dumps({"accept_letter": True}).encode(), method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    barrier.wait()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            results[index] = (response.status, json.loads(response.read()))
    except urllib.error.HTTPError as error:
        results[index] = (error.code, json.loads(error.read()))


def test_twenty_simultaneous_claims_one_winner(app, migrated_url, community, make_user):
    secretary = make_user("secretary", community)
    volunteers = [make_user("volunteer", community, name=f"志愿者{i}") for i in range(RACERS)]
    category_id = db.session.scalar(sa.text("SELECT id FROM categories ORDER BY id LIMIT 1"))
    wish = needs.create_wish(secretary, title="帮吴婆婆买药", description="每周一次",
                             category_id=category_id, beneficiary_name="吴秀英")
    raw_tokens = [tokens.issue_token(v)[0] for v in volunteers]

    with gunicorn(migrated_url) as base:
        url = f"{base}/api/v1/wishes/{wish.id}/claim"
        barrier = threading.Barrier(RACERS)
        results = [None] * RACERS
        threads = [threading.Thread(target=_claim, args=(url, raw_tokens[i], barrier, results, i))
                   for i in range(RACERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

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
