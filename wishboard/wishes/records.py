"""What every wish module stands on: fetching a wish, a line of its timeline, and a
volunteer's record of claims given up (the release flag).

``services.py`` (the moves), ``hours.py`` (the hours policy) and ``board.py`` (reading) all
import from here; nothing here imports them. ``services.py`` re-exports these names.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import sqlalchemy as sa

from wishboard.accounts.models import User
from wishboard.audit import services as audit
from wishboard.core.clock import utcnow
from wishboard.errors import NotFoundError
from wishboard.extensions import db
from wishboard.notifications.services import notify, secretary_ids
from wishboard.places.models import Community
from wishboard.wishes.models import Claim, ClaimStatus, HoursStatus, Wish, WishEvent


def get_wish(wish_id: int) -> Wish:
    wish = db.session.get(Wish, wish_id)
    if wish is None:
        raise NotFoundError("没有这个心愿", message_en="No such wish")
    return wish


def record_event(wish: Wish, actor: User | None, action: str, *, from_state=None,
                 to_state=None, note: str = "", on_behalf: bool = False, is_public: bool = True,
                 now: datetime | None = None) -> WishEvent:
    """A line of the wish's timeline. ``is_public`` False keeps its note (a need's own
    words) for the community's staff and the people served."""
    event = WishEvent(wish_id=wish.id, actor_id=actor.id if actor else None, action=action,
                      from_state=from_state.value if from_state else None,
                      to_state=to_state.value if to_state else None, note=note[:500],
                      on_behalf=on_behalf, is_public=is_public, created_at=now or utcnow())
    db.session.add(event)
    return event


def beneficiary_user_ids(wish: Wish) -> list[int]:
    return [b.user_id for b in wish.beneficiaries if b.user_id]


RELEASE_WINDOW = timedelta(days=30)
OVERDUE_REASON = "逾期"


def flag_frequent_releases(volunteer_id: int, community_id: int, now: datetime) -> None:
    """A volunteer who gives back more claims than the community allows in 30 days (and so
    may be collecting the private details of the people served) is flagged to the
    secretary, once per release past the limit."""
    community = db.session.get(Community, community_id)
    released = release_counts([volunteer_id], now=now).get(volunteer_id, 0)
    if released <= community.release_flag_count:
        return
    volunteer = db.session.get(User, volunteer_id)
    audit.record("volunteer_flagged", actor=None, object_type="user", object_id=volunteer_id,
                 community_id=community_id,
                 after={"released_in_30_days": released, "limit": community.release_flag_count},
                 now=now)
    notify(secretary_ids(community_id), "volunteer_flagged",
           f"志愿者{volunteer.name}30天内已有{released}次认领没有做成（释放、逾期或核实未实际服务；"
           f"社区设定提醒线为{community.release_flag_count}次），请留意。", now=now)


def release_counts(volunteer_ids: list[int], *, now: datetime | None = None) -> dict[int, int]:
    """How many claims each volunteer gave up in the last 30 days: those they released
    themselves, those they let run past the promised date, and those the staff found were
    never served (a secretary's taking a claim back is not counted against them)."""
    if not volunteer_ids:
        return {}
    now = now or utcnow()
    since = now - RELEASE_WINDOW
    counts = Counter(dict(db.session.execute(
        sa.select(WishEvent.actor_id, sa.func.count()).where(
            WishEvent.actor_id.in_(volunteer_ids), WishEvent.action == "released",
            WishEvent.created_at >= since).group_by(WishEvent.actor_id)).all()))
    counts.update(dict(db.session.execute(
        sa.select(Claim.volunteer_id, sa.func.count()).where(
            Claim.volunteer_id.in_(volunteer_ids), Claim.status == ClaimStatus.RELEASED,
            Claim.end_reason == OVERDUE_REASON, Claim.ended_at >= since)
        .group_by(Claim.volunteer_id)).all()))
    counts.update(dict(db.session.execute(
        sa.select(Claim.volunteer_id, sa.func.count()).where(
            Claim.volunteer_id.in_(volunteer_ids),
            Claim.hours_status == HoursStatus.NOT_SERVED, Claim.hours_confirmed_at >= since)
        .group_by(Claim.volunteer_id)).all()))
    return dict(counts)
