"""群众点评: residents star-rate a completed wish, one rating per person, results public."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from wishboard.errors import ConflictError, ForbiddenError, NotFoundError, ValidationFailedError
from wishboard.extensions import db
from wishboard.models import (
    Beneficiary, IllegalTransitionError, Rating, Role, User, Wish, WishState, utcnow,
)
from wishboard.services import points
from wishboard.services.access import can_manage_community
from wishboard.services.notifications import notify
from wishboard.services.wishes import get_wish, record_event


def _already_rated() -> ConflictError:
    return ConflictError("每人对一件事只能评价一次", message_en="Already rated",
                         code="already_rated")


def rating_refusal(actor: User | None, wish: Wish) -> ForbiddenError | None:
    """Why ``actor`` may not rate ``wish`` for themselves (None: they may, once it is
    completed). The rating itself and the wish page both ask here."""
    if actor is None:
        return ForbiddenError("请先登录", code="unauthorized")
    if actor.id == wish.claimant_id or (
            wish.claim_organization_id and actor.organization_id == wish.claim_organization_id):
        return ForbiddenError("不能评价自己或本组织完成的服务",
                              message_en="You cannot rate your own or your organisation's work",
                              code="cannot_rate_own_work")
    is_beneficiary = any(b.user_id == actor.id for b in wish.beneficiaries)
    is_resident_here = actor.role is Role.RESIDENT and actor.community_id == wish.community_id
    if not (is_beneficiary or is_resident_here):
        return ForbiddenError("只有服务对象和本社区居民可以评价",
                              message_en="Only the people served and residents may rate",
                              code="residents_only")
    return None


def rate_wish(actor: User, wish_id: int, *, stars: int, comment: str = "",
              beneficiary_id: int | None = None, now: datetime | None = None) -> Rating:
    """Rate a completed wish. With ``beneficiary_id``, a secretary records (代录) the rating
    of a beneficiary who has no phone."""
    now = now or utcnow()
    wish = get_wish(wish_id)
    if wish.state in (WishState.OPEN, WishState.CLAIMED):
        raise ConflictError("服务完成后才能评价", message_en="Rate after the service is done",
                            code="wish_not_completed")
    if wish.state is not WishState.COMPLETED:
        raise IllegalTransitionError.from_state(wish.state)
    on_behalf = beneficiary_id is not None
    if on_behalf:
        if not can_manage_community(actor, wish.community_id):
            raise ForbiddenError("只有本社区书记可以代录评价", code="not_your_community")
        beneficiary = db.session.get(Beneficiary, beneficiary_id)
        if beneficiary is None or beneficiary.wish_id != wish.id:
            raise ValidationFailedError(fields={"beneficiary_id": ["不是这个心愿的服务对象"]})
        rating = Rating(wish_id=wish.id, beneficiary_id=beneficiary.id,
                        rater_id=beneficiary.user_id, recorded_by_id=actor.id, stars=stars,
                        comment=comment, created_at=now)
    else:
        refusal = rating_refusal(actor, wish)
        if refusal is not None:
            raise refusal
        rating = Rating(wish_id=wish.id, rater_id=actor.id, stars=stars, comment=comment,
                        created_at=now)
    if db.session.scalar(sa.select(Rating.id).where(
            Rating.wish_id == wish.id,
            sa.or_(Rating.rater_id == rating.rater_id if rating.rater_id else sa.false(),
                   Rating.beneficiary_id == rating.beneficiary_id
                   if rating.beneficiary_id else sa.false()))) is not None:
        raise _already_rated()
    db.session.add(rating)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise _already_rated() from None
    # The board's average comes from totals kept in this same transaction.
    result = db.session.execute(
        sa.update(Wish).where(Wish.id == wish.id, Wish.state == WishState.COMPLETED)
        .values(rating_count=Wish.rating_count + 1, rating_sum=Wish.rating_sum + stars)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.rollback()
        raise IllegalTransitionError.from_state(
            db.session.scalar(sa.select(Wish.state).where(Wish.id == wish.id)))
    record_event(wish, actor, "rated", note=f"{stars}星。{comment}".strip(),
                 on_behalf=on_behalf, now=now)
    points.award_rating(rating, wish, now)
    notify([wish.claimant_id], "wish_rated",
           f"您完成的心愿「{wish.title}」收到{stars}星评价。", wish_id=wish.id, now=now)
    db.session.commit()
    db.session.refresh(wish)
    return rating


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
    db.session.execute(
        sa.update(Wish).where(Wish.id == wish.id)
        .values(rating_count=Wish.rating_count - 1, rating_sum=Wish.rating_sum - rating.stars)
        .execution_options(synchronize_session=False))
    record_event(wish, actor, "rating_removed", note=reason, now=now)
    points.reverse_rating(rating, wish, reason, now)
    db.session.commit()
    db.session.refresh(rating)
    return rating
