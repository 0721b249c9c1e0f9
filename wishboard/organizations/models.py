"""A person's request to join a reporting organisation, and what became of it.

Membership itself is ``User.organization_id`` (one organisation per person, as the boards
and the claims read it); a request is how one gets there: the organisation's contact
(联络员), or the secretary of the community it reports to, approves or turns it back."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wishboard.accounts.models import User
from wishboard.core.clock import utcnow
from wishboard.core.db import LabelledEnum, UTCDateTime, enum_column_type
from wishboard.extensions import db
from wishboard.places.models import Organization


class MembershipStatus(LabelledEnum):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已加入"
    REJECTED = "rejected", "未通过"
    WITHDRAWN = "withdrawn", "已撤回"


class MembershipRequest(db.Model):
    __tablename__ = "membership_requests"
    __table_args__ = (
        # One request waiting per person at a time.
        sa.Index("uq_membership_requests_pending_user", "user_id", unique=True,
                 sqlite_where=sa.text("status = 'pending'"),
                 postgresql_where=sa.text("status = 'pending'")),
        sa.Index("ix_membership_requests_org_status", "organization_id", "status", "id"),
        sa.Index("ix_membership_requests_user", "user_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[MembershipStatus] = mapped_column(
        enum_column_type(MembershipStatus, "membership_status"),
        default=MembershipStatus.PENDING)
    # What the person says of themselves (their branch, their post), for the contact.
    note: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(sa.String(200))

    organization: Mapped[Organization] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
