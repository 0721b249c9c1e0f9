"""每天汇总一次: a follower who takes the daily digest hears of no wish at its publishing,
then once a day of those still open, in one message; the job sends each person's digest
once however often, and in however many processes, it runs; switching the digest off sends
what waited at once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from factories import T0, first_category_id, make_wish

from wishboard.extensions import db
from wishboard.matching import digest
from wishboard.matching import services as matching
from wishboard.matching.follow_models import DigestItem
from wishboard.needs import services as needs
from wishboard.notifications.models import Notification
from wishboard.wishes import services as wishes

# T0 is 10:00 in Shanghai on 1 December 2026; the digest goes out at 18:00 local.
DIGEST_TIME = T0 + timedelta(hours=8)


def inbox(user, kind) -> list[Notification]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Notification).where(
        Notification.user_id == user.id, Notification.kind == kind).order_by(Notification.id)))


def waiting(user) -> list[int]:
    db.session.expire_all()
    return sorted(db.session.scalars(sa.select(DigestItem.wish_id).where(
        DigestItem.user_id == user.id)))


@pytest.fixture
def followers(neighbourhood):
    """李建国 takes the daily digest; 王晓梅 hears of each wish at once. Both follow the
    category every wish below is published in."""
    n = neighbourhood
    follows = {"categories": [first_category_id()]}
    matching.update_profile(n.volunteer, follows=follows, follow_digest=True, now=T0)
    matching.update_profile(n.other_volunteer, follows=follows, now=T0)
    return n


def test_a_digest_follower_hears_nothing_at_once_then_one_digest_of_the_open_wishes(
        followers):
    n = followers
    medicine = make_wish(n.secretary, title="帮忙买药", now=T0)
    lamp = make_wish(n.secretary, title="楼道灯坏了", now=T0 + timedelta(minutes=5))
    taken = make_wish(n.secretary, title="陪老人复诊", now=T0 + timedelta(minutes=10))
    assert inbox(n.volunteer, "wish_followed") == []
    assert waiting(n.volunteer) == sorted([medicine.id, lamp.id, taken.id])
    assert len(inbox(n.other_volunteer, "wish_followed")) == 3  # the others, as before
    assert waiting(n.other_volunteer) == []
    # Claimed meanwhile (by someone else): no longer open, so not in the digest.
    wishes.claim_wish(n.other_volunteer, taken.id, accept_letter=True,
                      now=T0 + timedelta(hours=1))

    assert digest.send_digests(DIGEST_TIME - timedelta(minutes=1)).sent == 0  # not yet
    report = digest.send_digests(DIGEST_TIME)
    assert (report.sent, report.wishes) == (1, 2)
    [message] = inbox(n.volunteer, "follow_digest")
    assert message.text == "今天有2个您关注的新心愿：「帮忙买药」、「楼道灯坏了」。"
    assert message.wish_id is None  # several: the inbox opens the community's board
    assert waiting(n.volunteer) == []
    assert inbox(n.other_volunteer, "follow_digest") == []

    again = digest.send_digests(DIGEST_TIME + timedelta(minutes=1))
    assert again.sent == 0 and len(inbox(n.volunteer, "follow_digest")) == 1
    assert digest.send_digests(DIGEST_TIME + timedelta(days=1)).sent == 0


def test_one_open_wish_links_to_it_and_a_person_whose_wishes_all_closed_gets_nothing(
        followers):
    n = followers
    only = make_wish(n.secretary, title="帮忙买药", now=T0)
    digest.send_digests(DIGEST_TIME)
    [message] = inbox(n.volunteer, "follow_digest")
    assert message.wish_id == only.id and "「帮忙买药」" in message.text

    gone = make_wish(n.secretary, title="修水管", now=T0 + timedelta(days=1))
    wishes.cancel_wish(n.secretary, gone.id, "已解决", now=T0 + timedelta(days=1, hours=1))
    report = digest.send_digests(DIGEST_TIME + timedelta(days=1))
    assert (report.sent, report.emptied) == (0, 1)
    assert len(inbox(n.volunteer, "follow_digest")) == 1
    assert waiting(n.volunteer) == []  # nothing is kept for a wish that closed


def test_a_wish_published_after_the_digest_hour_waits_for_the_next_day(followers):
    n = followers
    late = make_wish(n.secretary, title="晚上发布的心愿", now=DIGEST_TIME + timedelta(hours=1))
    assert digest.send_digests(DIGEST_TIME + timedelta(hours=2)).sent == 0
    assert waiting(n.volunteer) == [late.id]
    # A run at start-up the next morning sends nothing early either ...
    assert digest.send_digests(DIGEST_TIME + timedelta(hours=14)).sent == 0
    # ... and at the next digest hour it goes.
    assert digest.send_digests(DIGEST_TIME + timedelta(days=1)).sent == 1
    # ``everything`` (flask wishboard digest --now) sends what waits now.
    make_wish(n.secretary, title="又一个", now=DIGEST_TIME + timedelta(days=1, hours=1))
    assert digest.send_digests(DIGEST_TIME + timedelta(days=1, hours=2),
                               everything=True).sent == 1
    assert len(inbox(n.volunteer, "follow_digest")) == 2


def test_switching_the_digest_off_sends_what_waited_at_once(followers):
    n = followers
    make_wish(n.secretary, title="帮忙买药", now=T0)
    profile = matching.update_profile(n.volunteer, follow_digest=False,
                                      now=T0 + timedelta(hours=1))
    assert profile.follow_digest is False
    [message] = inbox(n.volunteer, "follow_digest")
    assert "「帮忙买药」" in message.text and waiting(n.volunteer) == []
    assert digest.send_digests(DIGEST_TIME).sent == 0
    # From now on each new wish comes at once, as for anyone.
    make_wish(n.secretary, title="修水管", now=T0 + timedelta(hours=2))
    [told] = inbox(n.volunteer, "wish_followed")
    assert told.text.endswith("有新心愿：修水管") and waiting(n.volunteer) == []


def test_the_person_a_wish_serves_hears_nothing_of_it(followers):
    n = followers
    matching.update_profile(n.volunteer, follow_digest=False, now=T0)
    # A volunteer who lives here asks for themselves; the wish serves them.
    posted = needs.submit_need(n.volunteer, title="想请人取快递", description="腰伤了", now=T0)
    wishes.publish_need(n.secretary, posted.id, title="帮邻居取快递", description="一周三次",
                        category_id=first_category_id(), now=T0)
    assert inbox(n.volunteer, "wish_followed") == []
    assert len(inbox(n.other_volunteer, "wish_followed")) == 1


def test_a_long_digest_names_what_fits_and_says_how_many(followers):
    n = followers
    for i in range(12):
        make_wish(n.secretary, title=f"第{i + 1}个心愿" + "很长的标题" * 5, now=T0)
    digest.send_digests(DIGEST_TIME)
    [message] = inbox(n.volunteer, "follow_digest")
    assert message.text.startswith("今天有12个您关注的新心愿：「第1个心愿")
    assert message.text.endswith("等。") and len(message.text) <= 300


def test_two_digest_runs_at_once_send_each_person_one_digest(make_app, neighbourhood,
                                                            make_user):
    n = neighbourhood
    people = [make_user("volunteer", n.community, name=f"志愿者{i}") for i in range(12)]
    for person in people:
        matching.update_profile(person, follows={"categories": [first_category_id()]},
                                follow_digest=True, now=T0)
    for i in range(3):
        make_wish(n.secretary, title=f"心愿{i}", now=T0)
    barrier = threading.Barrier(2)
    reports, errors = [], []
    # Built one after the other (see tests/test_sweeps.py: two at once in threads trips
    # the route compiler, which is not under test).
    apps = iter([make_app(), make_app()])

    def run():
        app = next(apps)
        with app.app_context():
            barrier.wait()
            try:
                reports.append(digest.send_digests(DIGEST_TIME, batch_size=5))
            except Exception as error:  # pragma: no cover - reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert sum(r.sent for r in reports) == len(people)
    db.session.expire_all()
    counts = dict(db.session.execute(
        sa.select(Notification.user_id, sa.func.count()).where(
            Notification.kind == "follow_digest").group_by(Notification.user_id)).all())
    assert counts == {person.id: 1 for person in people}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DigestItem)) == 0
