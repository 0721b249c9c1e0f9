"""The in-app inbox: who hears of what. ``notify*`` only add rows; the use case commits."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from wishboard.audit import services as audit
from wishboard.access import ensure_can_manage_community
from wishboard.accounts.models import Role, User
from wishboard.core.clock import utcnow
from wishboard.core.db import page_of
from wishboard.errors import NotFoundError, ValidationFailedError
from wishboard.extensions import db
from wishboard.notifications.models import (Channel, ChannelKind, Delivery, DeliveryStatus,
                                              Notification, NotificationOptOut)


def notify(user_ids: Iterable[int | None], kind: str, text: str, *, wish_id: int | None = None,
           need_id: int | None = None, now: datetime | None = None) -> None:
    notes = [Notification(user_id=user_id, kind=kind, text=text[:300], wish_id=wish_id,
                          need_id=need_id, created_at=now or utcnow())
             for user_id in sorted({u for u in user_ids if u is not None})]
    db.session.add_all(notes)
    _queue_deliveries(notes)


def notify_each(messages: list[tuple[int, str, int | None]], kind: str, *,
                now: datetime | None = None) -> None:
    """Many different messages at once: (user_id, text, wish_id) each."""
    notes = [Notification(user_id=user_id, kind=kind, text=text[:300], wish_id=wish_id,
                          created_at=now or utcnow()) for user_id, text, wish_id in messages]
    db.session.add_all(notes)
    _queue_deliveries(notes)


def _queue_deliveries(notes: list[Notification]) -> None:
    """The outbox: each notification also goes to the active channels of its person's
    community, unless they keep that kind of message inside the app. Added to the caller's
    transaction, so it commits (or rolls back) with the change it reports. One query when
    no channel is set up."""
    if not notes:
        return
    user_ids = {note.user_id for note in notes}
    with db.session.no_autoflush:
        pairs = db.session.execute(
            sa.select(User.id, Channel.id)
            .join(Channel, sa.and_(Channel.community_id == User.community_id,
                                   Channel.is_active.is_(True)))
            .where(User.id.in_(user_ids))).all()
        if not pairs:
            return
        muted = set(db.session.execute(
            sa.select(NotificationOptOut.user_id, NotificationOptOut.kind)
            .where(NotificationOptOut.user_id.in_(user_ids))).all())
    channels_of: dict[int, list[int]] = {}
    for user_id, channel_id in pairs:
        channels_of.setdefault(user_id, []).append(channel_id)
    db.session.add_all(
        Delivery(notification=note, channel_id=channel_id, next_attempt_at=note.created_at,
                 status=DeliveryStatus.PENDING, attempts=0)
        for note in notes if (note.user_id, note.kind) not in muted
        for channel_id in channels_of.get(note.user_id, []))


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


# Outside channels ---------------------------------------------------------------------------

# What a person may keep inside the app, in plain words, by the kinds of message each covers.
# Security messages (a reset code made or used for their account) always go out.
MESSAGE_GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "progress": ("心愿、需求和认领有进展", (
        "wish_published", "wish_claimed", "wish_completed", "wish_rated", "wish_cancelled",
        "need_submitted", "need_rejected", "invited", "grid_contact_assigned",
        "invitation_lapsed", "invitee_invitation_expired")),
    "reminders": ("快到期、去评价等提醒", (
        "reminder_due", "reminder_expiry", "reminder_rating", "wishes_expired")),
    "hours": ("服务时长的确认", ("hours_confirmed", "service_confirmed", "service_rejected")),
    "activities": ("活动报名", ("signup_promoted",)),
    "reports": ("报到和加入组织的审核", (
        "report_decided", "organization_decided", "membership_requested",
        "membership_decided", "member_left", "member_removed")),
    "followed": ("关注的类别和网格有新心愿", ("wish_followed", "follow_digest")),
    "honours": ("年度评选和荣誉证书", ("honour_awarded", "honour_withdrawn",
                                   "nomination_withdrawn", "objection_answered")),
    "staff": ("给社区工作人员的提醒", ("volunteer_flagged", "invitation_declined",
                                   "invitation_expired", "organization_reported",
                                   "objection_raised", "publicity_ended_early",
                                   "nominee_name_hidden")),
}


def outside_groups(user: User) -> dict[str, bool]:
    """Each group of messages, and whether it also leaves the app for this person."""
    muted = set(db.session.scalars(sa.select(NotificationOptOut.kind)
                                   .where(NotificationOptOut.user_id == user.id)))
    return {group: not set(kinds) <= muted for group, (_, kinds) in MESSAGE_GROUPS.items()}


def set_outside_groups(user: User, *, muted: list[str]) -> dict[str, bool]:
    """Keep the ``muted`` groups inside the app; every other group goes out too."""
    unknown = [group for group in muted if group not in MESSAGE_GROUPS]
    if unknown:
        raise ValidationFailedError(fields={"muted": [f"不认识：{'、'.join(unknown)}"]})
    db.session.execute(sa.delete(NotificationOptOut)
                       .where(NotificationOptOut.user_id == user.id))
    db.session.add_all(NotificationOptOut(user_id=user.id, kind=kind)
                       for group in sorted(set(muted)) for kind in MESSAGE_GROUPS[group][1])
    db.session.commit()
    return outside_groups(user)


def list_channels(actor: User, community_id: int) -> list[Channel]:
    ensure_can_manage_community(actor, community_id)
    return list(db.session.scalars(sa.select(Channel).where(
        Channel.community_id == community_id).order_by(Channel.id)))


def create_channel(actor: User, *, community_id: int, name: str, url: str,
                   now: datetime | None = None) -> Channel:
    """A new webhook for the community's messages, with a fresh signing secret."""
    from wishboard.notifications.outbox import validate_webhook_url
    from wishboard.places.services import get_community

    community = get_community(community_id)
    ensure_can_manage_community(actor, community.id)
    if not community.is_community:
        raise ValidationFailedError(fields={"community_id": ["只有社区或村能设置消息推送"]})
    channel = Channel(community_id=community.id, kind=ChannelKind.WEBHOOK, name=name,
                      url=validate_webhook_url(url), secret=secrets.token_hex(32),
                      created_at=now or utcnow())
    db.session.add(channel)
    db.session.flush()
    audit.record("channel_created", actor=actor, object_type="channel", object_id=channel.id,
                 community_id=community.id, after={"name": name, "url": channel.url}, now=now)
    db.session.commit()
    return channel


def set_channel_active(actor: User, channel_id: int, active: bool, *,
                       now: datetime | None = None) -> Channel:
    channel = _my_channel(actor, channel_id)
    if channel.is_active != active:
        audit.record("channel_changed", actor=actor, object_type="channel",
                     object_id=channel.id, community_id=channel.community_id,
                     before={"is_active": channel.is_active}, after={"is_active": active},
                     now=now)
        channel.is_active = active
    db.session.commit()
    return channel


def retry_dead(actor: User, channel_id: int, *, now: datetime | None = None) -> int:
    """Send the channel's failed messages again from the start (after the bridge is fixed);
    how many."""
    channel = _my_channel(actor, channel_id)
    result = db.session.execute(
        sa.update(Delivery)
        .where(Delivery.channel_id == channel.id, Delivery.status == DeliveryStatus.DEAD)
        .values(status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now or utcnow()))
    if result.rowcount:
        audit.record("channel_retried", actor=actor, object_type="channel",
                     object_id=channel.id, community_id=channel.community_id,
                     after={"deliveries": result.rowcount}, now=now)
    db.session.commit()
    return result.rowcount


def list_deliveries(actor: User, community_id: int, *, status: str | None = None,
                    page: int = 1, per_page: int = 50) -> tuple[list[Delivery], int]:
    """The delivery log: the community's messages to its channels, newest first."""
    ensure_can_manage_community(actor, community_id)
    query = (sa.select(Delivery).join(Channel, Channel.id == Delivery.channel_id)
             .where(Channel.community_id == community_id)
             .options(joinedload(Delivery.notification).joinedload(Notification.user),
                      joinedload(Delivery.channel)))
    if status:
        query = query.where(Delivery.status == DeliveryStatus(status))
    return page_of(query, page, per_page, Delivery.id.desc())


def _my_channel(actor: User, channel_id: int) -> Channel:
    channel = db.session.get(Channel, channel_id)
    if channel is None:
        raise NotFoundError("没有这个推送渠道", message_en="No such channel")
    ensure_can_manage_community(actor, channel.community_id)
    return channel
