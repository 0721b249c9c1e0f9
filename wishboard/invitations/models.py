"""An invitation to claim an open wish: who was asked (a volunteer, or an organisation whose
contact answers), by whom, until when, and how it ended."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wishboard.accounts.models import User
from wishboard.core.clock import utcnow
from wishboard.core.db import LabelledEnum, UTCDateTime, enum_column_type
from wishboard.extensions import db
from wishboard.places.models import Organization
from wishboard.wishes.models import Wish


class InvitationStatus(LabelledEnum):
    """``pending`` is the only live state; the others are ends:

    - ``accepted``: the invitee (or, for an organisation, a claim for it) claimed the wish;
    - ``declined``: the invitee said no;
    - ``expired``: nobody answered by ``expires_at`` (the stale-work policy);
    - ``lapsed``: the wish left ``open`` some other way (claimed by someone else,
      cancelled, expired), in the same transaction as that change.
    """

    PENDING = "pending", "待答复"
    ACCEPTED = "accepted", "已接受"
    DECLINED = "declined", "已婉拒"
    EXPIRED = "expired", "已过期"
    LAPSED = "lapsed", "已失效"


class Invitation(db.Model):
    """社区请您帮忙: one invitation of one volunteer or one organisation to one wish."""

    __tablename__ = "invitations"
    __table_args__ = (
        sa.CheckConstraint(
            "(user_id IS NOT NULL AND organization_id IS NULL)"
            " OR (user_id IS NULL AND organization_id IS NOT NULL)",
            name="one_invitee"),
        # One live invitation per wish per invitee (NULLs never collide, so each index
        # only ever compares the invitations of its own kind).
        sa.Index("uq_invitations_live_user", "wish_id", "user_id", unique=True,
                 sqlite_where=sa.text("status = 'pending'"),
                 postgresql_where=sa.text("status = 'pending'")),
        sa.Index("uq_invitations_live_organization", "wish_id", "organization_id",
                 unique=True, sqlite_where=sa.text("status = 'pending'"),
                 postgresql_where=sa.text("status = 'pending'")),
        # A wish's invitations (the staff's list; ending them when the wish leaves open).
        sa.Index("ix_invitations_wish", "wish_id", "id"),
        # 我的: my live invitations, and those of the organisations I answer for.
        sa.Index("ix_invitations_user_status", "user_id", "status", "id"),
        sa.Index("ix_invitations_organization_status", "organization_id", "status", "id"),
        # The sweep's way in: live invitations past their time.
        sa.Index("ix_invitations_status_expires", "status", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    wish_id: Mapped[int] = mapped_column(sa.ForeignKey("wishes.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"))
    status: Mapped[InvitationStatus] = mapped_column(
        enum_column_type(InvitationStatus, "invitation_status"),
        default=InvitationStatus.PENDING)
    invited_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # When it stopped being live (answered, expired or lapsed), and who answered.
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    decline_reason: Mapped[str | None] = mapped_column(sa.String(200))

    wish: Mapped[Wish] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    organization: Mapped[Organization | None] = relationship()
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])

    @property
    def invitee_name(self) -> str:
        if self.organization is not None:
            return self.organization.name
        return self.user.name if self.user is not None else ""

    def current_status(self, now: datetime | None = None) -> InvitationStatus:
        """The status as it stands: a pending invitation past its time reads as expired
        before the stale-work policy gets to it."""
        if self.status is InvitationStatus.PENDING and self.expires_at <= (now or utcnow()):
            return InvitationStatus.EXPIRED
        return self.status
