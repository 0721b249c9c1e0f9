"""Fifty people sign up for ten seats at the same moment, against gunicorn: exactly ten get
seats, forty are waiting-listed 1 to 40 in arrival order, and a cancellation promotes the
first waiting."""

import urllib.request
from datetime import timedelta

import sqlalchemy as sa
from live import gunicorn, post_all_at_once

from wishboard.accounts import tokens
from wishboard.activities import services as activities
from wishboard.activities.models import Activity, Signup, SignupStatus
from wishboard.core.clock import utcnow
from wishboard.extensions import db

PEOPLE, SEATS = 50, 10


def test_fifty_sign_ups_for_ten_seats(app, migrated_url, community, make_user):
    organizer = make_user("secretary", community)
    start = utcnow() + timedelta(days=2)
    activity = activities.create_activity(
        organizer, title="健康讲座", description="d", category_id=1, starts_at=start,
        ends_at=start + timedelta(hours=2), signup_deadline=start, capacity=SEATS,
        audience="all")
    people = [make_user("resident", community, name=f"居民{i}") for i in range(PEOPLE)]
    raw = [tokens.issue_token(p)[0] for p in people]

    with gunicorn(migrated_url, workers=4, threads=8) as base:
        url = f"{base}/api/v1/activities/{activity.id}/signups"
        results = post_all_at_once(url, raw, {})

        assert all(status == 201 for status, _ in results), results
        seated = [body for _, body in results if body["status"] == "confirmed"]
        waiting = sorted(body["position"] for _, body in results if body["status"] == "waitlisted")
        assert len(seated) == SEATS
        assert waiting == list(range(1, PEOPLE - SEATS + 1))  # a stable, gapless order

        db.session.expire_all()
        stored = db.session.get(Activity, activity.id)
        assert (stored.confirmed_count, stored.waitlist_count) == (SEATS, PEOPLE - SEATS)
        rows = db.session.execute(sa.select(Signup.status, sa.func.count())
                                  .group_by(Signup.status)).all()
        assert dict(rows) == {SignupStatus.CONFIRMED: SEATS,
                              SignupStatus.WAITLISTED: PEOPLE - SEATS}

        first_waiting = db.session.scalar(sa.select(Signup.user_id).where(Signup.position == 1))
        leaver = seated[0]["user_id"]
        leaver_token = raw[[p.id for p in people].index(leaver)]
        request = urllib.request.Request(f"{url}/me", method="DELETE",
                                         headers={"Authorization": f"Bearer {leaver_token}"})
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 204

    db.session.expire_all()
    promoted = db.session.scalar(sa.select(Signup.status).where(
        Signup.activity_id == activity.id, Signup.user_id == first_waiting))
    assert promoted is SignupStatus.CONFIRMED
    stored = db.session.get(Activity, activity.id)
    assert (stored.confirmed_count, stored.waitlist_count) == (SEATS, PEOPLE - SEATS - 1)
