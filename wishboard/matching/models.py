"""Skill tags and volunteers' service profiles (what they follow, and the digest waiting
for them: ``follow_models``).

A volunteer's profile is a row of its own (``volunteer_profiles``), not columns on
``users``: it is written by the volunteer alone, read by the matching and the points card,
and a person without one simply offers nothing yet."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wishboard.core.clock import utcnow
from wishboard.core.db import LabelledEnum, UTCDateTime
from wishboard.extensions import db
from wishboard.places.models import Community


class AvailabilitySlot(LabelledEnum):
    """When a volunteer is usually free. Stored together as bits of one small number
    (``VolunteerProfile.availability_bits``), in this order."""

    WEEKDAY_MORNING = "weekday_morning", "工作日上午"
    WEEKDAY_AFTERNOON = "weekday_afternoon", "工作日下午"
    WEEKDAY_EVENING = "weekday_evening", "工作日晚上"
    WEEKEND_MORNING = "weekend_morning", "周末上午"
    WEEKEND_AFTERNOON = "weekend_afternoon", "周末下午"
    WEEKEND_EVENING = "weekend_evening", "周末晚上"

    @property
    def bit(self) -> int:
        return 1 << list(AvailabilitySlot).index(self)

    @classmethod
    def bits_of(cls, values) -> int:
        return sum({cls(v).bit for v in values})

    @classmethod
    def from_bits(cls, bits: int) -> list[AvailabilitySlot]:
        return [slot for slot in cls if bits & slot.bit]


ALL_SLOT_BITS = (1 << len(AvailabilitySlot)) - 1


class Skill(db.Model):
    """A skill or service a volunteer may offer (理发, 陪伴就医, ...). The defaults belong to
    no community (``community_id`` NULL) and every community has them; a secretary adds
    their community's own. A name is used once among the defaults and a community's own."""

    __tablename__ = "skills"
    __table_args__ = (
        sa.UniqueConstraint("community_id", "name", name="uq_skills_community_name"),
        # NULLs are never equal in a unique constraint: the defaults need their own index.
        sa.Index("uq_skills_default_name", "name", unique=True,
                 sqlite_where=sa.text("community_id IS NULL"),
                 postgresql_where=sa.text("community_id IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(20))
    community_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("communities.id", ondelete="CASCADE"))
    sort_order: Mapped[int] = mapped_column(default=100, server_default="100")
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def is_default(self) -> bool:
        return self.community_id is None


class VolunteerProfile(db.Model):
    """What a volunteer offers: the words of their service card (服务承诺), when they are
    free, and the grid place they live in (for "who lives nearby"). Their skills and
    follows are rows of their own."""

    __tablename__ = "volunteer_profiles"
    __table_args__ = (
        sa.CheckConstraint(f"availability_bits BETWEEN 0 AND {ALL_SLOT_BITS}",
                           name="availability_bits_range"),
    )

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    offer: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    availability_bits: Mapped[int] = mapped_column(default=0, server_default="0")
    home_place_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("communities.id", ondelete="SET NULL"))
    # New wishes they follow arrive once a day in one message (每日汇总) instead of one by one.
    follow_digest: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    home_place: Mapped[Community | None] = relationship()

    @property
    def availability(self) -> list[AvailabilitySlot]:
        return AvailabilitySlot.from_bits(self.availability_bits or 0)


class VolunteerSkill(db.Model):
    """A skill a volunteer has."""

    __tablename__ = "volunteer_skills"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    skill_id: Mapped[int] = mapped_column(sa.ForeignKey("skills.id", ondelete="CASCADE"),
                                          primary_key=True)
