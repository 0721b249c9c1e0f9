"""Ratings (群众点评)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wishboard.accounts.models import User
from wishboard.core.clock import utcnow
from wishboard.core.db import UTCDateTime
from wishboard.extensions import db
from wishboard.wishes.models import Beneficiary


class Rating(db.Model):
    """群众点评: one rating per person per wish."""

    __tablename__ = "ratings"
    __table_args__ = (
        sa.UniqueConstraint("wish_id", "rater_id", name="uq_ratings_wish_rater"),
        sa.UniqueConstraint("wish_id", "beneficiary_id", name="uq_ratings_wish_beneficiary"),
        sa.CheckConstraint("stars BETWEEN 1 AND 5", name="stars_range"),
        sa.CheckConstraint("rater_id IS NOT NULL OR beneficiary_id IS NOT NULL",
                           name="has_rater"),
        sa.Index("ix_ratings_rater", "rater_id", "counted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    wish_id: Mapped[int] = mapped_column(sa.ForeignKey("wishes.id", ondelete="CASCADE"),
                                         index=True)
    # A resident with an account rates as themselves; a secretary records (代录) a rating
    # for a beneficiary without one.
    rater_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    beneficiary_id: Mapped[int | None] = mapped_column(sa.ForeignKey("beneficiaries.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    stars: Mapped[int] = mapped_column(sa.SmallInteger)
    comment: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # A secretary may withdraw an abusive rating; it stays on record, hidden, and its
    # points are reversed.
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    removed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    removed_reason: Mapped[str | None] = mapped_column(sa.String(200))
    # The person served rated (themselves, or through the secretary): it confirms the hours.
    by_beneficiary: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # When the rating's points were booked; None while the rater is not yet a verified
    # resident (the rating shows, and earns once they are verified or have waited).
    counted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    rater: Mapped[User | None] = relationship(foreign_keys=[rater_id])
    beneficiary: Mapped[Beneficiary | None] = relationship()
