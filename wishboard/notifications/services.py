"""The in-app inbox: who hears of what. ``notify*`` only add rows; the use case commits."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa

from wishboard.accounts.models import Role, User
from wishboard.core.clock import utcnow
from wishboard.core.db import page_of
from wishboard.errors import NotFoundError
from wishboard.extensions import db
from wishboard.notifications.models import Notification


def notify(user_ids: Iterable[int | None], kind: str, text: str, *, wish_id: int | None = None,
           need_id: int | None = None, now: datetime | None = None) -> None:
    for user_id in sorted({u for u in user_ids if u is not None}):
        db.session.add(Notification(user_id=user_id, kind=kind, text=text[:300],
                                    wish_id=wish_id, need_id=need_id,
                                    created_at=now or utcnow()))


def notify_each(messages: list[tuple[int, str, int | None]], kind: str, *,
                now: datetime | None = None) -> None:
    """Many different messages at once: (user_id, text, wish_id) each; one statement."""
    if messages:
        db.session.execute(sa.insert(Notification), [
            dict(user_id=user_id, kind=kind, text=text[:300], wish_id=wish_id,
                 created_at=now or utcnow()) for user_id, text, wish_id in messages])


def secretary_ids(community_id: int) -> list[int]:
    return list(db.session.scalars(sa.select(User.id).where(
        User.role == Role.SECRETARY, User.community_id == community_id,
        User.is_active.is_(True))))


def unread_count_of(user_id) -> sa.ScalarSelect:
    """How many of ``user_id``'s notifications are unread, as a column to select beside
    them."""
    return (sa.select(sa.func.count()).select_from(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
            .scalar_subquery())


def unread_count(user: User) -> int:
    return db.session.scalar(sa.select(unread_count_of(user.id)))


def list_notifications(user: User, *, unread_only: bool = False, page: int = 1,
                       per_page: int = 20) -> tuple[list[Notification], int]:
    query = sa.select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return page_of(query, page, per_page, Notification.id.desc())


def mark_read(user: User, notification_ids: list[int] | None = None, *,
              now: datetime | None = None) -> int:
    """Mark some (or, with None, all) of the user's notifications read; returns how many."""
    query = sa.update(Notification).where(Notification.user_id == user.id,
                                          Notification.read_at.is_(None))
    if notification_ids is not None:
        query = query.where(Notification.id.in_(notification_ids))
    result = db.session.execute(query.values(read_at=now or utcnow()))
    db.session.commit()
    return result.rowcount


def open_notification(user: User, notification_id: int) -> Notification:
    """Mark one notification read and hand it back (to follow its link)."""
    note = db.session.get(Notification, notification_id)
    if note is None or note.user_id != user.id:
        raise NotFoundError("没有这条消息", message_en="No such notification")
    if note.read_at is None:
        note.read_at = utcnow()
        db.session.commit()
    return note
