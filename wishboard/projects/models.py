"""Service projects with many hands: the members who joined and their service logs."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wishboard.accounts.models import User
from wishboard.core.clock import utcnow
from wishboard.core.db import LabelledEnum, UTCDateTime, enum_column_type
from wishboard.extensions import db


class ProjectMember(db.Model):
    """A member of the claiming organisation who joined a service project."""

    __tablename__ = "project_members"
    __table_args__ = (sa.UniqueConstraint("wish_id", "user_id", name="uq_project_members"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    wish_id: Mapped[int] = mapped_column(sa.ForeignKey("wishes.id", ondelete="CASCADE"),
                                         index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship()


class LogStatus(LabelledEnum):
    """Where a member's service log stands: waiting for the secretary or the organisation's
    contact, or decided."""

    PENDING = "pending", "待确认"
    CONFIRMED = "confirmed", "已确认"
    REJECTED = "rejected", "未通过"


class ServiceLog(db.Model):
    """Service a project member gave on a day; counts once confirmed."""

    __tablename__ = "service_logs"
    __table_args__ = (
        sa.CheckConstraint("hours > 0 AND hours <= 24", name="hours_range"),
        sa.Index("ix_service_logs_wish_status", "wish_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    wish_id: Mapped[int] = mapped_column(sa.ForeignKey("wishes.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    served_on: Mapped[date] = mapped_column(sa.Date)
    hours: Mapped[Decimal] = mapped_column(sa.Numeric(4, 1))
    note: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    status: Mapped[LogStatus] = mapped_column(enum_column_type(LogStatus, "log_status"),
                                              default=LogStatus.PENDING)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reject_reason: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
