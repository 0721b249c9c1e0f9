"""The in-app inbox, and the outbox that carries its messages to outside channels."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wishboard.core.clock import utcnow
from wishboard.core.db import UTCDateTime
from wishboard.extensions import db


class Notification(db.Model):
    """The in-app inbox."""

    __tablename__ = "notifications"
    __table_args__ = (
        # The unread count and the unread list; the whole inbox newest first.
        sa.Index("ix_notifications_inbox", "user_id", "read_at", "id"),
        sa.Index("ix_notifications_user", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    wish_id: Mapped[int | None] = mapped_column(sa.ForeignKey("wishes.id", ondelete="CASCADE"))
    need_id: Mapped[int | None] = mapped_column(sa.ForeignKey("needs.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(30))
    text: Mapped[str] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped["User"] = relationship()  # noqa: F821 (accounts.models)


class ChannelKind(str, enum.Enum):
    """Where a community's messages go besides the inbox. A webhook is the one bridge the
    site speaks: a WeChat service account, an SMS gateway or a mail relay listens there."""

    WEBHOOK = "webhook"

    @property
    def label(self) -> str:
        return {"webhook": "消息推送接口（Webhook）"}[self.value]


class Channel(db.Model):
    """A community's outside channel: every notification to one of its people is also queued
    for it (``Delivery``), unless that person turned that kind of message off."""

    __tablename__ = "channels"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        sa.ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ChannelKind] = mapped_column(
        sa.Enum(ChannelKind, values_callable=lambda e: [m.value for m in e],
                native_enum=False, length=20, validate_strings=True))
    name: Mapped[str] = mapped_column(sa.String(60))
    url: Mapped[str] = mapped_column(sa.String(500))
    # The key the receiver checks each message's HMAC-SHA256 signature with.
    secret: Mapped[str] = mapped_column(sa.String(64))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class DeliveryStatus(str, enum.Enum):
    PENDING = "pending"      # waiting for its first try, or for its next retry
    DELIVERED = "delivered"
    DEAD = "dead"            # gave up after the last try: the secretary reads why

    @property
    def label(self) -> str:
        return {"pending": "等待发送", "delivered": "已送达", "dead": "发送失败"}[self.value]


class Delivery(db.Model):
    """The outbox: one notification on its way to one channel. Written in the same
    transaction as the notification (so no message for a change that was rolled back, and
    no change without its message); sent later by the delivery job, with retries."""

    __tablename__ = "deliveries"
    __table_args__ = (
        sa.UniqueConstraint("notification_id", "channel_id",
                            name="uq_deliveries_notification_channel"),
        # The delivery job's question: what is due now?
        sa.Index("ix_deliveries_due", "status", "next_attempt_at", "id"),
        # The delivery log: a channel's messages, newest first.
        sa.Index("ix_deliveries_channel", "channel_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(
        sa.ForeignKey("notifications.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(sa.ForeignKey("channels.id", ondelete="CASCADE"))
    status: Mapped[DeliveryStatus] = mapped_column(
        sa.Enum(DeliveryStatus, values_callable=lambda e: [m.value for m in e],
                native_enum=False, length=20, validate_strings=True),
        default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    notification: Mapped[Notification] = relationship()
    channel: Mapped[Channel] = relationship()


class NotificationOptOut(db.Model):
    """A kind of message a person does not want outside the app (it still reaches their
    inbox)."""

    __tablename__ = "notification_optouts"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(30), primary_key=True)
