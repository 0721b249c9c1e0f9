"""The wish state machine through the services: every move a service makes, the refusal
(with the refusing state's code) for every move it may not, and the claim's own rules."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from factories import T0, claimed_wish, completed_wish, make_wish

from wishboard.errors import (
    ConflictError, ForbiddenError, IllegalTransitionError, ValidationFailedError,
)
from wishboard.extensions import db
from wishboard.jobs.recompute import recompute
from wishboard.notifications.models import Notification
from wishboard.wishes import services as wishes
from wishboard.wishes.models import Claim, ClaimStatus, Wish, WishEvent
from wishboard.wishes.states import REFUSALS, TRANSITIONS, WishState


def fresh(wish_id) -> Wish:
    db.session.expire_all()
    return db.session.get(Wish, wish_id)


def claims_of(wish_id) -> list[Claim]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Claim).where(Claim.wish_id == wish_id)
                                   .order_by(Claim.id)))


def wish_in(state: WishState, n) -> Wish:
    """A wish brought to ``state`` by the services themselves."""
    later = T0 + timedelta(hours=2)
    if state is WishState.OPEN:
        return make_wish(n.secretary, now=T0)
    if state is WishState.CLAIMED:
        return claimed_wish(n.secretary, n.volunteer, now=T0)
    if state is WishState.COMPLETED:
        return completed_wish(n.secretary, n.volunteer, now=T0)
    if state is WishState.CLOSED:
        wish = completed_wish(n.secretary, n.volunteer, now=T0)
        return wishes.close_wish(n.secretary, wish.id, now=later)
    if state is WishState.CANCELLED:
        wish = make_wish(n.secretary, now=T0)
        return wishes.cancel_wish(n.secretary, wish.id, "重复发布", now=later)
    assert state is WishState.EXPIRED
    wish = make_wish(n.secretary, now=T0, expires_at=T0 + timedelta(days=1))
    wishes.expire_many([wish.id], "已过截止时间", T0 + timedelta(days=2))
    db.session.commit()
    return fresh(wish.id)


# Each use case, the state it moves a wish to, and who does it.
MOVES = {
    "claim": (WishState.CLAIMED, lambda n, w, at: wishes.claim_wish(
        n.other_volunteer, w.id, accept_letter=True, now=at)),
    "release": (WishState.OPEN, lambda n, w, at: wishes.release_claim(
        n.secretary, w.id, "换人", now=at)),
    "complete": (WishState.COMPLETED, lambda n, w, at: wishes.complete_wish(
        n.volunteer, w.id, hours=1, now=at)),
    "close": (WishState.CLOSED, lambda n, w, at: wishes.close_wish(n.secretary, w.id, now=at)),
    "cancel": (WishState.CANCELLED, lambda n, w, at: wishes.cancel_wish(
        n.secretary, w.id, "不再需要", now=at)),
}


@pytest.mark.parametrize("state", [WishState.OPEN, WishState.CLAIMED, WishState.COMPLETED,
                                   WishState.CLOSED, WishState.CANCELLED, WishState.EXPIRED],
                         ids=lambda s: s.value)
def test_every_use_case_moves_only_where_the_state_machine_allows(neighbourhood, state):
    at = T0 + timedelta(days=3)
    for name, (target, move) in MOVES.items():
        wish = wish_in(state, neighbourhood)
        assert wish.state is state
        if target in TRANSITIONS.get(state, set()):
            move(neighbourhood, wish, at)
            assert fresh(wish.id).state is target, name
            event = db.session.scalars(sa.select(WishEvent).where(WishEvent.wish_id == wish.id)
                                       .order_by(WishEvent.id.desc())).first()
            assert (event.from_state, event.to_state) == (state.value, target.value), name
        else:
            with pytest.raises(IllegalTransitionError) as refused:
                move(neighbourhood, wish, at)
            assert refused.value.code == REFUSALS[state][0], name
            assert refused.value.status_code == 409
            db.session.rollback()
            assert fresh(wish.id).state is state, name


def test_a_wish_still_pending_review_cannot_be_claimed_nor_is_it_on_the_board(neighbourhood):
    wish = make_wish(neighbourhood.secretary, now=T0)
    db.session.execute(sa.update(Wish).where(Wish.id == wish.id)
                       .values(state=WishState.PENDING_REVIEW))
    db.session.commit()
    with pytest.raises(IllegalTransitionError) as refused:
        wishes.claim_wish(neighbourhood.volunteer, wish.id, accept_letter=True, now=T0)
    assert refused.value.code == "wish_not_published"
    recompute(repair=True)  # the raw UPDATE above went around the board's tallies
    board = wishes.list_wishes(community_id=neighbourhood.community.id)
    assert board.total == 0 and board.items == []


def test_claiming_signs_the_letter_holds_a_slot_and_tells_the_person_served(neighbourhood):
    n = neighbourhood
    wish = make_wish(n.secretary, served=n.served, now=T0)
    due = T0 + timedelta(days=5)
    wishes.claim_wish(n.volunteer, wish.id, accept_letter=True, due_at=due, now=T0)
    wish = fresh(wish.id)
    assert wish.state is WishState.CLAIMED and wish.claimant_id == n.volunteer.id
    assert wish.claimed_at == T0 and wish.due_at == due
    [claim] = claims_of(wish.id)
    assert claim.status is ClaimStatus.ACTIVE and claim.volunteer_id == n.volunteer.id
    assert n.volunteer.name in claim.letter and wish.title in claim.letter
    assert "2026年12月6日" in claim.letter  # the promised date, in local words
    db.session.refresh(n.volunteer)
    assert n.volunteer.open_claim_count == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.user_id == n.served.id, Notification.kind == "wish_claimed")) == 1


def test_claiming_without_accepting_the_letter_changes_nothing(neighbourhood):
    wish = make_wish(neighbourhood.secretary, now=T0)
    with pytest.raises(ValidationFailedError) as refused:
        wishes.claim_wish(neighbourhood.volunteer, wish.id, accept_letter=False, now=T0)
    assert refused.value.code == "letter_not_accepted"
    assert fresh(wish.id).state is WishState.OPEN and claims_of(wish.id) == []


def test_the_second_claim_gets_409_wish_already_claimed_and_the_first_keeps_it(neighbourhood):
    n = neighbourhood
    wish = make_wish(n.secretary, now=T0)
    wishes.claim_wish(n.volunteer, wish.id, accept_letter=True, now=T0)
    with pytest.raises(IllegalTransitionError) as refused:
        wishes.claim_wish(n.other_volunteer, wish.id, accept_letter=True,
                          now=T0 + timedelta(minutes=1))
    assert (refused.value.status_code, refused.value.code) == (409, "wish_already_claimed")
    db.session.rollback()
    assert fresh(wish.id).claimant_id == n.volunteer.id
    assert [c.volunteer_id for c in claims_of(wish.id)] == [n.volunteer.id]
    db.session.refresh(n.other_volunteer)
    assert n.other_volunteer.open_claim_count == 0


def test_release_by_the_claimant_reopens_the_wish_for_someone_else(neighbourhood):
    n = neighbourhood
    wish = claimed_wish(n.secretary, n.volunteer, now=T0)
    wishes.release_claim(n.volunteer, wish.id, "临时出差", now=T0 + timedelta(hours=3))
    wish = fresh(wish.id)
    assert wish.state is WishState.OPEN
    assert (wish.claimant_id, wish.claimed_at, wish.due_at) == (None, None, None)
    [claim] = claims_of(wish.id)
    assert claim.status is ClaimStatus.RELEASED and claim.end_reason == "临时出差"
    db.session.refresh(n.volunteer)
    assert n.volunteer.open_claim_count == 0
    wishes.claim_wish(n.other_volunteer, wish.id, accept_letter=True,
                      now=T0 + timedelta(hours=4))
    assert fresh(wish.id).claimant_id == n.other_volunteer.id


def test_only_the_claimant_or_the_secretary_may_release(neighbourhood):
    n = neighbourhood
    wish = claimed_wish(n.secretary, n.volunteer, now=T0)
    for stranger in (n.other_volunteer, n.neighbour, n.far_secretary):
        with pytest.raises(ForbiddenError) as refused:
            wishes.release_claim(stranger, wish.id, "想要", now=T0)
        assert refused.value.code == "not_claimant"
    assert fresh(wish.id).claimant_id == n.volunteer.id
    wishes.release_claim(n.secretary, wish.id, "联系不上认领人", now=T0 + timedelta(days=1))
    assert fresh(wish.id).state is WishState.OPEN
    told = db.session.scalar(sa.select(Notification.text).where(
        Notification.user_id == n.volunteer.id, Notification.kind == "claim_released"))
    assert "联系不上认领人" in told


def test_only_the_claimant_completes(neighbourhood):
    n = neighbourhood
    wish = claimed_wish(n.secretary, n.volunteer, now=T0)
    for other in (n.other_volunteer, n.secretary, n.served):
        with pytest.raises(ForbiddenError) as refused:
            wishes.complete_wish(other, wish.id, hours=1, now=T0 + timedelta(hours=1))
        assert refused.value.code == "not_claimant"
    assert fresh(wish.id).state is WishState.CLAIMED
    wishes.complete_wish(n.volunteer, wish.id, hours=1, note="已送到",
                         now=T0 + timedelta(hours=1))
    wish = fresh(wish.id)
    assert wish.state is WishState.COMPLETED and wish.completed_at == T0 + timedelta(hours=1)
    [claim] = claims_of(wish.id)
    assert claim.status is ClaimStatus.COMPLETED and claim.completion_note == "已送到"


def test_cancelling_a_claimed_wish_ends_the_claim_and_tells_the_claimant(neighbourhood):
    n = neighbourhood
    wish = claimed_wish(n.secretary, n.volunteer, now=T0)
    wishes.cancel_wish(n.secretary, wish.id, "居民已搬走", now=T0 + timedelta(days=1))
    wish = fresh(wish.id)
    assert wish.state is WishState.CANCELLED and wish.cancel_reason == "居民已搬走"
    assert wish.claimant_id is None
    [claim] = claims_of(wish.id)
    assert claim.status is ClaimStatus.CANCELLED
    db.session.refresh(n.volunteer)
    assert n.volunteer.open_claim_count == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.user_id == n.volunteer.id, Notification.kind == "wish_cancelled")) == 1


def test_only_this_communitys_staff_close_or_cancel(neighbourhood):
    n = neighbourhood
    done = completed_wish(n.secretary, n.volunteer, now=T0)
    live = make_wish(n.secretary, now=T0)
    for outsider in (n.far_secretary, n.volunteer, n.served):
        with pytest.raises(ForbiddenError):
            wishes.close_wish(outsider, done.id, now=T0 + timedelta(days=1))
        with pytest.raises(ForbiddenError):
            wishes.cancel_wish(outsider, live.id, "不要了", now=T0 + timedelta(days=1))
    assert fresh(done.id).state is WishState.COMPLETED
    assert fresh(live.id).state is WishState.OPEN


def test_claim_cap_is_enforced_and_a_release_frees_the_slot(neighbourhood):
    n = neighbourhood
    n.community.max_open_claims = 1
    db.session.commit()
    first = claimed_wish(n.secretary, n.volunteer, now=T0)
    second = make_wish(n.secretary, title="陪同就医", now=T0)
    with pytest.raises(ConflictError) as refused:
        wishes.claim_wish(n.volunteer, second.id, accept_letter=True, now=T0)
    assert refused.value.code == "too_many_claims"
    assert fresh(second.id).state is WishState.OPEN
    wishes.release_claim(n.volunteer, first.id, "做不了", now=T0 + timedelta(hours=1))
    wishes.claim_wish(n.volunteer, second.id, accept_letter=True, now=T0 + timedelta(hours=2))
    assert fresh(second.id).claimant_id == n.volunteer.id
