"""Service projects with many hands (members and their service logs) and activities with
sign-up, waiting list and check-in (活动参与)."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wishboard.extensions import db
from wishboard.models.base import UTCDateTime, enum_column_type, utcnow
from wishboard.models.places import Category, Community, Organization
from wishboard.models.users import User


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


class LogStatus(str, enum.Enum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return {"pending": "待确认", "confirmed": "已确认", "rejected": "未通过"}[self.value]


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


class Audience(str, enum.Enum):
    VOLUNTEERS = "volunteers"
    RESIDENTS = "residents"
    ALL = "all"

    @property
    def label(self) -> str:
        return {"volunteers": "志愿者", "residents": "居民", "all": "所有人"}[self.value]


class ActivityStatus(str, enum.Enum):
    OPEN = "open"
    ARCHIVED = "archived"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {"open": "报名中", "archived": "已结束", "cancelled": "已取消"}[self.value]


class Activity(db.Model):
    """An event with a capacity: sign up before the deadline, check in on the day."""

    __tablename__ = "activities"
    __table_args__ = (
        sa.CheckConstraint("capacity > 0", name="capacity_positive"),
        sa.CheckConstraint("confirmed_count >= 0 AND confirmed_count <= capacity",
                           name="confirmed_within_capacity"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.Index("ix_activities_board", "community_id", "status", "starts_at"),
        sa.Index("ix_activities_status_ends", "status", "ends_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"))
    organizer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"))
    title: Mapped[str] = mapped_column(sa.String(60))
    description: Mapped[str] = mapped_column(sa.Text)
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("categories.id"))
    grid_id: Mapped[int | None] = mapped_column(sa.ForeignKey("communities.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    signup_deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    capacity: Mapped[int] = mapped_column()
    audience: Mapped[Audience] = mapped_column(enum_column_type(Audience, "audience"))
    status: Mapped[ActivityStatus] = mapped_column(
        enum_column_type(ActivityStatus, "activity_status"), default=ActivityStatus.OPEN)
    # Kept by conditional UPDATEs: the seats taken, and the last waiting-list number given.
    confirmed_count: Mapped[int] = mapped_column(default=0, server_default="0")
    waitlist_count: Mapped[int] = mapped_column(default=0, server_default="0")
    waitlist_seq: Mapped[int] = mapped_column(default=0, server_default="0")
    checkin_secret: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    category: Mapped[Category] = relationship()
    grid: Mapped[Community | None] = relationship(foreign_keys=[grid_id])
    organizer: Mapped[User] = relationship()
    organization: Mapped[Organization | None] = relationship()


class SignupStatus(str, enum.Enum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    ATTENDED = "attended"
    NO_SHOW = "no_show"

    @property
    def label(self) -> str:
        return {"confirmed": "已报名", "waitlisted": "候补", "cancelled": "已取消",
                "attended": "已签到", "no_show": "未到"}[self.value]


class Signup(db.Model):
    __tablename__ = "signups"
    __table_args__ = (
        sa.UniqueConstraint("activity_id", "user_id", name="uq_signups_person"),
        sa.Index("ix_signups_waiting", "activity_id", "status", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(sa.ForeignKey("activities.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    status: Mapped[SignupStatus] = mapped_column(enum_column_type(SignupStatus, "signup_status"))
    # The waiting-list number (given in arrival order); None for those who got a seat at once.
    position: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checked_in_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
