"""The rule book (``wishboard.access.wish_rights``): what the claimant, the secretary, the
person served, a resident, a stranger and nobody may do with a wish in each state.

``wish_rights`` takes no ``now``: it judges time windows (the person served confirms hours
within the rating window) by the real clock, so these stories happen in the last few days
rather than on the fixed ``T0`` clock."""

from datetime import timedelta

from factories import claimed_wish, completed_wish, make_wish

from wishboard.access import wish_rights
from wishboard.accounts.models import ReportStatus
from wishboard.core.clock import utcnow
from wishboard.ratings import services as ratings
from wishboard.wishes import services as wishes


def recently():
    """A few days ago: the whole story fits before now and inside every window."""
    return utcnow() - timedelta(days=3)


ACTIONS = ("claim", "complete", "release", "confirm_hours", "adjust_hours", "rate",
           "record_rating", "remove_rating", "close", "cancel", "see_private", "see_audit")


def allowed(viewer, wish) -> set[str]:
    rights = wish_rights(viewer, wish)
    return {name for name in ACTIONS if getattr(rights, name)}


def test_an_open_wish_volunteers_claim_residents_do_not_staff_cancel(neighbourhood):
    n = neighbourhood
    start = recently()
    wish = make_wish(n.secretary, served=n.served, now=start)
    assert allowed(n.volunteer, wish) == {"claim"}
    assert allowed(n.neighbour, wish) == set()
    assert wish_rights(n.neighbour, wish).claim_refusal is None  # not shown to residents
    assert allowed(n.served, wish) == {"see_private"}
    assert wish_rights(n.served, wish).private_reason == "self"
    assert allowed(n.secretary, wish) == {"cancel", "remove_rating", "see_private",
                                          "see_audit"}
    assert allowed(None, wish) == set()


def test_a_volunteer_who_may_not_claim_is_told_why(neighbourhood, make_user):
    n = neighbourhood
    start = recently()
    wish = make_wish(n.secretary, now=start)
    pending = make_user("volunteer", n.community, report_status=ReportStatus.PENDING)
    assert wish_rights(pending, wish).claim_refusal.code == "report_not_approved"
    far = wish_rights(n.far_volunteer, wish)
    assert not far.claim and far.claim_refusal.code == "not_your_community"


def test_a_claimed_wish_belongs_to_its_claimant_and_the_secretary(neighbourhood):
    n = neighbourhood
    start = recently()
    wish = claimed_wish(n.secretary, n.volunteer, served=n.served, now=start)
    claimant = wish_rights(n.volunteer, wish)
    assert allowed(n.volunteer, wish) == {"complete", "release", "see_private"}
    assert claimant.is_claimant and claimant.private_reason == "claimant"
    assert allowed(n.secretary, wish) == {"release", "cancel", "remove_rating", "see_private",
                                          "see_audit"}
    assert wish_rights(n.secretary, wish).private_reason == "secretary"
    assert allowed(n.other_volunteer, wish) == set()
    assert wish_rights(n.other_volunteer, wish).claim_refusal is None  # not open: no claim
    assert allowed(n.far_secretary, wish) == set()


def test_a_claimant_who_releases_loses_sight_of_the_private_details(neighbourhood):
    n = neighbourhood
    start = recently()
    wish = claimed_wish(n.secretary, n.volunteer, served=n.served, now=start)
    wishes.release_claim(n.volunteer, wish.id, "做不了", now=start + timedelta(hours=1))
    rights = wish_rights(n.volunteer, wish)
    assert not rights.see_private and not rights.is_claimant
    assert rights.claim  # but may claim it again


def test_a_completed_wish_the_served_rate_and_confirm_the_worker_does_neither(neighbourhood):
    n = neighbourhood
    start = recently()
    wish = completed_wish(n.secretary, n.volunteer, served=n.served, now=start)
    assert allowed(n.served, wish) == {"rate", "confirm_hours", "see_private"}
    assert allowed(n.neighbour, wish) == {"rate"}
    assert allowed(n.volunteer, wish) == {"see_private"}  # the claimant, after the work too
    assert allowed(n.far_resident, wish) == set()
    assert allowed(n.secretary, wish) == {"confirm_hours", "adjust_hours", "record_rating",
                                          "remove_rating", "close", "see_private",
                                          "see_audit"}


def test_rights_follow_what_has_happened_since(neighbourhood):
    n = neighbourhood
    start = recently()
    wish = completed_wish(n.secretary, n.volunteer, served=n.served, now=start)
    ratings.rate_wish(n.served, wish.id, stars=5, now=start + timedelta(days=1))
    # Rated once, and the rating confirmed the hours: nothing left for the served to do.
    assert allowed(n.served, wish) == {"see_private"}
    assert "confirm_hours" not in allowed(n.secretary, wish)
    wishes.close_wish(n.secretary, wish.id, now=start + timedelta(days=2))
    assert allowed(n.neighbour, wish) == set()
    assert allowed(n.secretary, wish) == {"remove_rating", "see_private", "see_audit"}
