"""The stale-work policy (``jobs.sweeps.run_sweep``) with a clock in the future: what it
expires, releases, closes, settles and counts, and what it leaves alone."""

from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa
from factories import T0, claimed_wish, completed_wish, make_wish

from wishboard.extensions import db
from wishboard.jobs import sweeps
from wishboard.points import services as points
from wishboard.ratings import services as ratings
from wishboard.ratings.models import Rating
from wishboard.wishes.models import Claim, ClaimStatus, HoursStatus, Wish
from wishboard.wishes.states import WishState


def state(wish_id) -> WishState:
    db.session.expire_all()
    return db.session.get(Wish, wish_id).state


def claim_of(wish_id) -> Claim:
    db.session.expire_all()
    return db.session.scalar(sa.select(Claim).where(Claim.wish_id == wish_id)
                             .order_by(Claim.id.desc()))


def test_each_rule_acts_on_what_is_due_and_nothing_else(neighbourhood):
    n = neighbourhood
    expiring = make_wish(n.secretary, title="周末修车", expires_at=T0 + timedelta(days=5),
                         now=T0)
    fresh = make_wish(n.secretary, title="刚发布", now=T0 + timedelta(days=4))
    overdue = claimed_wish(n.secretary, n.volunteer, title="逾期", now=T0,
                           due_at=T0 + timedelta(days=3))
    on_time = claimed_wish(n.secretary, n.other_volunteer, title="按时", now=T0,
                           due_at=T0 + timedelta(days=20))
    done = completed_wish(n.secretary, n.volunteer, title="已完成", now=T0)

    plan = {(d.rule, d.wish_id) for d in sweeps.plan(T0 + timedelta(days=6))}
    assert {("expire", expiring.id), ("release", overdue.id)} <= plan

    result = sweeps.run_sweep(T0 + timedelta(days=6))
    assert (result.changed["expire"], result.changed["release"]) == (1, 1)
    assert result.changed["close"] == 0
    assert state(expiring.id) is WishState.EXPIRED
    assert state(overdue.id) is WishState.OPEN
    assert claim_of(overdue.id).status is ClaimStatus.RELEASED
    assert claim_of(overdue.id).end_reason == sweeps.OVERDUE_REASON
    for untouched, was in ((fresh, WishState.OPEN), (on_time, WishState.CLAIMED),
                           (done, WishState.COMPLETED)):
        assert state(untouched.id) is was


def test_an_overdue_claim_loses_its_points_once_however_often_the_sweep_runs(neighbourhood):
    n = neighbourhood
    wish = claimed_wish(n.secretary, n.volunteer, now=T0, due_at=T0 + timedelta(days=2))
    assert points.points_of(n.volunteer) == 5
    for hours in (49, 50, 72):
        sweeps.run_sweep(T0 + timedelta(hours=hours))
    assert state(wish.id) is WishState.OPEN
    assert points.points_of(n.volunteer) == 0
    db.session.refresh(n.volunteer)
    assert n.volunteer.open_claim_count == 0
    assert points.recompute_totals(repair=False) == []


def test_an_open_wish_without_a_deadline_expires_at_the_communitys_age(neighbourhood):
    n = neighbourhood
    n.community.open_wish_max_age_days = 10
    db.session.commit()
    wish = make_wish(n.secretary, now=T0)
    assert sweeps.run_sweep(T0 + timedelta(days=9, hours=23)).changed["expire"] == 0
    assert sweeps.run_sweep(T0 + timedelta(days=10, minutes=1)).changed["expire"] == 1
    assert state(wish.id) is WishState.EXPIRED


def test_a_completed_wish_closes_when_the_rating_window_has_passed(neighbourhood):
    n = neighbourhood
    n.community.rating_window_days = 7
    db.session.commit()
    wish = completed_wish(n.secretary, n.volunteer, now=T0)
    completed_at = T0 + timedelta(hours=1)
    sweeps.run_sweep(completed_at + timedelta(days=7) - timedelta(minutes=1))
    assert state(wish.id) is WishState.COMPLETED
    assert sweeps.run_sweep(completed_at + timedelta(days=7)).changed["close"] == 1
    assert state(wish.id) is WishState.CLOSED


def test_an_unconfirmed_completion_and_its_hours_follow_the_communitys_policy(
        neighbourhood, make_place, make_user):
    """At the end of the rating window a completion nobody confirmed waits for the secretary
    (queue, the default), is booked with its hours as stated (confirm), or earns nothing,
    neither completion nor hours (lapse)."""
    n = neighbourhood
    assert n.community.unconfirmed_hours_policy == "queue"
    past_window = T0 + timedelta(days=n.community.rating_window_days, hours=2)
    queued = completed_wish(n.secretary, n.volunteer, hours=2, title="等书记", now=T0)

    counting = make_place("芳草社区")
    counting.unconfirmed_hours_policy = "confirm"
    lapsing = make_place("晋阳社区")
    lapsing.unconfirmed_hours_policy = "lapse"
    db.session.commit()
    results = {}
    for place in (counting, lapsing):
        secretary = make_user("secretary", place, created_at=T0)
        volunteer = make_user("volunteer", place, created_at=T0)
        wish = completed_wish(secretary, volunteer, hours=2, now=T0)
        results[place.unconfirmed_hours_policy] = (wish, volunteer)

    before = {policy: points.points_of(v) for policy, (_, v) in results.items()}
    assert before == {"confirm": 5, "lapse": 5}  # the claims only: the completions wait
    sweeps.run_sweep(past_window)
    assert claim_of(queued.id).hours_status is HoursStatus.PENDING  # left for the secretary
    assert points.points_of(n.volunteer) == 5  # still the claim only
    assert points.pending_of(n.volunteer.id).points == 20 + 2 * 5

    wish, volunteer = results["confirm"]
    claim = claim_of(wish.id)
    assert (claim.hours_status, claim.confirmed_hours) == (HoursStatus.CONFIRMED,
                                                           Decimal("2.0"))
    assert points.points_of(volunteer) == before["confirm"] + 20 + 2 * 5

    wish, volunteer = results["lapse"]
    claim = claim_of(wish.id)
    assert claim.hours_status is HoursStatus.LAPSED and claim.confirmed_hours == 0
    assert points.points_of(volunteer) == before["lapse"]  # neither completion nor hours
    assert points.pending_of(volunteer.id).points == 0


def test_time_alone_counts_a_newcomers_rating_only_where_the_community_opted_in(
        neighbourhood, make_user):
    """``rating_trust_days`` is off (None) by default: the sweep counts nobody's stars by
    age. A community that sets it counts them once the rater has waited that long (in the
    wish's average and in points)."""
    n = neighbourhood
    assert n.community.rating_trust_days is None
    newcomer = make_user("resident", n.community, name="孙新来", created_at=T0, verified=False)
    wish = completed_wish(n.secretary, n.volunteer, hours=1, now=T0)
    rating = ratings.rate_wish(newcomer, wish.id, stars=4, now=T0 + timedelta(days=1))
    before = points.points_of(n.volunteer)
    result = sweeps.run_sweep(T0 + timedelta(days=31))  # past the old 30-day wait
    assert result.changed["count_ratings"] == 0
    assert points.points_of(n.volunteer) == before
    assert db.session.get(Rating, rating.id).counted_at is None
    db.session.refresh(wish)
    assert (wish.rating_count, wish.rating_sum) == (0, 0)

    trust_days = 60
    n.community.rating_trust_days = trust_days
    db.session.commit()
    sweeps.run_sweep(T0 + timedelta(days=trust_days - 1))
    assert points.points_of(n.volunteer) == before
    result = sweeps.run_sweep(T0 + timedelta(days=trust_days, hours=1))
    assert result.changed["count_ratings"] == 1
    assert points.points_of(n.volunteer) == before + 4 * 2
    assert db.session.get(Rating, rating.id).counted_at is not None
    db.session.refresh(wish)
    assert (wish.rating_count, wish.rating_sum) == (1, 4)


def test_a_claim_released_for_lateness_past_its_wishs_deadline_expires_in_the_same_run(
        neighbourhood):
    n = neighbourhood
    wish = claimed_wish(n.secretary, n.volunteer, now=T0, expires_at=T0 + timedelta(days=4),
                        due_at=T0 + timedelta(days=3))
    result = sweeps.run_sweep(T0 + timedelta(days=5))
    assert (result.changed["release"], result.changed["expire"]) == (1, 1)
    assert state(wish.id) is WishState.EXPIRED
