"""群众点评: the people who live in the community (residents, and volunteers whose home
community it is: ``access.rating_refusal``) star-rate a completed wish, one rating per
person, results public.

A rating counts (in the wish's public average and in the volunteer's points) only when a
person stands behind its rater: the person served (named on the wish by the secretary, or
recorded by her: 代录), a resident the secretary has verified, a volunteer whose 报到 a
person approved, the staff; or, where the community opted in (``rating_trust_days``, off
by default), anyone whose account has existed that long. Other ratings show at once with
their text, marked 待核实 and outside the average, and count when their rater is checked.
A rating by the person served whose word counts also confirms the service
(``access.confirm_hours_refusal``). When a rater is checked (their 报到 approved by a
person, or verified as a resident), ``accounts`` tells its ``rater_trusted`` hook, which
this module listens to (``_count_trusted_raters``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from wishboard.access import (
    can_manage_community, completed_claim, confirm_hours_refusal, is_trusted_rater,
    known_neighbours, rating_refusal, same_person,
)
from wishboard.accounts import events as accounts_events
from wishboard.accounts.models import User
from wishboard.audit import services as audit
from wishboard.core.clock import utcnow
from wishboard.core.db import flush_or_conflict
from wishboard.errors import ConflictError, ForbiddenError, NotFoundError, ValidationFailedError
from wishboard.extensions import db
from wishboard.notifications.services import notify
from wishboard.places.models import Community, PlaceLevel
from wishboard.points import services as points
from wishboard.ratings.models import Rating
from wishboard.wishes.models import Beneficiary, Wish
from wishboard.wishes.hours import apply_hours_confirmation
from wishboard.wishes.records import get_wish, record_event
from wishboard.wishes.states import LIVE_STATES, WishState, state_refusal


def _already_rated() -> ConflictError:
    return ConflictError("每人对一件事只能评价一次", message_en="Already rated",
                         code="already_rated")


def rate_wish(actor: User, wish_id: int, *, stars: int, comment: str = "",
              beneficiary_id: int | None = None, now: datetime | None = None) -> Rating:
    """Rate a completed wish. With ``beneficiary_id``, a secretary records (代录) the rating
    of a beneficiary who has no phone."""
    now = now or utcnow()
    if not 1 <= stars <= 5:
        raise ValidationFailedError(fields={"stars": ["请选1到5颗星"]})
    wish = get_wish(wish_id)
    if wish.state in LIVE_STATES:
        raise ConflictError("服务完成后才能评价", message_en="Rate after the service is done",
                            code="wish_not_completed")
    if wish.state is not WishState.COMPLETED:
        raise state_refusal(wish.state)
    on_behalf = beneficiary_id is not None
    served = on_behalf or any(b.user_id == actor.id for b in wish.beneficiaries)
    if on_behalf:
        if not can_manage_community(actor, wish.community_id):
            raise ForbiddenError("只有本社区书记可以代录评价", code="not_your_community")
        if same_person(actor.id, wish.claimant_id):  # her volunteer hat served it
            raise ForbiddenError("不能代录对自己服务的评价，请由其他工作人员代录",
                                 message_en="Nobody records a rating of their own work",
                                 code="cannot_rate_own_work")
        beneficiary = db.session.get(Beneficiary, beneficiary_id)
        if beneficiary is None or beneficiary.wish_id != wish.id:
            raise ValidationFailedError(fields={"beneficiary_id": ["不是这个心愿的服务对象"]})
        rating = Rating(wish_id=wish.id, beneficiary_id=beneficiary.id,
                        rater_id=beneficiary.user_id, recorded_by_id=actor.id, stars=stars,
                        comment=comment, by_beneficiary=True, created_at=now)
    else:
        refusal = rating_refusal(actor, wish)
        if refusal is not None:
            raise refusal
        rating = Rating(wish_id=wish.id, rater_id=actor.id, stars=stars, comment=comment,
                        by_beneficiary=served, created_at=now)
    if db.session.scalar(sa.select(Rating.id).where(
            Rating.wish_id == wish.id,
            sa.or_(Rating.rater_id == rating.rater_id if rating.rater_id else sa.false(),
                   Rating.beneficiary_id == rating.beneficiary_id
                   if rating.beneficiary_id else sa.false()))) is not None:
        raise _already_rated()
    db.session.add(rating)
    flush_or_conflict(_already_rated())
    # Still completed? (a conditional UPDATE that changes nothing, so a close racing with
    # this rating leaves one of them refused).
    result = db.session.execute(
        sa.update(Wish).where(Wish.id == wish.id, Wish.state == WishState.COMPLETED)
        .values(rating_count=Wish.rating_count)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.rollback()
        raise state_refusal(
            db.session.scalar(sa.select(Wish.state).where(Wish.id == wish.id)))
    record_event(wish, actor, "rated", note=f"{stars}星。{comment}".strip(),
                 on_behalf=on_behalf, now=now)
    trusted = served or is_trusted_rater(actor, wish.community, now)
    if trusted:
        _count(rating, wish, now)
    if served and trusted:
        # The person served, whose word counts, confirms the hours, on the terms of
        # confirming them directly (within the rating window; the secretary at any time).
        claim = completed_claim(wish)
        if confirm_hours_refusal(actor, wish, claim, now=now) is None:
            apply_hours_confirmation(claim, wish, actor, now)
    notify([wish.claimant_id], "wish_rated",
           f"您完成的心愿「{wish.title}」收到{stars}星评价。", wish_id=wish.id, now=now)
    db.session.commit()
    return rating


def _count(rating: Rating, wish: Wish, now: datetime) -> bool:
    """Count a rating once (a conditional UPDATE marks it counted): into the wish's public
    average, kept beside it in this transaction, and the volunteer's points."""
    moved = db.session.execute(
        sa.update(Rating).where(Rating.id == rating.id, Rating.counted_at.is_(None),
                                Rating.removed_at.is_(None))
        .values(counted_at=now).execution_options(synchronize_session=False)).rowcount
    if not moved:
        return False
    db.session.execute(
        sa.update(Wish).where(Wish.id == wish.id)
        .values(rating_count=Wish.rating_count + 1, rating_sum=Wish.rating_sum + rating.stars)
        .execution_options(synchronize_session=False))
    return points.award_rating(rating, wish, now)


def count_waiting_ratings(now: datetime | None = None, *, rater_id: int | None = None) -> int:
    """Book the points of ratings whose rater now qualifies: all of ``rater_id``'s (just
    verified, or their 报到 just approved), or, for every community, those of raters
    verified or approved since or whose accounts are older than its waiting period. The
    caller commits; returns how many were booked."""
    now = now or utcnow()
    base = (sa.select(Rating, Wish).join(Wish, Wish.id == Rating.wish_id)
            .join(User, User.id == Rating.rater_id)
            .where(Rating.counted_at.is_(None), Rating.removed_at.is_(None)))
    if rater_id is not None:
        queries = [base.where(Rating.rater_id == rater_id)]
    else:
        queries = [base.where(Wish.community_id == c.id, sa.or_(
            User.verified_at.is_not(None), known_neighbours(),
            sa.false() if c.rating_trust_days is None
            else User.created_at <= now - timedelta(days=c.rating_trust_days)))
            for c in db.session.scalars(sa.select(Community).where(
                Community.level.in_([PlaceLevel.COMMUNITY, PlaceLevel.VILLAGE])))]
    booked = 0
    for query in queries:
        for rating, wish in db.session.execute(query.order_by(Rating.id)).all():
            booked += _count(rating, wish, now)
    return booked


@accounts_events.on_rater_trusted
def _count_trusted_raters(user: User, now: datetime) -> int:
    """``user``'s ratings may count now (their 报到 approved by a person, or verified as a
    resident: ``accounts.events.rater_trusted``): book those that waited. The accounts use
    case commits."""
    return count_waiting_ratings(now, rater_id=user.id)


def remove_rating(actor: User, rating_id: int, reason: str, *,
                  now: datetime | None = None) -> Rating:
    """The secretary withdraws an abusive rating: it is hidden, the wish's average and the
    claimant's points are corrected (a reversing ledger entry, not an edit)."""
    now = now or utcnow()
    rating = db.session.get(Rating, rating_id)
    if rating is None:
        raise NotFoundError("没有这条评价", message_en="No such rating")
    wish = get_wish(rating.wish_id)
    if not can_manage_community(actor, wish.community_id):
        raise ForbiddenError("只有本社区书记可以撤销评价", code="not_your_community")
    result = db.session.execute(
        sa.update(Rating).where(Rating.id == rating.id, Rating.removed_at.is_(None))
        .values(removed_at=now, removed_by_id=actor.id, removed_reason=reason)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.rollback()
        raise ConflictError("这条评价已经撤销", message_en="Already removed",
                            code="rating_already_removed")
    if rating.counted_at is not None:  # only a counted rating is in the average
        db.session.execute(
            sa.update(Wish).where(Wish.id == wish.id)
            .values(rating_count=Wish.rating_count - 1,
                    rating_sum=Wish.rating_sum - rating.stars)
            .execution_options(synchronize_session=False))
    record_event(wish, actor, "rating_removed", note=reason, now=now)
    points.reverse_rating(rating, wish, reason, now)
    audit.record("rating_removed", actor=actor, object_type="rating", object_id=rating.id,
                 community_id=wish.community_id,
                 before={"stars": rating.stars, "comment": rating.comment},
                 after={"reason": reason, "wish_id": wish.id}, now=now)
    db.session.commit()
    db.session.refresh(rating)
    return rating
