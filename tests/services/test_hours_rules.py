"""Hours (DOMAIN.md "Hours are confirmed"): a claim carries at most the community's hours per
day for the local days it spans, nobody states more than the community's hours per day
(``max_hours_per_day``, 10 by default) in all, and the completion and its hours earn only
once the person served or the secretary confirms the service, never the volunteer, and
only once. The secretary's 0 hours with a reason records that no service took place."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from factories import T0, claimed_wish, completed_wish

from wishboard.audit.models import AuditEntry
from wishboard.errors import ConflictError, ForbiddenError, ValidationFailedError
from wishboard.extensions import db
from wishboard.notifications.models import Notification
from wishboard.points import services as points
from wishboard.wishes import services as wishes
from wishboard.wishes.models import Claim, HoursStatus, Wish, WishEvent
from wishboard.wishes.states import WishState

SHANGHAI = ZoneInfo("Asia/Shanghai")


def claim_of(wish_id) -> Claim:
    db.session.expire_all()
    return db.session.scalar(sa.select(Claim).where(Claim.wish_id == wish_id)
                             .order_by(Claim.id.desc()))


def state_of(wish_id) -> WishState:
    db.session.expire_all()
    return db.session.get(Wish, wish_id).state


def test_one_days_claim_carries_at_most_the_communitys_hours_per_day(neighbourhood):
    n = neighbourhood
    wish = claimed_wish(n.secretary, n.volunteer, now=T0)
    later = T0 + timedelta(hours=6)
    with pytest.raises(ValidationFailedError) as refused:
        wishes.complete_wish(n.volunteer, wish.id, hours=10.5, now=later)
    assert refused.value.code == "too_many_hours" and "hours" in refused.value.fields
    db.session.rollback()
    assert state_of(wish.id) is WishState.CLAIMED
    wishes.complete_wish(n.volunteer, wish.id, hours=10, now=later)
    assert claim_of(wish.id).hours == Decimal("10.0")


def test_the_cap_follows_the_communitys_own_setting(neighbourhood):
    n = neighbourhood
    n.community.max_hours_per_day = 4
    db.session.commit()
    wish = claimed_wish(n.secretary, n.volunteer, now=T0)
    with pytest.raises(ValidationFailedError):
        wishes.complete_wish(n.volunteer, wish.id, hours=4.5, now=T0 + timedelta(hours=1))
    db.session.rollback()
    wishes.complete_wish(n.volunteer, wish.id, hours=4, now=T0 + timedelta(hours=1))
    assert state_of(wish.id) is WishState.COMPLETED


def test_days_are_local_dates_so_a_claim_just_before_midnight_spans_two(neighbourhood):
    n = neighbourhood
    late = datetime(2026, 12, 1, 23, 50, tzinfo=SHANGHAI)
    wish = claimed_wish(n.secretary, n.volunteer, now=late)
    after_midnight = late + timedelta(minutes=20)  # 20 minutes later, the next local day
    with pytest.raises(ValidationFailedError):
        wishes.complete_wish(n.volunteer, wish.id, hours=20.5, now=after_midnight)
    db.session.rollback()
    wishes.complete_wish(n.volunteer, wish.id, hours=20, now=after_midnight)
    assert claim_of(wish.id).hours == Decimal("20.0")


def test_nobody_states_more_than_the_communitys_hours_a_day_across_claims(neighbourhood):
    """The community's max_hours_per_day (10 by default) is the most one person states for
    a day, all their completions of that day together, not 24."""
    n = neighbourhood
    assert n.community.max_hours_per_day == 10
    ids = [claimed_wish(n.secretary, n.volunteer, title=f"心愿{i}", now=T0).id
           for i in range(3)]
    wishes.complete_wish(n.volunteer, ids[0], hours=6, now=T0 + timedelta(hours=1))
    wishes.complete_wish(n.volunteer, ids[1], hours=3, now=T0 + timedelta(hours=2))
    with pytest.raises(ValidationFailedError) as refused:
        wishes.complete_wish(n.volunteer, ids[2], hours=1.5, now=T0 + timedelta(hours=3))
    assert refused.value.code == "too_many_hours"
    message = refused.value.fields["hours"][0]
    assert "已填报9小时" in message and "还能填1小时" in message  # what was stated, what is left
    db.session.rollback()
    assert state_of(ids[2]) is WishState.CLAIMED
    wishes.complete_wish(n.volunteer, ids[2], hours=1, now=T0 + timedelta(hours=3))
    assert state_of(ids[2]) is WishState.COMPLETED


def test_another_volunteers_hours_do_not_count_against_mine(neighbourhood):
    """The daily cap is per person: a neighbour's full day leaves my own day whole."""
    n = neighbourhood
    mine = [claimed_wish(n.secretary, n.volunteer, title=f"我的{i}", now=T0).id
            for i in range(2)]
    theirs = claimed_wish(n.secretary, n.other_volunteer, title="别人的", now=T0)
    wishes.complete_wish(n.other_volunteer, theirs.id, hours=10, now=T0 + timedelta(hours=1))
    wishes.complete_wish(n.volunteer, mine[0], hours=6, now=T0 + timedelta(hours=1))
    wishes.complete_wish(n.volunteer, mine[1], hours=4, now=T0 + timedelta(hours=2))
    assert state_of(mine[1]) is WishState.COMPLETED


def test_the_completion_and_its_hours_wait_for_confirmation_before_they_earn(neighbourhood):
    """Reporting the service done pays nothing: the completion (20) and the hours (5 each)
    are pending (待确认) until the person served confirms; the claim's 5 are paid at once."""
    n = neighbourhood
    wish = completed_wish(n.secretary, n.volunteer, hours=2, served=n.served, now=T0)
    claim = claim_of(wish.id)
    assert claim.hours_status is HoursStatus.PENDING and claim.confirmed_hours is None
    assert points.points_of(n.volunteer) == 5  # the claim only
    assert points.pending_of(n.volunteer.id).points == 20 + 2 * 5
    wishes.confirm_hours(n.served, wish.id, now=T0 + timedelta(days=1))
    claim = claim_of(wish.id)
    assert claim.hours_status is HoursStatus.CONFIRMED
    assert (claim.confirmed_hours, claim.hours_confirmed_by_id) == (Decimal("2.0"), n.served.id)
    assert points.points_of(n.volunteer) == 5 + 20 + 2 * 5
    assert points.pending_of(n.volunteer.id).points == 0


def test_the_volunteer_never_confirms_their_own_hours(neighbourhood):
    n = neighbourhood
    wish = completed_wish(n.secretary, n.volunteer, served=n.served, now=T0)
    with pytest.raises(ForbiddenError) as refused:
        wishes.confirm_hours(n.volunteer, wish.id, now=T0 + timedelta(days=1))
    assert refused.value.code == "cannot_confirm_own_work"
    assert claim_of(wish.id).hours_status is HoursStatus.PENDING


def test_a_resident_not_served_cannot_confirm(neighbourhood):
    n = neighbourhood
    wish = completed_wish(n.secretary, n.volunteer, served=n.served, now=T0)
    for outsider in (n.neighbour, n.other_volunteer, n.far_secretary):
        with pytest.raises(ForbiddenError):
            wishes.confirm_hours(outsider, wish.id, now=T0 + timedelta(days=1))
    assert claim_of(wish.id).hours_status is HoursStatus.PENDING


def test_a_second_confirmation_is_409_and_pays_nothing_more(neighbourhood):
    n = neighbourhood
    wish = completed_wish(n.secretary, n.volunteer, hours=3, served=n.served, now=T0)
    wishes.confirm_hours(n.secretary, wish.id, now=T0 + timedelta(days=1))
    paid = points.points_of(n.volunteer)
    for confirmer in (n.served, n.secretary):
        with pytest.raises(ConflictError) as refused:
            wishes.confirm_hours(confirmer, wish.id, now=T0 + timedelta(days=2))
        assert (refused.value.status_code, refused.value.code) == (409, "hours_already_settled")
    assert points.points_of(n.volunteer) == paid


def test_nothing_to_confirm_before_the_service_is_done(neighbourhood):
    n = neighbourhood
    wish = claimed_wish(n.secretary, n.volunteer, served=n.served, now=T0)
    with pytest.raises(ConflictError) as refused:
        wishes.confirm_hours(n.secretary, wish.id, now=T0)
    assert refused.value.code == "nothing_to_confirm"


def test_only_the_secretary_adjusts_and_only_with_a_reason_within_the_cap(neighbourhood):
    n = neighbourhood
    wish = completed_wish(n.secretary, n.volunteer, hours=3, served=n.served, now=T0)
    at = T0 + timedelta(days=1)
    with pytest.raises(ForbiddenError) as refused:
        wishes.confirm_hours(n.served, wish.id, hours=1, now=at)
    assert refused.value.code == "secretary_adjusts"
    with pytest.raises(ValidationFailedError) as no_reason:
        wishes.confirm_hours(n.secretary, wish.id, hours=1, now=at)
    assert "reason" in no_reason.value.fields
    with pytest.raises(ValidationFailedError) as too_many:
        wishes.confirm_hours(n.secretary, wish.id, hours=11, reason="多算", now=at)
    assert "hours" in too_many.value.fields
    assert claim_of(wish.id).hours_status is HoursStatus.PENDING
    before = points.points_of(n.volunteer)
    wishes.confirm_hours(n.secretary, wish.id, hours=1, reason="实际一小时", now=at)
    claim = claim_of(wish.id)
    assert (claim.hours, claim.confirmed_hours) == (Decimal("3.0"), Decimal("1.0"))
    assert claim.hours_adjust_reason == "实际一小时"
    # The confirmation pays the completion with the adjusted hours, not the stated ones.
    assert points.points_of(n.volunteer) == before + 20 + 1 * 5


def test_the_person_served_confirms_only_within_the_rating_window(neighbourhood):
    n = neighbourhood
    wish = completed_wish(n.secretary, n.volunteer, served=n.served, now=T0)
    ended = claim_of(wish.id).ended_at
    too_late = ended + timedelta(days=n.community.rating_window_days, minutes=1)
    with pytest.raises(ForbiddenError) as refused:
        wishes.confirm_hours(n.served, wish.id, now=too_late)
    assert refused.value.code == "confirmation_window_over"
    wishes.confirm_hours(n.secretary, wish.id, now=too_late)  # the secretary still may
    assert claim_of(wish.id).hours_status is HoursStatus.CONFIRMED


def test_an_unverified_person_served_cannot_confirm_until_trusted(neighbourhood, make_user):
    n = neighbourhood
    newcomer = make_user("resident", n.community, name="孙新来", created_at=T0, verified=False)
    wish = completed_wish(n.secretary, n.volunteer, served=newcomer, now=T0)
    with pytest.raises(ForbiddenError) as refused:
        wishes.confirm_hours(newcomer, wish.id, now=T0 + timedelta(days=1))
    assert refused.value.code == "not_verified"
    assert claim_of(wish.id).hours_status is HoursStatus.PENDING


def test_the_hours_queue_lists_pending_hours_for_this_communitys_staff_only(neighbourhood):
    n = neighbourhood
    waiting = completed_wish(n.secretary, n.volunteer, title="等确认", now=T0)
    settled = completed_wish(n.secretary, n.other_volunteer, title="已确认", now=T0)
    wishes.confirm_hours(n.secretary, settled.id, now=T0 + timedelta(hours=2))
    queue = wishes.hours_queue(n.secretary, n.community.id)
    assert [c.wish_id for c in queue] == [waiting.id]
    with pytest.raises(ForbiddenError):
        wishes.hours_queue(n.far_secretary, n.community.id)


@pytest.mark.parametrize("hours", [-10, 0, 0.04])
def test_hours_below_a_tenth_are_refused_by_the_service_itself(neighbourhood, hours):
    # A negative statement would leave room under the daily limit for more.
    n = neighbourhood
    wish = claimed_wish(n.secretary, n.volunteer, now=T0)
    with pytest.raises(ValidationFailedError) as refused:
        wishes.complete_wish(n.volunteer, wish.id, hours=hours, now=T0 + timedelta(hours=1))
    assert "hours" in refused.value.fields
    db.session.rollback()
    assert state_of(wish.id) is WishState.CLAIMED


def test_a_rating_after_the_window_does_not_confirm_the_hours(neighbourhood):
    # The person served may still rate until the sweep closes the wish, but the hours are
    # theirs to confirm only within the window, by rating or directly.
    from wishboard.ratings import services as ratings

    n = neighbourhood
    wish = completed_wish(n.secretary, n.volunteer, served=n.served, now=T0)
    late = T0 + timedelta(days=n.community.rating_window_days, hours=2)  # done at T0+1h
    ratings.rate_wish(n.served, wish.id, stars=5, now=late)
    assert claim_of(wish.id).hours_status is HoursStatus.PENDING
    ratings.rate_wish(n.neighbour, wish.id, stars=4, now=late)
    wishes.confirm_hours(n.secretary, wish.id, now=late)
    assert claim_of(wish.id).hours_status is HoursStatus.CONFIRMED


@pytest.mark.parametrize("hours", ["Infinity", "NaN", 1e30])
def test_hours_that_are_not_a_sane_number_are_a_validation_error(neighbourhood, hours):
    n = neighbourhood
    wish = claimed_wish(n.secretary, n.volunteer, now=T0)
    with pytest.raises(ValidationFailedError) as refused:
        wishes.complete_wish(n.volunteer, wish.id, hours=float(hours),
                             now=T0 + timedelta(hours=1))
    assert "hours" in refused.value.fields


def test_the_secretarys_zero_hours_with_a_reason_records_no_service_but_nothing_below(
        neighbourhood):
    """0 hours with a reason is 未实际服务, not "confirmed with 0 hours": nothing is paid,
    the claim's points are taken back, the volunteer is told, it is audited, on the
    timeline and counts toward the release flag. Below 0 is refused, and 0 needs a reason."""
    n = neighbourhood
    wish = completed_wish(n.secretary, n.volunteer, hours=3, now=T0)
    later = T0 + timedelta(days=1)
    assert points.points_of(n.volunteer) == 5  # the claim, paid at claim time
    with pytest.raises(ValidationFailedError) as refused:
        wishes.confirm_hours(n.secretary, wish.id, hours=-2, reason="填错了", now=later)
    assert "hours" in refused.value.fields
    db.session.rollback()
    with pytest.raises(ValidationFailedError) as no_reason:
        wishes.confirm_hours(n.secretary, wish.id, hours=0, now=later)
    assert "reason" in no_reason.value.fields
    db.session.rollback()
    assert claim_of(wish.id).hours_status is HoursStatus.PENDING
    wishes.confirm_hours(n.secretary, wish.id, hours=0, reason="当天没有上门", now=later)
    claim = claim_of(wish.id)
    assert (claim.hours_status, claim.confirmed_hours) == (HoursStatus.NOT_SERVED, Decimal("0"))
    assert claim.hours_adjust_reason == "当天没有上门"
    assert points.points_of(n.volunteer) == 0  # the claim's 5 reversed, nothing paid
    assert points.pending_of(n.volunteer.id).points == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "service_not_served", AuditEntry.object_id == claim.id)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(WishEvent).where(
        WishEvent.wish_id == wish.id, WishEvent.action == "not_served")) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.user_id == n.volunteer.id, Notification.wish_id == wish.id,
        Notification.text.contains("没有实际服务"))) == 1
    assert wishes.release_counts([n.volunteer.id], now=later) == {n.volunteer.id: 1}
    with pytest.raises(ConflictError):  # settled: nobody confirms it afterwards
        wishes.confirm_hours(n.secretary, wish.id, now=later)


def test_a_service_log_below_a_tenth_of_an_hour_is_refused(neighbourhood):
    from wishboard.projects import services as projects
    from wishboard.projects.models import ServiceLog

    n = neighbourhood
    project = claimed_wish(n.secretary, n.volunteer, now=T0, kind="project",
                           organization_id=n.org.id)
    projects.join_project(n.volunteer, project.id, now=T0)
    served_on = (T0 + timedelta(days=1)).astimezone(SHANGHAI).date()
    with pytest.raises(ValidationFailedError) as refused:
        projects.log_service(n.volunteer, project.id, served_on=served_on, hours=0.04,
                             now=T0 + timedelta(days=1))
    assert "hours" in refused.value.fields
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ServiceLog)) == 0
