"""The stale-work policy with a controlled clock, its CLI, its scheduler, and two sweeps at
once."""

import os
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from live import ROOT

from wishboard.extensions import db
from wishboard.jobs import sweeps
from wishboard.jobs.models import Reminder
from wishboard.needs import services as needs
from wishboard.notifications.models import Notification
from wishboard.points import services as points
from wishboard.points.models import PointsEntry
from wishboard.ratings import services as ratings
from wishboard.wishes import services as wishes
from wishboard.wishes.models import Claim, ClaimStatus, Wish, WishEvent
from wishboard.wishes.states import WishState

T0 = datetime(2026, 11, 1, 2, 0, tzinfo=timezone.utc)


@pytest.fixture
def world(community, make_user):
    secretary = make_user("secretary", community, name="张丽华")
    volunteer = make_user("volunteer", community, name="李建国")
    resident = make_user("resident", community, name="吴秀英")
    category_id = db.session.scalar(sa.text("SELECT id FROM categories ORDER BY id LIMIT 1"))

    def wish(title="帮忙买药", *, at=T0, expires_at=None, for_resident=False):
        if for_resident:
            need = needs.submit_need(resident, title=title, description="d", now=at)
            return wishes.publish_need(secretary, need.id, title=title, description="d",
                                       category_id=category_id,
                                       expires_at=expires_at, now=at)
        return wishes.create_wish(secretary, title=title, description="d",
                                  category_id=category_id, beneficiary_name="某人",
                                  expires_at=expires_at, now=at)

    return {"secretary": secretary, "volunteer": volunteer, "resident": resident,
            "wish": wish}


def state(wish_id):
    db.session.expire_all()
    return db.session.get(Wish, wish_id).state


def inbox(user, kind):
    return db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.user_id == user.id, Notification.kind == kind))


def test_open_wish_expires_after_its_expiry_and_only_once(world):
    wish = world["wish"](expires_at=T0 + timedelta(days=5))
    assert sweeps.run_sweep(T0 + timedelta(days=4, hours=23)).changed["expire"] == 0
    result = sweeps.run_sweep(T0 + timedelta(days=5, minutes=1))
    assert result.changed["expire"] == 1 and state(wish.id) is WishState.EXPIRED
    event = db.session.scalars(sa.select(WishEvent).where(WishEvent.wish_id == wish.id)
                               .order_by(WishEvent.id.desc())).first()
    assert event.action == "expired" and event.actor_id is None  # the system did it
    assert inbox(world["secretary"], "wishes_expired") == 1
    again = sweeps.run_sweep(T0 + timedelta(days=6))
    assert sum(again.changed.values()) == 0 and inbox(world["secretary"], "wishes_expired") == 1


def test_open_wish_without_expiry_expires_at_the_communitys_age(world, community):
    community.open_wish_max_age_days = 30
    db.session.commit()
    wish = world["wish"]()
    sweeps.run_sweep(T0 + timedelta(days=29))
    assert state(wish.id) is WishState.OPEN
    sweeps.run_sweep(T0 + timedelta(days=30, hours=1))
    assert state(wish.id) is WishState.EXPIRED


def test_overdue_claim_is_released_points_reversed_claimant_told_once(world):
    wish = world["wish"]()
    volunteer = world["volunteer"]
    wishes.claim_wish(volunteer, wish.id, accept_letter=True, now=T0,
                      due_at=T0 + timedelta(days=3))
    assert points.points_of(volunteer) == 5
    sweeps.run_sweep(T0 + timedelta(days=2, hours=12))
    assert state(wish.id) is WishState.CLAIMED
    result = sweeps.run_sweep(T0 + timedelta(days=3, hours=1))
    assert result.changed["release"] == 1 and state(wish.id) is WishState.OPEN
    claim = db.session.scalar(sa.select(Claim))
    assert claim.status is ClaimStatus.RELEASED and claim.end_reason == "逾期"
    assert points.points_of(volunteer) == 0
    assert inbox(volunteer, "claim_released") == 1
    sweeps.run_sweep(T0 + timedelta(days=3, hours=2))
    assert inbox(volunteer, "claim_released") == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PointsEntry).where(
        PointsEntry.amount < 0)) == 1


def test_a_default_promise_is_released_only_once_its_whole_last_day_is_over(world):
    """Claimed at 01:29 local on 1 November with a 7-day window: promised by the end of
    8 November local (15:59:59 UTC), and released by the first sweep after that."""
    wish = world["wish"]()
    claimed_at = datetime(2026, 10, 31, 17, 29, tzinfo=timezone.utc)  # 11-01 01:29 local
    wishes.claim_wish(world["volunteer"], wish.id, accept_letter=True, now=claimed_at)
    end_of_day = datetime(2026, 11, 8, 15, 59, 59, tzinfo=timezone.utc)
    assert db.session.get(Wish, wish.id).due_at == end_of_day
    sweeps.run_sweep(end_of_day - timedelta(seconds=1))
    assert state(wish.id) is WishState.CLAIMED
    sweeps.run_sweep(end_of_day + timedelta(seconds=1))
    assert state(wish.id) is WishState.OPEN


def test_completed_wish_closes_after_the_rating_window(world, community):
    community.rating_window_days = 10
    db.session.commit()
    wish = world["wish"]()
    wishes.claim_wish(world["volunteer"], wish.id, accept_letter=True, now=T0)
    wishes.complete_wish(world["volunteer"], wish.id, hours=1, now=T0 + timedelta(days=1))
    sweeps.run_sweep(T0 + timedelta(days=10))
    assert state(wish.id) is WishState.COMPLETED
    sweeps.run_sweep(T0 + timedelta(days=11, minutes=1))
    assert state(wish.id) is WishState.CLOSED


def test_each_reminder_goes_out_once(world):
    secretary, volunteer, resident = world["secretary"], world["volunteer"], world["resident"]
    expiring = world["wish"]("快过期", expires_at=T0 + timedelta(days=10))
    due = world["wish"]("快到期")
    wishes.claim_wish(volunteer, due.id, accept_letter=True, now=T0,
                      due_at=T0 + timedelta(days=10))
    served = world["wish"]("等评价", for_resident=True)
    wishes.claim_wish(volunteer, served.id, accept_letter=True, now=T0)
    wishes.complete_wish(volunteer, served.id, hours=1, now=T0)

    early = sweeps.run_sweep(T0 + timedelta(days=5))
    assert not {"remind_expiry", "remind_due", "remind_rating"} & set(early.changed)
    at = T0 + timedelta(days=9, hours=12)  # within every lead time, before every deadline
    first = sweeps.run_sweep(at)
    assert first.changed["remind_expiry"] == 1
    assert first.changed["remind_due"] == 1
    assert first.changed["remind_rating"] == 0  # the window is 14 days, reminded 2 before
    rating_time = T0 + timedelta(days=12, hours=1)
    assert sweeps.run_sweep(rating_time).changed["remind_rating"] == 1
    for moment in (at, at + timedelta(hours=1), rating_time + timedelta(hours=1)):
        sweeps.run_sweep(moment)
    assert inbox(secretary, "reminder_expiry") == 1
    assert inbox(volunteer, "reminder_due") == 1
    assert inbox(resident, "reminder_rating") == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Reminder)) == 3
    # By then the deadlines the reminders spoke of have passed, and the policy acted.
    assert state(expiring.id) is WishState.EXPIRED and state(due.id) is WishState.OPEN


def test_no_rating_reminder_for_those_who_rated(world):
    served = world["wish"]("已评价", for_resident=True)
    wishes.claim_wish(world["volunteer"], served.id, accept_letter=True, now=T0)
    wishes.complete_wish(world["volunteer"], served.id, hours=1, now=T0)
    ratings.rate_wish(world["resident"], served.id, stars=5, now=T0 + timedelta(days=1))
    sweeps.run_sweep(T0 + timedelta(days=13))
    assert inbox(world["resident"], "reminder_rating") == 0


def test_a_wish_claimed_meanwhile_is_not_expired(world):
    wish = world["wish"](expires_at=T0 + timedelta(days=1))
    seen = db.session.get(Wish, wish.id)  # the sweep has read it as open...
    db.session.execute(  # ...when another process claims it
        sa.update(Wish).where(Wish.id == wish.id)
        .values(state=WishState.CLAIMED, claimant_id=world["volunteer"].id)
        .execution_options(synchronize_session=False))
    assert seen.state is WishState.OPEN
    assert wishes.expire_many([seen.id], "过期", T0 + timedelta(days=2)) == []
    db.session.commit()
    assert state(wish.id) is WishState.CLAIMED


def test_sweep_dry_run_lists_what_and_why_and_changes_nothing(runner, world):
    wish = world["wish"]("帮忙买药", expires_at=T0 + timedelta(days=1))
    when = "2026-11-05T10:00:00+08:00"
    dry = runner.invoke(args=["wishboard", "sweep", "--dry-run", "--now", when])
    assert dry.exit_code == 0, dry.output
    assert "expire" in dry.output and "帮忙买药" in dry.output and "已过截止时间" in dry.output
    assert state(wish.id) is WishState.OPEN
    applied = runner.invoke(args=["wishboard", "sweep", "--now", when])
    assert applied.exit_code == 0 and "expire 1" in applied.output
    assert state(wish.id) is WishState.EXPIRED
    nothing = runner.invoke(args=["wishboard", "sweep", "--dry-run", "--now", when])
    assert "nothing is due" in nothing.output
    bad = runner.invoke(args=["wishboard", "sweep", "--now", "tomorrow"])
    assert bad.exit_code == 2 and "ISO" in bad.output


def test_a_second_sweep_waits_for_the_lease(world):
    from wishboard.jobs.models import JobLock

    world["wish"](expires_at=T0 + timedelta(minutes=1))
    db.session.add(JobLock(name="sweep", holder="elsewhere",
                           expires_at=T0 + timedelta(minutes=30)))
    db.session.commit()
    blocked = sweeps.run_sweep(T0 + timedelta(minutes=5))
    assert blocked.locked_out and sum(blocked.changed.values()) == 0
    after = sweeps.run_sweep(T0 + timedelta(minutes=31))  # the lease ran out
    assert after.changed["expire"] == 1


def test_two_sweeps_at_once_change_each_wish_once(make_app, world):
    volunteer = world["volunteer"]
    ids = []
    for i in range(30):
        wish = world["wish"](f"心愿{i}")
        wishes.claim_wish(volunteer, wish.id, accept_letter=True, now=T0,
                          due_at=T0 + timedelta(days=1))
        ids.append(wish.id)
    moment = T0 + timedelta(days=2)
    barrier = threading.Barrier(2)
    results, errors = [], []

    # The apps are built here, one after the other: building two at once in threads trips
    # CPython 3.11's AST compiler (werkzeug compiles each route), which is not under test.
    apps = iter([make_app(), make_app()])

    def sweep():
        app = next(apps)
        with app.app_context():
            barrier.wait()
            try:
                results.append(sweeps.run_sweep(moment, batch_size=7))
            except Exception as error:  # pragma: no cover - reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert sum(r.changed["release"] for r in results) == 30
    db.session.expire_all()
    assert all(state(i) is WishState.OPEN for i in ids)
    releases = db.session.scalar(sa.select(sa.func.count()).select_from(WishEvent).where(
        WishEvent.action == "released"))
    reversals = db.session.scalar(sa.select(sa.func.count()).select_from(PointsEntry).where(
        PointsEntry.amount < 0))
    assert releases == 30 and reversals == 30
    assert inbox(volunteer, "claim_released") == 30
    assert points.points_of(volunteer) == 0


def test_scheduler_jobs_coalesce_and_catch_up(app):
    from wishboard.jobs.scheduler import build_scheduler

    scheduler = build_scheduler(app)
    scheduler.start(paused=True)  # jobs take their defaults when the scheduler starts
    try:
        jobs = {job.id: job for job in scheduler.get_jobs()}
    finally:
        scheduler.shutdown(wait=False)
    assert set(jobs) == {"sweep", "deliver", "purge_expired_tokens", "follow_digest"}
    for job in jobs.values():
        assert job.coalesce is True and job.max_instances == 1
        assert job.misfire_grace_time == 3600
    assert jobs["sweep"].next_run_time is not None  # runs at start, catching up
    assert jobs["deliver"].next_run_time is not None  # so does what waited for delivery
    # The followers' digest: daily at DIGEST_HOUR in the community's own time, and at
    # start (it sends only what waited until the latest digest hour: a missed one).
    digest = jobs["follow_digest"]
    assert str(digest.trigger.timezone) == "Asia/Shanghai" and digest.next_run_time is not None
    assert {f.name: str(f) for f in digest.trigger.fields}["hour"] == "18"


def test_the_gunicorn_app_starts_no_scheduler(migrated_url):
    code = (
        "import threading, wsgi\n"
        "client = wsgi.app.test_client()\n"
        "assert client.get('/api/v1/categories').status_code == 200\n"
        "names = [t.name for t in threading.enumerate()]\n"
        "print('threads', names)\n"
    )
    env = dict(os.environ, WISHBOARD_CONFIG="production", SECRET_KEY="k" * 40,
               DATABASE_URL=migrated_url, RATELIMIT_ALLOW_MEMORY="1")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "threads ['MainThread']" in done.stdout
