"""每天汇总一次 through the API, the CLI and the profile page: ``follow_digest`` in
``GET/PUT /api/v1/me/profile``, a publish that tells a digest follower nothing at once,
``flask wishboard digest --now`` sending one message once, and the radio buttons of
我的特长和服务."""

from __future__ import annotations

import re

import sqlalchemy as sa
from factories import first_category_id
from helpers import error_of

from wishboard.extensions import db
from wishboard.matching.follow_models import DigestItem
from wishboard.matching.models import VolunteerProfile
from wishboard.notifications.services import MESSAGE_GROUPS


def profile(client, headers, **body):
    if body:
        return client.put("/api/v1/me/profile", json=body, headers=headers)
    return client.get("/api/v1/me/profile", headers=headers)


def inbox(client, headers, kind) -> list[dict]:
    items = client.get("/api/v1/notifications?per_page=100", headers=headers).get_json()["items"]
    return [item for item in items if item["kind"] == kind]


def publish(client, secretary, title) -> int:
    response = client.post("/api/v1/wishes", headers=secretary, json={
        "title": title, "description": "请帮忙", "category_id": first_category_id(),
        "beneficiary_name": "吴秀英"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def test_a_volunteer_chooses_the_daily_digest_and_gets_one_message_from_the_cli(
        client, runner, neighbourhood, token_for):
    n = neighbourhood
    me, secretary = token_for(n.volunteer), token_for(n.secretary)
    assert profile(client, me).get_json()["follow_digest"] is False
    chosen = profile(client, me, follows={"categories": [first_category_id()]},
                     follow_digest=True)
    assert chosen.status_code == 200 and chosen.get_json()["follow_digest"] is True
    # A field left out stays as it is.
    assert profile(client, me, offer="周末有空").get_json()["follow_digest"] is True

    first = publish(client, secretary, "帮忙买药")
    second = publish(client, secretary, "楼道灯坏了")
    assert inbox(client, me, "wish_followed") == []
    assert set(db.session.scalars(sa.select(DigestItem.wish_id).where(
        DigestItem.user_id == n.volunteer.id))) == {first, second}
    sent = runner.invoke(args=["wishboard", "digest", "--now"])
    assert sent.exit_code == 0, sent.output
    assert sent.output.startswith("1 digests sent (2 wishes)")
    [digest] = inbox(client, me, "follow_digest")
    assert digest["text"] == "今天有2个您关注的新心愿：「帮忙买药」、「楼道灯坏了」。"
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DigestItem)) == 0
    again = runner.invoke(args=["wishboard", "digest", "--now"])
    assert again.exit_code == 0 and again.output.startswith("0 digests sent")
    assert len(inbox(client, me, "follow_digest")) == 1
    # Muting the "followed" group keeps the digest inside the app too.
    assert "follow_digest" in MESSAGE_GROUPS["followed"][1]


def test_follow_digest_takes_true_or_false_only(client, neighbourhood, token_for):
    me = token_for(neighbourhood.volunteer)
    for bad in ("maybe", 1, None):
        refused = profile(client, me, follow_digest=bad)
        assert refused.status_code == 400, bad
        assert "follow_digest" in error_of(refused)["fields"]
    resident = profile(client, token_for(neighbourhood.served), follow_digest=True)
    assert resident.status_code == 403


def test_the_profile_page_offers_the_digest_and_saves_the_choice(
        client, neighbourhood, login_as):
    n = neighbourhood
    login_as(n.volunteer)
    page = client.get("/account/profile").get_data(as_text=True)
    assert "每天汇总一次（晚上6点）" in page
    assert re.search(r'<input id="digest-0" name="follow_digest" type="radio" value="0" checked>',
                     page)
    saved = client.post("/account/profile", data={"follow_digest": "1"})
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(VolunteerProfile, n.volunteer.id).follow_digest is True
    page = client.get("/account/profile").get_data(as_text=True)
    assert re.search(r'<input id="digest-1" name="follow_digest" type="radio" value="1" checked>',
                     page)
    # A form without the choice (an older page) leaves it as it is.
    client.post("/account/profile", data={"offer": "周末有空"})
    db.session.expire_all()
    assert db.session.get(VolunteerProfile, n.volunteer.id).follow_digest is True
