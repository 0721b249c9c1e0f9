"""The in-app inbox."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

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
