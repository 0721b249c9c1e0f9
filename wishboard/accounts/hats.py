"""One person, two hats (切换身份): a community secretary who is also a volunteer where
they live.

The volunteer hat is an account of its own in the other community (``AccountLink``), so
every volunteer rule applies to it as to anyone: its 报到 waits for that community's
secretary, it claims only there, it earns on that community's boards. It has no password
and cannot log in by itself: the person logs in as themselves and switches, and their
sessions and tokens end together (``linked_ids``, used by ``accounts.services``).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from wishboard.access import volunteer_hat_refusal
from wishboard.accounts.models import (
    NO_PASSWORD, AccountLink, ReportStatus, Role, User, VolunteerType,
)
from wishboard.audit import services as audit
from wishboard.core.clock import utcnow
from wishboard.core.db import flush_or_conflict
from wishboard.errors import ConflictError, ForbiddenError
from wishboard.extensions import db
from wishboard.places.models import Community

def linked_ids(user_id: int) -> list[int]:
    """The person's other hats: their volunteer hat if ``user_id`` is the account they log
    in with, that account if ``user_id`` is the hat."""
    rows = db.session.execute(sa.select(AccountLink.owner_id, AccountLink.persona_id).where(
        sa.or_(AccountLink.owner_id == user_id, AccountLink.persona_id == user_id))).all()
    return sorted({i for row in rows for i in row} - {user_id})


def hats_of(user: User) -> list[User]:
    """Every hat of the person wearing ``user`` now, ``user`` first."""
    others = linked_ids(user.id)
    if not others:
        return [user]
    return [user, *db.session.scalars(sa.select(User).where(User.id.in_(others))
                                      .order_by(User.id))]


def is_hat(user_id: int) -> bool:
    """Whether this account is a volunteer hat (it has no password of its own)."""
    return db.session.scalar(sa.select(AccountLink.owner_id).where(
        AccountLink.persona_id == user_id)) is not None


def persona_ids() -> sa.Select:
    """Every volunteer hat's id, for queries that look for people by what they log in with."""
    return sa.select(AccountLink.persona_id)


def add_volunteer_hat(owner: User, *, community_id: int, volunteer_type: str,
                      now: datetime | None = None) -> User:
    """A secretary reports as a volunteer in the community where they live. The hat takes
    their name and phone; its 报到 waits for that community's secretary unless the
    community approves automatically."""
    now = now or utcnow()
    community = db.session.get(Community, community_id)
    refusal = volunteer_hat_refusal(owner, community)
    if refusal is not None:
        raise refusal
    if linked_ids(owner.id):
        raise ConflictError("您已经有志愿者身份了", message_en="You already volunteer elsewhere",
                            code="already_volunteer_elsewhere")
    approved = community.auto_approve_reports
    hat = User(username=f"{owner.username[:37]}+v", password_hash=NO_PASSWORD, name=owner.name,
               phone=owner.phone, role=Role.VOLUNTEER, community_id=community.id,
               volunteer_type=VolunteerType(volunteer_type),
               report_status=ReportStatus.APPROVED if approved else ReportStatus.PENDING,
               report_reviewed_at=now if approved else None, created_at=now)
    db.session.add(hat)
    conflict = ConflictError("您已经有志愿者身份了", message_en="You already volunteer elsewhere",
                             code="already_volunteer_elsewhere")
    flush_or_conflict(conflict)
    db.session.add(AccountLink(persona_id=hat.id, owner_id=owner.id, created_at=now))
    audit.record("volunteer_hat_added", actor=owner, object_type="user", object_id=hat.id,
                 community_id=community.id,
                 after={"owner_id": owner.id, "volunteer_type": hat.volunteer_type.value,
                        "report_status": hat.report_status.value}, now=now)
    flush_or_conflict(conflict, commit=True)
    return hat


def switch_to(user: User, target_id: int, *, password: str | None = None) -> User:
    """The hat ``user`` switches to: one of their own, and active. Back to the account the
    person logs in with (a secretary's) takes its password again: a volunteer hat left
    open on a shared phone, or its token in a volunteer's app, never opens the community's
    management by itself."""
    if target_id not in linked_ids(user.id):
        raise ForbiddenError("只能切换到您自己的身份", message_en="Not one of your hats",
                             code="not_your_hat")
    target = db.session.get(User, target_id)
    if target is None or not target.is_active:
        raise ForbiddenError("这个身份已停用", message_en="That hat is no longer active",
                             code="hat_inactive")
    if target.has_own_password:
        from wishboard.accounts.services import confirm_own_password

        confirm_own_password(target, password or "")
    audit.record("hat_switched", actor=user, object_type="user", object_id=target.id,
                 community_id=target.community_id, after={"from": user.id})
    db.session.commit()
    return target
