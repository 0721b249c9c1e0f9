"""The stale-work policy, in one place. Each community sets its own numbers (Community
``open_wish_max_age_days``, ``rating_window_days`` and the reminder leads); the rules are:

- an open wish past its ``expires_at`` (or, without one, older than the community's
  maximum age) becomes ``expired``; the secretary is reminded some days before;
- a claimed wish past its ``due_at`` goes back to ``open``: the claim is released with
  reason 逾期, its points reversed, the claimant told; the claimant is reminded before;
- a completed wish that has waited longer than the rating window is ``closed``; the people
  served who have not rated are reminded before;
- a completion and its hours nobody confirmed within the rating window follow the
  community's ``unconfirmed_hours_policy`` (``queue``, the default: wait for the secretary;
  ``confirm``: count as stated; ``lapse``: earn nothing);
- ratings by raters nobody checked count once they are checked, or, only where the
  community opted in, once their account is ``rating_trust_days`` old;
- points held for an unchecked volunteer whose 报到 has since been checked are booked
  (``points.release_held``: the approval books them; this catches one earned meanwhile);
- an invitation to claim a wish that nobody answered by its ``expires_at`` (the
  community's ``invitation_hours`` after it was sent) becomes ``expired``, and whoever
  invited, with the community's secretaries, is told once. (Invitations of a wish that
  left ``open`` ended with that change: the ``left_open`` hook, ``wishes/events.py``,
  which ``invitations.services`` listens to.)

A sweep selects only rows that are due (each rule has an index), works in batches of one
transaction each, changes every wish through the state machine's conditional UPDATE, and
books each reminder under a unique key. Running it twice changes nothing more; two sweeps
at once are kept apart by a lease in the database, and would still change each wish once.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from wishboard.activities import services as activities
from wishboard.activities.models import Activity, ActivityStatus
from wishboard.core.clock import date_words, deadline_words, utcnow
from wishboard.core.db import upsert
from wishboard.extensions import db
from wishboard.invitations import services as invitations
from wishboard.invitations.models import Invitation, InvitationStatus
from wishboard.jobs.models import JobLock, Reminder
from wishboard.notifications.services import notify, secretary_ids
from wishboard.places.models import Community, PlaceLevel
from wishboard.points import services as points
from wishboard.ratings import services as ratings
from wishboard.ratings.models import Rating
from wishboard.wishes import hours, records, services as wishes
from wishboard.wishes.models import Beneficiary, Wish, WishKind
from wishboard.wishes.states import WishState

log = logging.getLogger(__name__)

JOB = "sweep"
LEASE = timedelta(minutes=30)
OVERDUE_REASON = records.OVERDUE_REASON


@dataclass
class Due:
    """One thing the policy will do, and why."""

    rule: str  # expire | release | finish | close | remind_expiry | remind_due | remind_rating
    #            | expire_invitation
    wish_id: int
    community_id: int
    title: str
    why: str

    @property
    def label(self) -> str:
        """How the secretary's page says what will happen."""
        return {"expire": "将过期", "release": "将因逾期收回认领", "finish": "服务项目将到期结束",
                "close": "将自动结项", "expire_invitation": "邀请将过期"}.get(self.rule, "将提醒")


@dataclass
class SweepResult:
    changed: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)
    locked_out: bool = False

    def summary(self) -> str:
        if self.locked_out:
            return "another sweep is running; nothing done"
        done = ", ".join(f"{rule} {n}" for rule, n in sorted(self.changed.items())) or "nothing"
        skipped = ", ".join(f"{rule} {n}" for rule, n in sorted(self.skipped.items()))
        if skipped:
            return f"changed: {done}; skipped (changed meanwhile): {skipped}"
        return f"changed: {done}"


# What is due ----------------------------------------------------------------------------

def _communities() -> list[Community]:
    return list(db.session.scalars(sa.select(Community).where(
        Community.level.in_([PlaceLevel.COMMUNITY, PlaceLevel.VILLAGE]))))


def _batches(query, batch_size: int, key=Wish.id) -> Iterator[list[Wish]]:
    """Keyset pages of a wish query (or another, by its ``key``), by id, each read afresh
    (earlier batches committed)."""
    last_id = 0
    while True:
        batch = list(db.session.scalars(query.where(key > last_id).order_by(key)
                                        .limit(batch_size)).unique())
        if not batch:
            return
        yield batch
        last_id = batch[-1].id


def due_work(now: datetime, batch_size: int = 500) -> Iterator[tuple[str, list[Wish], str]]:
    """(rule, a batch of wishes, why) for everything the policy would do at ``now``."""
    # Releases first: a wish reopened here and also past its expiry expires in this run.
    yield from (("release", b, OVERDUE_REASON) for b in _batches(
        sa.select(Wish).where(Wish.state == WishState.CLAIMED, Wish.due_at <= now,
                              Wish.kind != WishKind.PROJECT), batch_size))
    yield from (("finish", b, "服务项目到期结束") for b in _batches(
        sa.select(Wish).where(Wish.state == WishState.CLAIMED, Wish.due_at <= now,
                              Wish.kind == WishKind.PROJECT), batch_size))
    yield from (("expire", b, "已过截止时间") for b in _batches(
        sa.select(Wish).where(Wish.state == WishState.OPEN, Wish.expires_at <= now),
        batch_size))
    for community in _communities():
        too_old = now - timedelta(days=community.open_wish_max_age_days)
        yield from (("expire", b, f"发布超过{community.open_wish_max_age_days}天无人认领")
                    for b in _batches(sa.select(Wish).where(
                        Wish.community_id == community.id, Wish.state == WishState.OPEN,
                        Wish.expires_at.is_(None), Wish.published_at <= too_old), batch_size))
        rated_until = now - timedelta(days=community.rating_window_days)
        yield from (("close", b, f"评价期{community.rating_window_days}天已满")
                    for b in _batches(sa.select(Wish).where(
                        Wish.community_id == community.id, Wish.state == WishState.COMPLETED,
                        Wish.completed_at <= rated_until), batch_size))


def due_invitations(now: datetime, batch_size: int = 500) -> Iterator[list[Invitation]]:
    """Live invitations whose time to answer is up, oldest first."""
    yield from _batches(
        sa.select(Invitation).where(Invitation.status == InvitationStatus.PENDING,
                                    Invitation.expires_at <= now)
        .options(joinedload(Invitation.wish), joinedload(Invitation.user),
                 joinedload(Invitation.organization)), batch_size, key=Invitation.id)


def _invitation_why(invitation: Invitation) -> str:
    return f"邀请{invitation.invitee_name}，{deadline_words(invitation.expires_at)}没有答复"


def due_reminders(now: datetime, batch_size: int = 500
                  ) -> Iterator[tuple[str, list[Wish], Community]]:
    for community in _communities():
        soon = now + timedelta(days=community.expiry_reminder_days)
        age_soon = soon - timedelta(days=community.open_wish_max_age_days)
        yield from (("remind_expiry", b, community) for b in _batches(
            sa.select(Wish).where(
                Wish.community_id == community.id, Wish.state == WishState.OPEN,
                sa.or_(sa.and_(Wish.expires_at > now, Wish.expires_at <= soon),
                       sa.and_(Wish.expires_at.is_(None), Wish.published_at <= age_soon))),
            batch_size))
        yield from (("remind_due", b, community) for b in _batches(
            sa.select(Wish).where(
                Wish.community_id == community.id, Wish.state == WishState.CLAIMED,
                Wish.due_at > now,
                Wish.due_at <= now + timedelta(days=community.due_reminder_days)),
            batch_size))
        window = community.rating_window_days - community.rating_reminder_days
        yield from (("remind_rating", b, community) for b in _batches(
            sa.select(Wish).where(
                Wish.community_id == community.id, Wish.state == WishState.COMPLETED,
                Wish.completed_at <= now - timedelta(days=max(window, 0))),
            batch_size))


def plan(now: datetime | None = None) -> list[Due]:
    """What a sweep at ``now`` would change, and why (``flask wishboard sweep --dry-run``).
    Reminders already sent are left out."""
    now = now or utcnow()
    found: list[Due] = []
    for rule, batch, why in due_work(now):
        found += [Due(rule, w.id, w.community_id, w.title, why) for w in batch]
    for batch in due_invitations(now):
        found += [Due("expire_invitation", i.wish_id, i.wish.community_id, i.wish.title,
                      _invitation_why(i)) for i in batch]
    for rule, batch, community in due_reminders(now):
        for wish in batch:
            if not _reminded(_reminder_key(rule, wish)):
                found.append(Due(rule, wish.id, wish.community_id, wish.title,
                                 _reminder_why(rule, wish, community)))
    return found


def upcoming(community_id: int, *, now: datetime | None = None, days: int = 7) -> list[Due]:
    """For the secretary's board: what will expire, be released or closed within ``days``."""
    return [d for d in plan((now or utcnow()) + timedelta(days=days))
            if d.community_id == community_id
            and d.rule in ("expire", "release", "finish", "close")]


# Doing it -------------------------------------------------------------------------------

def _reminder_key(rule: str, wish: Wish) -> str:
    deadline = {"remind_expiry": wish.expires_at or wish.published_at,
                "remind_due": wish.due_at, "remind_rating": wish.completed_at}[rule]
    return f"{rule}:{wish.id}:{deadline.isoformat() if deadline else '-'}"


def _reminded(key: str) -> bool:
    return db.session.scalar(sa.select(Reminder.id).where(Reminder.key == key)) is not None


def _reminder_why(rule: str, wish: Wish, community: Community) -> str:
    if rule == "remind_expiry":
        deadline = wish.expires_at or (wish.published_at
                                       + timedelta(days=community.open_wish_max_age_days))
        return f"将于{date_words(deadline)}过期"
    if rule == "remind_due":
        return f"承诺{date_words(wish.due_at)}前完成"
    closes = wish.completed_at + timedelta(days=community.rating_window_days)
    return f"评价将于{date_words(closes)}截止"


def _send_reminder(rule: str, wish: Wish, community: Community, now: datetime) -> bool:
    """Book the reminder under its key; only the sweep that books it sends it."""
    booked = db.session.scalar(
        upsert(Reminder).values(key=_reminder_key(rule, wish), wish_id=wish.id, kind=rule,
                                created_at=now)
        .on_conflict_do_nothing(index_elements=["key"]).returning(Reminder.id))
    if booked is None:
        return False
    why = _reminder_why(rule, wish, community)
    if rule == "remind_expiry":
        notify(secretary_ids(wish.community_id), "reminder_expiry",
               f"心愿「{wish.title}」还没有人认领，{why}。", wish_id=wish.id, now=now)
    elif rule == "remind_due":
        notify([wish.claimant_id], "reminder_due",
               f"提醒：您认领的心愿「{wish.title}」{why}，如做不了请释放认领。",
               wish_id=wish.id, now=now)
    else:
        rated = set(db.session.scalars(sa.select(Rating.rater_id).where(
            Rating.wish_id == wish.id, Rating.rater_id.is_not(None))))
        people = db.session.scalars(sa.select(Beneficiary.user_id).where(
            Beneficiary.wish_id == wish.id, Beneficiary.user_id.is_not(None)))
        notify([p for p in people if p not in rated], "reminder_rating",
               f"心愿「{wish.title}」的服务已完成，{why}，请您去评价。", wish_id=wish.id,
               now=now)
    return True


def _apply(rule: str, batch: list[Wish], why: str, now: datetime) -> list[int]:
    ids = [wish.id for wish in batch]
    if rule == "expire":
        return wishes.expire_many(ids, why, now)
    if rule == "release":
        return wishes.release_many(ids, None, why, now)
    if rule == "finish":
        return wishes.finish_projects(ids, why, now)
    return wishes.close_many(ids, why, now)


def _tell_secretaries_of_expiries(expired: Counter, now: datetime) -> None:
    """One message per community and sweep, not one per wish."""
    for community_id, count in expired.items():
        notify(secretary_ids(community_id), "wishes_expired",
               f"有{count}个心愿长时间无人认领，已自动过期，可在“心愿”中查看。", now=now)


def _take_lease(holder: str, now: datetime) -> bool:
    db.session.execute(upsert(JobLock).values(name=JOB).on_conflict_do_nothing(
        index_elements=["name"]))
    taken = db.session.execute(
        sa.update(JobLock).where(JobLock.name == JOB, sa.or_(
            JobLock.expires_at.is_(None), JobLock.expires_at <= now, JobLock.holder == holder))
        .values(holder=holder, expires_at=now + LEASE)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return taken.rowcount == 1


def _release_lease(holder: str, now: datetime, summary: str) -> None:
    db.session.execute(
        sa.update(JobLock).where(JobLock.name == JOB, JobLock.holder == holder)
        .values(holder=None, expires_at=None, last_run_at=now, last_summary=summary[:500])
        .execution_options(synchronize_session=False))
    db.session.commit()


def run_sweep(now: datetime | None = None, *, batch_size: int = 500,
              holder: str | None = None) -> SweepResult:
    """Apply the policy once, as of ``now``: each batch of wishes is one transaction."""
    now = now or utcnow()
    holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    result = SweepResult()
    if not _take_lease(holder, now):
        result.locked_out = True
        log.info("sweep skipped: another sweep holds the lease")
        return result
    try:
        expired = Counter()
        for rule, batch, why in due_work(now, batch_size):
            moved = set(_apply(rule, batch, why, now))  # the rest moved since we read them
            result.changed[rule] += len(moved)
            if len(batch) > len(moved):
                result.skipped[rule] += len(batch) - len(moved)
            if rule == "expire":
                expired.update(w.community_id for w in batch if w.id in moved)
            db.session.commit()
        _tell_secretaries_of_expiries(expired, now)
        db.session.commit()
        # After the wishes: those that expired above took their invitations with them.
        for batch in due_invitations(now, batch_size):
            moved = invitations.expire_many([i.id for i in batch], now)
            result.changed["expire_invitation"] += len(moved)
            if len(batch) > len(moved):
                result.skipped["expire_invitation"] += len(batch) - len(moved)
            db.session.commit()
        while True:  # finished activities are archived, no-shows recorded
            ended = list(db.session.scalars(
                sa.select(Activity.id).where(Activity.status == ActivityStatus.OPEN,
                                             Activity.ends_at <= now)
                .order_by(Activity.id).limit(batch_size)))
            if not ended:
                break
            result.changed["archive"] += len(activities.archive_many(ended, now))
            db.session.commit()
        for rule, batch, community in due_reminders(now, batch_size):
            for wish in batch:
                if _send_reminder(rule, wish, community, now):
                    result.changed[rule] += 1
            db.session.commit()
        # Ratings of residents who have now waited out the community's period earn.
        counted = ratings.count_waiting_ratings(now)
        if counted:
            result.changed["count_ratings"] += counted
        db.session.commit()
        # Hours nobody confirmed within the rating window follow the community's policy.
        settled = hours.settle_unconfirmed_hours(now, batch_size=batch_size)
        if settled:
            result.changed["settle_hours"] += settled
        # Points held for a volunteer whose 报到 was checked while they were being earned.
        released = points.release_held(None, now)
        if released:
            result.changed["release_held"] += released
        db.session.commit()
    except Exception:
        db.session.rollback()
        _release_lease(holder, now, "failed")
        raise
    _release_lease(holder, now, result.summary())
    log.info("sweep at %s: %s", now.isoformat(), result.summary())
    return result
