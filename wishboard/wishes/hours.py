"""The hours policy, the same for every feature that takes hours: one cap a day per person
whatever they state hours in (completions here, service logs in ``projects``), how hours
are given, and what a completion's hours wait for before they earn.

- stating hours: ``hours_given`` (to a tenth, refused outside its bounds), ``hours_cap``
  (what one claim may carry), ``stated_hours`` and ``within_daily_cap`` (under the
  person's lock, ``lock_person``); ``projects.services`` takes its logs through these;
- confirming them: ``confirm_hours`` (a use case: the person served or the staff),
  ``apply_hours_confirmation`` and ``apply_not_served`` (steps for a use case that
  confirms as one of its moves: rating a service, the sweep), ``was_not_served``;
- what nobody confirmed: ``settle_unconfirmed_hours`` (the sweep, by the community's
  policy) and ``hours_queue`` (the secretary's queue).

Completing a wish itself is a move of the state machine (``services.complete_wish``), which
checks its hours here. ``wishes.services`` re-exports the public names, so
``wishes.confirm_hours`` and the other ``wishes.<name>`` callers keep working.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from wishboard.access import completed_claim, confirm_hours_refusal, ensure_can_manage_community
from wishboard.accounts.models import User
from wishboard.audit import services as audit
from wishboard.core.clock import day_start, hours_words, local_day, utcnow
from wishboard.errors import ConflictError, ValidationFailedError
from wishboard.extensions import db
from wishboard.notifications.services import notify
from wishboard.places.models import Community
from wishboard.points import services as points
from wishboard.projects.models import LogStatus, ServiceLog
from wishboard.wishes.models import Claim, ClaimStatus, HoursStatus, Wish
from wishboard.wishes.records import flag_frequent_releases, get_wish, record_event


def hours_cap(community: Community, claimed_at: datetime, now: datetime) -> tuple[int, int]:
    """(the most hours a claim may carry, the calendar days it spans): the community's
    hours per day times the days from the claim's day to today, in local dates."""
    days = (local_day(now) - local_day(claimed_at)).days + 1
    return community.max_hours_per_day * max(days, 1), max(days, 1)


MAX_STATED_HOURS = Decimal("1000")  # what any one statement may say; the caps are lower


def hours_given(hours: Decimal | float, *, least: Decimal = Decimal("0.1")) -> Decimal:
    """Hours as stated, to a tenth of an hour; fewer than ``least`` is refused (400 on
    ``hours``), whoever calls: the forms check too, the CLI and scripts may not."""
    value = Decimal(str(hours))
    if not value.is_finite() or not least <= value <= MAX_STATED_HOURS:
        raise ValidationFailedError(fields={"hours": [
            f"请填写{least}到{MAX_STATED_HOURS}之间的小时数"]})
    return value.quantize(Decimal("0.1"))


def stated_hours(user_id: int, first_day: date, last_day: date) -> Decimal:
    """The hours one person has stated for the local days ``first_day``..``last_day``:
    completions reported in those days and service logs for them (rejected ones aside).
    The caller holds the person's row lock (``lock_person``)."""
    start, end = day_start(first_day), day_start(last_day + timedelta(days=1))
    completed = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(Claim.hours), 0)).where(
        Claim.volunteer_id == user_id, Claim.status == ClaimStatus.COMPLETED,
        Claim.ended_at >= start, Claim.ended_at < end))
    logged = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(ServiceLog.hours), 0))
                               .where(ServiceLog.user_id == user_id,
                                      ServiceLog.served_on >= first_day,
                                      ServiceLog.served_on <= last_day,
                                      ServiceLog.status != LogStatus.REJECTED))
    return Decimal(completed) + Decimal(logged)


def within_daily_cap(user_id: int, hours: Decimal, community: Community, first_day: date,
                     last_day: date) -> None:
    """One daily cap for a person, whatever they state it in (completions, service logs)
    and whichever community the work was in: the hours stated for the days served
    ``first_day``..``last_day`` may not pass ``community.max_hours_per_day`` a day. Takes
    the person's lock first, so two statements sent at once cannot both slip under it;
    refuses with 400 on ``hours``."""
    days = (last_day - first_day).days + 1
    limit = Decimal(community.max_hours_per_day * days)
    lock_person(user_id)
    already = stated_hours(user_id, first_day, last_day)
    if already + hours <= limit:
        return
    db.session.rollback()
    left = hours_words(max(limit - already, Decimal(0)))
    span = "这一天" if days == 1 else f"这{days}天"
    raise ValidationFailedError(
        f"每天最多填报{community.max_hours_per_day}小时",
        message_en=f"At most {community.max_hours_per_day} hours a day", code="too_many_hours",
        fields={"hours": [f"{span}您已填报{hours_words(already)}小时，每天最多"
                          f"{community.max_hours_per_day}小时，最多还能填{left}小时"]})


def lock_person(user_id: int) -> None:
    """Take one person's hour statements one at a time (a row lock on PostgreSQL, the write
    lock on SQLite), so two sent at once cannot both slip under a day's limit."""
    db.session.execute(sa.update(User).where(User.id == user_id).values(id=User.id)
                       .execution_options(synchronize_session=False))


def confirm_hours(actor: User, wish_id: int, *, hours: Decimal | float | None = None,
                  reason: str | None = None, now: datetime | None = None) -> Wish:
    """The person served confirms that the service took place, with the hours stated; the
    secretary confirms or adjusts them (with a reason), or with 0 hours and a reason records
    that no service took place (``apply_not_served``). Only a confirmation makes the
    completion and its hours earn."""
    now = now or utcnow()
    wish = get_wish(wish_id)
    claim = completed_claim(wish)
    if hours is not None:
        hours = hours_given(hours, least=Decimal(0))
    adjusting = hours is not None and claim is not None and claim.hours is not None and (
        hours != claim.hours)
    if (refusal := confirm_hours_refusal(actor, wish, claim, adjusting=adjusting,
                                         now=now)) is not None:
        raise refusal
    if adjusting:
        cap, _ = hours_cap(db.session.get(Community, wish.community_id), claim.claimed_at,
                           claim.ended_at or now)
        if hours > cap:
            raise ValidationFailedError(fields={"hours": [f"这次认领最多{cap}小时"]})
        if not reason:
            raise ValidationFailedError(fields={"reason": [
                "记为未实际服务时请写明原因" if hours == 0 else "调整时长时请写明原因"]})
    if adjusting and hours == 0:
        settled = apply_not_served(claim, wish, actor, reason, now)
    else:
        settled = apply_hours_confirmation(claim, wish, actor, now,
                                           hours=hours if adjusting else None,
                                           reason=reason if adjusting else None)
    if not settled:
        db.session.rollback()  # someone settled them a moment ago
        raise ConflictError("服务时长已经处理过了", message_en="The hours are already settled",
                            code="hours_already_settled")
    db.session.commit()
    return wish


def _settle(claim: Claim, actor: User | None, now: datetime, status: HoursStatus,
            hours: Decimal, reason: str | None) -> bool:
    """Move a claim's pending hours to ``status`` (a conditional UPDATE, so two decisions
    settle once). False if they were already settled."""
    moved = db.session.execute(
        sa.update(Claim).where(Claim.id == claim.id, Claim.hours_status == HoursStatus.PENDING)
        .values(hours_status=status, confirmed_hours=hours, hours_confirmed_at=now,
                hours_confirmed_by_id=actor.id if actor else None, hours_adjust_reason=reason)
        .execution_options(synchronize_session=False)).rowcount == 1
    if moved:
        db.session.refresh(claim)
    return moved


def apply_hours_confirmation(claim: Claim, wish: Wish, actor: User | None, now: datetime, *,
                             hours: Decimal | None = None, reason: str | None = None,
                             status: HoursStatus = HoursStatus.CONFIRMED) -> bool:
    """Settle a claim's pending completion: confirmed, it books the completion's points
    and its hours'; lapsed (nobody confirmed, and the community lets such work go unpaid),
    neither. The caller commits; False if already settled."""
    final = claim.hours if hours is None else hours
    if not _settle(claim, actor, now, status,
                   final if status is HoursStatus.CONFIRMED else Decimal("0"), reason):
        return False
    if status is HoursStatus.CONFIRMED:
        points.award_completion(claim, wish, now)
        points.award_hours(claim, wish, now)
    action = {HoursStatus.CONFIRMED: "hours_adjusted" if reason else "hours_confirmed",
              HoursStatus.LAPSED: "hours_settled"}[status]
    audit.record(action, actor=actor, object_type="claim", object_id=claim.id,
                 community_id=wish.community_id,
                 before={"hours": float(claim.hours or 0)},
                 after={"hours": float(claim.confirmed_hours or 0), "status": status.value,
                        "reason": reason, "wish_id": wish.id}, now=now)
    if status is HoursStatus.CONFIRMED:
        text = (f"您在「{wish.title}」的服务已确认，时长{hours_words(claim.confirmed_hours)}小时"
                + (f"（社区调整：{reason}）" if reason else "") + "，完成和时长已计入积分。")
    else:
        text = f"您在「{wish.title}」的服务在评价期内无人确认，按社区规定完成和时长不计积分。"
    notify([claim.volunteer_id], "hours_confirmed", text, wish_id=wish.id, now=now)
    return True


NOT_SERVED_EVENT = "not_served"


def was_not_served(wish: Wish) -> bool:
    """Whether the staff found that the wish's completed claim was never served."""
    claim = completed_claim(wish)
    return claim is not None and claim.hours_status is HoursStatus.NOT_SERVED


def apply_not_served(claim: Claim, wish: Wish, actor: User, reason: str, now: datetime
                     ) -> bool:
    """The community's staff record that no service took place (未实际服务): the pending
    completion earns nothing, the claim's points are taken back (and, for a completion
    paid before completions waited for a confirmation, its points too), the volunteer is
    told, and it counts toward the release flag (``release_counts``). The caller commits;
    False if already settled."""
    if not _settle(claim, actor, now, HoursStatus.NOT_SERVED, Decimal("0"), reason):
        return False
    why = f"社区核实未实际服务：{reason}"
    points.reverse_many([(f"claim:{claim.id}", f"认领「{wish.title}」{why}"),
                         (f"completion:{claim.id}", f"完成「{wish.title}」{why}"),
                         (f"completion:{claim.id}:hours", f"「{wish.title}」的时长{why}")], now)
    record_event(wish, actor, NOT_SERVED_EVENT, note=reason, now=now)
    audit.record("service_not_served", actor=actor, object_type="claim", object_id=claim.id,
                 community_id=wish.community_id, before={"hours": float(claim.hours or 0)},
                 after={"hours": 0, "status": HoursStatus.NOT_SERVED.value, "reason": reason,
                        "wish_id": wish.id}, now=now)
    notify([claim.volunteer_id], "hours_confirmed",
           f"社区核实您在「{wish.title}」没有实际服务（{reason}），这次认领和完成不计积分，"
           "已计的认领积分已扣回。如有疑问，请联系社区。", wish_id=wish.id, now=now)
    flag_frequent_releases(claim.volunteer_id, wish.community_id, now)
    return True


def settle_unconfirmed_hours(now: datetime, *, batch_size: int = 500) -> int:
    """Hours nobody confirmed by the end of the rating window (however the wish was closed)
    follow the community's policy: ``queue`` leaves them for the secretary, ``confirm``
    counts them as stated, ``lapse`` lets them go unpaid. Commits per community batch;
    returns how many were settled."""
    settled = 0
    for community in db.session.scalars(sa.select(Community).where(
            Community.unconfirmed_hours_policy != "queue")).all():
        status = (HoursStatus.CONFIRMED if community.unconfirmed_hours_policy == "confirm"
                  else HoursStatus.LAPSED)
        window_end = now - timedelta(days=community.rating_window_days)
        while True:
            rows = db.session.execute(
                sa.select(Claim, Wish).join(Wish, Wish.id == Claim.wish_id)
                .where(Wish.community_id == community.id,
                       Claim.hours_status == HoursStatus.PENDING,
                       Claim.ended_at <= window_end)
                .order_by(Claim.id).limit(batch_size)).all()
            if not rows:
                break
            for claim, wish in rows:
                settled += apply_hours_confirmation(claim, wish, None, now, status=status)
            db.session.commit()
    return settled


def hours_queue(actor: User, community_id: int, *, limit: int = 200) -> list[Claim]:
    """The secretary's queue: completed claims whose hours wait for confirmation."""
    ensure_can_manage_community(actor, community_id)
    return list(db.session.scalars(
        sa.select(Claim).join(Wish, Wish.id == Claim.wish_id)
        .where(Wish.community_id == community_id, Claim.status == ClaimStatus.COMPLETED,
               Claim.hours_status == HoursStatus.PENDING)
        .options(joinedload(Claim.wish), joinedload(Claim.volunteer))
        .order_by(Claim.ended_at, Claim.id).limit(limit)))
