"""Needs (需求征集): what a resident asked for, before a secretary publishes it."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wishboard.accounts.models import Role, User
from wishboard.core.clock import utcnow
from wishboard.core.db import LabelledEnum, UTCDateTime, enum_column_type
from wishboard.extensions import db
from wishboard.places.models import Category, Community


class NeedStatus(LabelledEnum):
    """What the secretary did with a need: not yet, published as a wish, merged into one, or
    declined with a reason."""

    NEW = "new", "待处理"
    PUBLISHED = "published", "已发布"
    MERGED = "merged", "已合并发布"
    REJECTED = "rejected", "未采纳"


class Need(db.Model):
    """What a resident asked for (需求征集), or what a secretary recorded for them (代录)."""

    __tablename__ = "needs"
    __table_args__ = (
        # The secretary's queue, newest first: with its status filter and without.
        sa.Index("ix_needs_community_status", "community_id", "status", "created_at", "id"),
        sa.Index("ix_needs_community_recent", "community_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"))
    title: Mapped[str] = mapped_column(sa.String(60))
    description: Mapped[str] = mapped_column(sa.Text)
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("categories.id"))
    grid_id: Mapped[int | None] = mapped_column(sa.ForeignKey("communities.id"))
    # The person in need: an account when they have one; the name, phone and address always.
    resident_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    contact_name: Mapped[str] = mapped_column(sa.String(50))
    contact_phone: Mapped[str] = mapped_column(sa.String(20), default="", server_default="")
    address: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    submitted_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    on_behalf: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    status: Mapped[NeedStatus] = mapped_column(enum_column_type(NeedStatus, "need_status"),
                                               default=NeedStatus.NEW)
    reject_reason: Mapped[str | None] = mapped_column(sa.String(200))
    wish_id: Mapped[int | None] = mapped_column(sa.ForeignKey("wishes.id"), index=True)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    community: Mapped[Community] = relationship(foreign_keys=[community_id])
    grid: Mapped[Community | None] = relationship(foreign_keys=[grid_id])
    category: Mapped[Category | None] = relationship()
    resident: Mapped[User | None] = relationship(foreign_keys=[resident_id])
    submitted_by: Mapped[User] = relationship(foreign_keys=[submitted_by_id])

    @property
    def by_volunteer(self) -> bool:
        """The need of a volunteer who lives in the community (for themselves), rather than
        a resident's: the secretary's queue says so."""
        return self.resident is not None and self.resident.role is Role.VOLUNTEER
