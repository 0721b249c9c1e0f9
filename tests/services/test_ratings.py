"""群众点评: one rating per person per wish, only by the people served and the community's
residents, never by whoever did the work; a newcomer's stars show at once but count (in the
wish's average and in points) only once the resident is verified."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from factories import T0, claimed_wish, completed_wish

from wishboard.accounts import services as accounts
from wishboard.errors import (
    ConflictError, ForbiddenError, IllegalTransitionError, ValidationFailedError,
)
from wishboard.extensions import db
from wishboard.points import services as points
from wishboard.ratings import services as ratings
from wishboard.ratings.models import Rating
from wishboard.wishes import services as wishes
from wishboard.wishes.models import Claim, HoursStatus

LATER = T0 + timedelta(days=1)


def shown_ratings(wish_id) -> list[Rating]:
    """The ratings the wish's page shows: those not withdrawn."""
    return list(db.session.scalars(sa.select(Rating).where(
        Rating.wish_id == wish_id, Rating.removed_at.is_(None)).order_by(Rating.id)))


def test_one_rating_per_person_the_second_is_409(neighbourhood):
    n = neighbourhood
    wish = completed_wish(n.secretary, n.volunteer, now=T0)
    ratings.rate_wish(n.neighbour, wish.id, stars=4, now=LATER)
    with pytest.raises(ConflictError) as refused:
        ratings.rate_wish(n.neighbour, wish.id, stars=5, now=LATER + timedelta(minutes=1))
    assert (refused.value.status_code, refused.value.code) == (409, "already_rated")
    db.session.rollback()
    db.session.refresh(wish)
    assert (wish.rating_count, wish.rating_sum) == (1, 4)
    # The claim and the first rating's stars; the completion waits for a confirmation.
    assert points.points_of(n.volunteer) == 5 + 4 * 2


def test_several_residents_each_rate_once_and_the_average_follows(neighbourhood):
    n = neighbourhood
    wish = completed_wish(n.secretary, n.volunteer, served=n.served, now=T0)
    ratings.rate_wish(n.served, wish.id, stars=5, comment="很好", now=LATER)
    ratings.rate_wish(n.neighbour, wish.id, stars=3, now=LATER)
    db.session.refresh(wish)
    assert (wish.rating_count, wish.rating_sum) == (2, 8)
    assert [(r.rater_id, r.by_beneficiary) for r in shown_ratings(wish.id)] == [
        (n.served.id, True), (n.neighbour.id, False)]


def test_nobody_rates_their_own_or_their_organisations_work(neighbourhood, make_user):
    n = neighbourhood
    wish = completed_wish(n.secretary, n.volunteer, organization_id=n.org.id, now=T0)
    colleague = make_user("volunteer", n.community, name="同支部", organization=n.org)
    for worker in (n.volunteer, colleague):
        with pytest.raises(ForbiddenError) as refused:
            ratings.rate_wish(worker, wish.id, stars=5, now=LATER)
        assert refused.value.code == "cannot_rate_own_work"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Rating)) == 0


def test_only_residents_of_the_community_and_the_people_served_rate(neighbourhood):
    n = neighbourhood
    wish = completed_wish(n.secretary, n.volunteer, now=T0)
    for outsider in (n.far_resident, n.far_volunteer, n.secretary):
        with pytest.raises(ForbiddenError) as refused:
            ratings.rate_wish(outsider, wish.id, stars=1, now=LATER)
        assert refused.value.code == "residents_only"


def test_rating_is_for_completed_wishes_only(neighbourhood):
    n = neighbourhood
    claimed = claimed_wish(n.secretary, n.volunteer, now=T0)
    with pytest.raises(ConflictError) as early:
        ratings.rate_wish(n.neighbour, claimed.id, stars=5, now=LATER)
    assert early.value.code == "wish_not_completed"
    closed = completed_wish(n.secretary, n.other_volunteer, title="已结项", now=T0)
    wishes.close_wish(n.secretary, closed.id, now=LATER)
    with pytest.raises(IllegalTransitionError) as late:
        ratings.rate_wish(n.neighbour, closed.id, stars=5, now=LATER)
    assert late.value.code == "wish_closed"


def test_an_unverified_residents_rating_shows_but_counts_and_earns_only_once_verified(
        neighbourhood, make_user):
    """The newcomer's rating is shown at once, outside the wish's average and earning
    nothing; the secretary's verification counts it in both."""
    n = neighbourhood
    wish = completed_wish(n.secretary, n.volunteer, hours=1, now=T0)
    before = points.points_of(n.volunteer)
    newcomer = make_user("resident", n.community, name="孙新来", created_at=T0, verified=False)
    rating = ratings.rate_wish(newcomer, wish.id, stars=5, now=LATER)
    assert [r.id for r in shown_ratings(wish.id)] == [rating.id]  # shown on the wish at once
    db.session.refresh(wish)
    assert (wish.rating_count, wish.rating_sum) == (0, 0)  # but outside its average
    assert rating.counted_at is None and points.points_of(n.volunteer) == before
    accounts.verify_resident(n.secretary, newcomer.id, now=LATER + timedelta(days=1))
    db.session.refresh(rating)
    assert rating.counted_at is not None
    db.session.refresh(wish)
    assert (wish.rating_count, wish.rating_sum) == (1, 5)
    assert points.points_of(n.volunteer) == before + 5 * 2
    assert points.total_of("volunteer", n.volunteer.id).stars == 5


def test_an_unverified_person_served_does_not_confirm_the_hours_by_rating(
        neighbourhood, make_user):
    n = neighbourhood
    newcomer = make_user("resident", n.community, name="孙新来", created_at=T0, verified=False)
    wish = completed_wish(n.secretary, n.volunteer, hours=2, served=newcomer, now=T0)
    ratings.rate_wish(newcomer, wish.id, stars=5, now=LATER)
    claim = db.session.scalar(sa.select(Claim).where(Claim.wish_id == wish.id))
    assert claim.hours_status is HoursStatus.PENDING


def test_the_secretary_records_a_rating_for_someone_served_without_a_phone_once(
        neighbourhood):
    n = neighbourhood
    wish = completed_wish(n.secretary, n.volunteer, hours=2, now=T0)  # beneficiary, no account
    [beneficiary] = wish.beneficiaries
    rating = ratings.rate_wish(n.secretary, wish.id, stars=4, beneficiary_id=beneficiary.id,
                               now=LATER)
    assert rating.by_beneficiary and rating.recorded_by_id == n.secretary.id
    claim = db.session.scalar(sa.select(Claim).where(Claim.wish_id == wish.id))
    assert claim.hours_status is HoursStatus.CONFIRMED  # the person served's word
    assert points.points_of(n.volunteer) == 5 + 20 + 2 * 5 + 4 * 2
    with pytest.raises(ConflictError) as again:
        ratings.rate_wish(n.secretary, wish.id, stars=5, beneficiary_id=beneficiary.id,
                          now=LATER)
    assert again.value.code == "already_rated"
    with pytest.raises(ForbiddenError):
        ratings.rate_wish(n.far_secretary, wish.id, stars=5, beneficiary_id=beneficiary.id,
                          now=LATER)


def test_a_removed_rating_is_hidden_and_cannot_be_removed_twice(neighbourhood):
    n = neighbourhood
    wish = completed_wish(n.secretary, n.volunteer, now=T0)
    rating = ratings.rate_wish(n.neighbour, wish.id, stars=1, now=LATER)
    with pytest.raises(ForbiddenError):
        ratings.remove_rating(n.far_secretary, rating.id, "不喜欢", now=LATER)
    ratings.remove_rating(n.secretary, rating.id, "恶意差评", now=LATER)
    assert shown_ratings(wish.id) == []
    db.session.refresh(wish)
    assert (wish.rating_count, wish.rating_sum) == (0, 0)
    with pytest.raises(ConflictError) as again:
        ratings.remove_rating(n.secretary, rating.id, "再撤", now=LATER)
    assert again.value.code == "rating_already_removed"


@pytest.mark.parametrize("stars", [0, 6, 9])
def test_stars_outside_one_to_five_are_a_validation_error_not_a_conflict(neighbourhood, stars):
    n = neighbourhood
    wish = completed_wish(n.secretary, n.volunteer, now=T0)
    with pytest.raises(ValidationFailedError) as refused:
        ratings.rate_wish(n.neighbour, wish.id, stars=stars, now=LATER)
    assert refused.value.status_code == 400 and "stars" in refused.value.fields
    db.session.rollback()
    assert shown_ratings(wish.id) == []


# Security review, finding 5: people tied to the organisation behind the work rated it. -----

def _refused_rating(person, wish, now):
    from wishboard.access import rating_refusal

    assert rating_refusal(person, wish).code == "cannot_rate_own_work"
    with pytest.raises(ForbiddenError) as refused:
        ratings.rate_wish(person, wish.id, stars=5, now=now)
    assert refused.value.code == "cannot_rate_own_work"
    db.session.rollback()


def test_the_claiming_organisations_contact_rates_none_of_its_work_member_or_not(
        neighbourhood):
    """A verified resident reports an organisation and is its contact, not a member: their
    five stars counted for it."""
    from factories import make_wish

    from wishboard.organizations import services as organizations

    n = neighbourhood
    org = organizations.report_organization(n.neighbour, name="新党支部", unit="某公司",
                                            kind="enterprise", community_id=n.community.id,
                                            now=T0)
    organizations.approve_organization(n.secretary, org.id, now=T0)
    request = organizations.request_membership(n.other_volunteer, org.id, now=T0)
    organizations.approve_request(n.neighbour, request.id, now=T0)
    for organization_id in (org.id, None):  # for the organisation, and a member's own claim
        wish = make_wish(n.secretary, now=T0)
        wishes.claim_wish(n.other_volunteer, wish.id, accept_letter=True,
                          organization_id=organization_id, now=T0)
        wishes.complete_wish(n.other_volunteer, wish.id, hours=1, now=T0 + timedelta(hours=1))
        _refused_rating(n.neighbour, wish, T0 + timedelta(hours=2))
    assert points.total_of("organization", org.id).stars == 0


def test_a_member_who_just_left_rates_none_of_the_organisations_work_one_long_gone_may(
        neighbourhood, make_user):
    """Leaving (``DELETE /me/organization``) right before rating worked; a member who left
    more than 30 days (``access.TIE_DAYS``) before the claim is an outsider again."""
    from factories import make_wish

    from wishboard.organizations import services as organizations

    n = neighbourhood  # n.volunteer belongs to n.org
    n.org.contact_user_id = n.other_volunteer.id
    n.other_volunteer.organization_id = n.org.id
    long_gone = make_user("volunteer", n.community, name="老成员", organization=n.org,
                          created_at=T0 - timedelta(days=90))
    db.session.commit()
    organizations.leave_organization(long_gone, now=T0 - timedelta(days=31))
    wish = make_wish(n.secretary, now=T0)
    wishes.claim_wish(n.other_volunteer, wish.id, accept_letter=True,
                      organization_id=n.org.id, now=T0)
    wishes.complete_wish(n.other_volunteer, wish.id, hours=1, now=T0 + timedelta(hours=1))
    organizations.leave_organization(n.volunteer, now=T0 + timedelta(hours=2))
    _refused_rating(n.volunteer, wish, T0 + timedelta(hours=3))
    ratings.rate_wish(long_gone, wish.id, stars=4, now=T0 + timedelta(hours=3))
    assert points.total_of("organization", n.org.id).stars == 4


def test_colleagues_of_one_organisation_rate_none_of_each_others_personal_claims(
        neighbourhood):
    n = neighbourhood
    n.other_volunteer.organization_id = n.org.id  # both in n.org
    db.session.commit()
    first = completed_wish(n.secretary, n.volunteer, now=T0, title="一")  # for themselves
    second = completed_wish(n.secretary, n.other_volunteer, now=T0, title="二")
    _refused_rating(n.other_volunteer, first, T0 + timedelta(hours=2))
    _refused_rating(n.volunteer, second, T0 + timedelta(hours=2))
    ratings.rate_wish(n.neighbour, first.id, stars=5, now=T0 + timedelta(hours=2))
    assert [points.total_of("volunteer", v.id).stars
            for v in (n.volunteer, n.other_volunteer)] == [5, 0]
