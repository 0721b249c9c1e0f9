"""Points: booked per the community's rules for claim, confirmed completion, confirmed hours
and stars (a completion and its hours are pending, 待确认, until the person served or the
staff confirm the service); reversed (a negative entry, never an edit) when a claim is
given up or a rating removed; the totals always agree with the ledger."""

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from factories import T0, claimed_wish, completed_wish

from wishboard.errors import ConflictError
from wishboard.extensions import db
from wishboard.points import services as points
from wishboard.points.models import PointsEntry, PointsTotal
from wishboard.ratings import services as ratings
from wishboard.wishes import services as wishes
from wishboard.wishes.models import Claim


def ledger(user) -> list[tuple[str, int]]:
    return [(e.rule, e.amount) for e in db.session.scalars(
        sa.select(PointsEntry).where(PointsEntry.volunteer_id == user.id)
        .order_by(PointsEntry.id))]


def test_a_journey_books_each_event_at_the_default_rules(neighbourhood):
    """Claim 5 at once; the completion 20 and 2 hours x 5 wait for the person served, whose
    rating confirms them; 4 stars x 2."""
    n = neighbourhood
    wish = claimed_wish(n.secretary, n.volunteer, served=n.served, now=T0)
    assert ledger(n.volunteer) == [("per_claim", 5)]
    wishes.complete_wish(n.volunteer, wish.id, hours=2, now=T0 + timedelta(hours=3))
    # Neither the completion nor the hours are paid on the volunteer's own word.
    assert ledger(n.volunteer) == [("per_claim", 5)]
    assert points.points_of(n.volunteer) == 5
    assert points.pending_of(n.volunteer.id).points == 20 + 2 * 5
    ratings.rate_wish(n.served, wish.id, stars=4, now=T0 + timedelta(days=1))
    # The served resident's rating confirms the service: 20, 2 x 5, and 4 stars x 2.
    assert sorted(ledger(n.volunteer)) == sorted(
        [("per_claim", 5), ("per_completion", 20), ("per_hour", 10), ("per_star", 8)])
    total = points.total_of("volunteer", n.volunteer.id)
    assert total.points == 43
    assert (total.claims, total.completions, float(total.hours), total.ratings, total.stars) \
        == (1, 1, 2.0, 1, 4)


def test_the_communitys_own_rules_decide_what_each_event_is_worth(neighbourhood):
    n = neighbourhood
    points.update_rules(n.secretary, n.community.id, per_claim=7, per_completion=30,
                        per_hour=3, per_star=1, now=T0)
    wish = completed_wish(n.secretary, n.volunteer, hours=2, served=n.served, now=T0)
    ratings.rate_wish(n.served, wish.id, stars=5, now=T0 + timedelta(days=1))
    assert points.points_of(n.volunteer) == 7 + 30 + 2 * 3 + 5 * 1
    # Another community's rules are untouched.
    assert points.rules_for(n.elsewhere.id)["per_claim"] == 5


def test_a_rule_change_applies_from_now_on_and_leaves_booked_entries_alone(neighbourhood):
    """The claim booked before the change keeps its 5; the completion, booked when the
    service is confirmed after the change, is paid at the new 50."""
    n = neighbourhood
    wish = claimed_wish(n.secretary, n.volunteer, now=T0)
    points.update_rules(n.secretary, n.community.id, per_claim=8, per_completion=50, now=T0)
    wishes.complete_wish(n.volunteer, wish.id, hours=1, now=T0 + timedelta(hours=1))
    assert ledger(n.volunteer) == [("per_claim", 5)]  # the completion waits for confirmation
    wishes.confirm_hours(n.secretary, wish.id, now=T0 + timedelta(hours=2))
    assert ledger(n.volunteer) == [("per_claim", 5), ("per_completion", 50), ("per_hour", 5)]


def test_giving_a_claim_back_reverses_its_points_with_a_linked_entry(neighbourhood):
    n = neighbourhood
    wish = claimed_wish(n.secretary, n.volunteer, now=T0)
    wishes.release_claim(n.volunteer, wish.id, "临时出差", now=T0 + timedelta(hours=1))
    entries = list(db.session.scalars(sa.select(PointsEntry).order_by(PointsEntry.id)))
    assert [e.amount for e in entries] == [5, -5]
    assert entries[1].reverses_id == entries[0].id and "临时出差" in entries[1].reason
    total = points.total_of("volunteer", n.volunteer.id)
    assert (total.points, total.claims) == (0, 0)


def test_cancelling_a_claimed_wish_reverses_the_claim_points(neighbourhood):
    n = neighbourhood
    wish = claimed_wish(n.secretary, n.volunteer, now=T0)
    wishes.cancel_wish(n.secretary, wish.id, "居民已搬走", now=T0 + timedelta(hours=1))
    assert points.points_of(n.volunteer) == 0


def test_removing_a_rating_reverses_its_stars_and_only_once(neighbourhood):
    n = neighbourhood
    wish = completed_wish(n.secretary, n.volunteer, hours=1, now=T0)
    rating = ratings.rate_wish(n.neighbour, wish.id, stars=5, now=T0 + timedelta(days=1))
    # The claim and 5 stars x 2 (a neighbour's rating confirms no service: the completion
    # still waits for the person served or the secretary).
    assert points.points_of(n.volunteer) == 5 + 10
    ratings.remove_rating(n.secretary, rating.id, "恶意刷分", now=T0 + timedelta(days=2))
    assert points.points_of(n.volunteer) == 5
    total = points.total_of("volunteer", n.volunteer.id)
    assert (total.ratings, total.stars) == (0, 0)
    reversal = db.session.scalar(sa.select(PointsEntry).where(PointsEntry.amount == -10))
    assert reversal.rule == "per_star" and "恶意刷分" in reversal.reason
    db.session.refresh(wish)
    assert (wish.rating_count, wish.rating_sum) == (0, 0)
    with pytest.raises(ConflictError):
        ratings.remove_rating(n.secretary, rating.id, "恶意刷分", now=T0 + timedelta(days=3))
    assert points.points_of(n.volunteer) == 5


def test_an_event_replayed_pays_once(neighbourhood):
    n = neighbourhood
    wish = claimed_wish(n.secretary, n.volunteer, now=T0)
    claim = db.session.scalar(sa.select(Claim).where(Claim.wish_id == wish.id))
    points.award_claim(claim, wish, T0 + timedelta(minutes=5))
    db.session.commit()
    assert points.points_of(n.volunteer) == 5
    assert ledger(n.volunteer) == [("per_claim", 5)]


def test_a_claim_for_an_organisation_earns_for_the_volunteer_and_the_organisation(
        neighbourhood):
    """Both earn the claim at once and the completion with its hours once confirmed."""
    n = neighbourhood
    wish = claimed_wish(n.secretary, n.volunteer, organization_id=n.org.id, now=T0)
    wishes.complete_wish(n.volunteer, wish.id, hours=1, now=T0 + timedelta(hours=1))
    assert points.points_of(n.volunteer) == 5
    org_total = points.total_of("organization", n.org.id)
    assert (org_total.points, org_total.body_points) == (5, 0)
    wishes.confirm_hours(n.secretary, wish.id, now=T0 + timedelta(hours=2))
    assert points.points_of(n.volunteer) == 5 + 20 + 1 * 5
    db.session.expire_all()
    org_total = points.total_of("organization", n.org.id)
    assert (org_total.points, org_total.body_points) == (30, 0)  # earned by its member


def test_points_land_in_the_local_year_quarter_and_month(neighbourhood):
    n = neighbourhood
    new_years_eve = datetime(2026, 12, 31, 17, 0, tzinfo=timezone.utc)  # 1 Jan 01:00 local
    claimed_wish(n.secretary, n.volunteer, now=new_years_eve)
    periods = set(db.session.scalars(sa.select(PointsTotal.period).where(
        PointsTotal.owner_type == "volunteer", PointsTotal.owner_id == n.volunteer.id)))
    assert periods == {"all", "2027", "2027-Q1", "2027-01"}


def test_recompute_finds_no_mismatch_after_a_whole_journey_and_repairs_a_tampered_total(
        neighbourhood):
    n = neighbourhood
    done = completed_wish(n.secretary, n.volunteer, hours=2, served=n.served,
                          organization_id=n.org.id, now=T0)
    rating = ratings.rate_wish(n.served, done.id, stars=5, now=T0 + timedelta(days=1))
    ratings.rate_wish(n.neighbour, done.id, stars=3, now=T0 + timedelta(days=1))
    ratings.remove_rating(n.secretary, rating.id, "误评", now=T0 + timedelta(days=2))
    given_back = claimed_wish(n.secretary, n.other_volunteer, title="陪同就医", now=T0)
    wishes.release_claim(n.other_volunteer, given_back.id, "做不了", now=T0 + timedelta(hours=1))
    cancelled = claimed_wish(n.secretary, n.other_volunteer, title="修灯", now=T0)
    wishes.cancel_wish(n.secretary, cancelled.id, "已修好", now=T0 + timedelta(hours=2))
    assert points.recompute_totals(repair=False) == []

    total = points.total_of("volunteer", n.volunteer.id, "2026-12")
    right = total.points
    total.points += 100
    db.session.commit()
    [mismatch] = points.recompute_totals(repair=True)
    assert (mismatch.owner_id, mismatch.period) == (n.volunteer.id, "2026-12")
    assert mismatch.stored["points"] == right + 100 and mismatch.ledger["points"] == right
    db.session.expire_all()
    assert points.total_of("volunteer", n.volunteer.id, "2026-12").points == right
    assert points.recompute_totals(repair=False) == []
