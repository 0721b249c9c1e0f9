"""Activities with sign-up, waiting list and check-in (活动参与)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wishboard.accounts.models import User
from wishboard.core.clock import utcnow
from wishboard.core.db import LabelledEnum, UTCDateTime, enum_column_type
from wishboard.extensions import db
from wishboard.places.models import Category, Community, Organization


class Audience(LabelledEnum):
    """Who an activity is for."""

    VOLUNTEERS = "volunteers", "志愿者"
    RESIDENTS = "residents", "居民"
    ALL = "all", "所有人"


class ActivityStatus(LabelledEnum):
    """An activity takes sign-ups until it is over (archived by the sweep) or called off."""

    OPEN = "open", "报名中"
    ARCHIVED = "archived", "已结束"
    CANCELLED = "cancelled", "已取消"


class Activity(db.Model):
    """An event with a capacity: sign up before the deadline, check in on the day."""

    __tablename__ = "activities"
    __table_args__ = (
        sa.CheckConstraint("capacity > 0", name="capacity_positive"),
        sa.CheckConstraint("confirmed_count >= 0 AND confirmed_count <= capacity",
                           name="confirmed_within_capacity"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.Index("ix_activities_board", "community_id", "status", "starts_at", "id"),
        sa.Index("ix_activities_community_recent", "community_id", "starts_at", "id"),
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
    # Where to go, in the organiser's words ("社区党群服务中心二楼会议室").
    venue: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
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
    community: Mapped[Community] = relationship(foreign_keys=[community_id])
    grid: Mapped[Community | None] = relationship(foreign_keys=[grid_id])
    organizer: Mapped[User] = relationship()
    organization: Mapped[Organization | None] = relationship()


class SignupStatus(LabelledEnum):
    """One person's place at an activity: a seat, the waiting list, given back, or what
    happened on the day."""

    CONFIRMED = "confirmed", "已报名"
    WAITLISTED = "waitlisted", "候补"
    CANCELLED = "cancelled", "已取消"
    ATTENDED = "attended", "已签到"
    NO_SHOW = "no_show", "未到"


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
