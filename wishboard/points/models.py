"""The positive-energy score (正能量值): an append-only ledger, the community's rules, and
totals kept in step with the ledger for fast leaderboards."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wishboard.accounts.models import User
from wishboard.core.clock import utcnow
from wishboard.core.db import UTCDateTime
from wishboard.extensions import db
from wishboard.places.models import Organization

# The defaults reproduce DOMAIN.md's top volunteer: 25 claims, 5 of them completed at an
# hour each, no ratings yet -> 25*5 + 5*20 + 5*5 = 250 points.
DEFAULT_RULES = {
    "per_claim": 5,
    "per_completion": 20,
    "per_hour": 5,
    "per_star": 2,
    "per_activity": 5,
}

# What each ledger entry carries beside its points (its ``d_<name>`` columns), and so each
# total too.
COUNTERS = ("claims", "completions", "activities", "hours", "ratings", "stars")

RULE_LABELS = {
    "per_claim": "每认领一个心愿或项目",
    "per_completion": "每完成一次服务",
    "per_hour": "每服务一小时",
    "per_star": "每得到一颗星",
    "per_activity": "每参加一次活动",
}


class PointsRules(db.Model):
    """A community's points rules. A community without a row uses DEFAULT_RULES."""

    __tablename__ = "points_rules"
    __table_args__ = tuple(
        sa.CheckConstraint(f"{name} BETWEEN 0 AND 1000", name=f"{name}_range")
        for name in DEFAULT_RULES
    )

    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"), primary_key=True)
    per_claim: Mapped[int] = mapped_column(default=DEFAULT_RULES["per_claim"])
    per_completion: Mapped[int] = mapped_column(default=DEFAULT_RULES["per_completion"])
    per_hour: Mapped[int] = mapped_column(default=DEFAULT_RULES["per_hour"])
    per_star: Mapped[int] = mapped_column(default=DEFAULT_RULES["per_star"])
    per_activity: Mapped[int] = mapped_column(default=DEFAULT_RULES["per_activity"])
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


class AwardColumns:
    """What an award says, in the ledger (``PointsEntry``) and while it is held
    (``HeldPoints``): the event's ``key``, where and for whom, the rule and the amount, and
    the ``d_*`` counters it adds to the totals."""

    key: Mapped[str] = mapped_column(sa.String(80), unique=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"))
    volunteer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"))
    source_type: Mapped[str] = mapped_column(sa.String(20))
    source_id: Mapped[int] = mapped_column()
    rule: Mapped[str] = mapped_column(sa.String(30))
    amount: Mapped[int] = mapped_column()
    d_claims: Mapped[int] = mapped_column(default=0, server_default="0")
    d_completions: Mapped[int] = mapped_column(default=0, server_default="0")
    d_activities: Mapped[int] = mapped_column(default=0, server_default="0")
    d_hours: Mapped[Decimal] = mapped_column(sa.Numeric(8, 1), default=0, server_default="0")
    d_ratings: Mapped[int] = mapped_column(default=0, server_default="0")
    d_stars: Mapped[int] = mapped_column(default=0, server_default="0")
    reason: Mapped[str] = mapped_column(sa.String(200))


class PointsEntry(AwardColumns, db.Model):
    """One line of the ledger. Never updated: a mistake is undone by a reversing entry.

    ``key`` names the event that gave the points (``claim:12``, ``rating:7``,
    ``claim:12:reversal``); its unique constraint is what makes replaying an event harmless.
    The ``d_*`` columns are what the entry adds to the counters shown beside the points.
    """

    __tablename__ = "points_entries"
    __table_args__ = (
        sa.Index("ix_points_entries_volunteer", "volunteer_id", "created_at", "id"),
        sa.Index("ix_points_entries_organization", "organization_id", "created_at"),
        sa.Index("ix_points_entries_community", "community_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reverses_id: Mapped[int | None] = mapped_column(sa.ForeignKey("points_entries.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The Asia/Shanghai periods the entry falls in: 2026, 2026-Q4, 2026-11.
    year: Mapped[str] = mapped_column(sa.String(4))
    quarter: Mapped[str] = mapped_column(sa.String(7))
    month: Mapped[str] = mapped_column(sa.String(7))

    volunteer: Mapped[User | None] = relationship()
    organization: Mapped[Organization | None] = relationship()


class HeldPoints(AwardColumns, db.Model):
    """Points earned by a volunteer whom no person has checked yet (a 报到 the community
    approved automatically): written here instead of the ledger, the same event ``key``,
    and booked into the ledger, dated as earned, once the secretary checks the 报到
    (``points.services.release_held``). A reversal of a held event drops it. What the
    volunteer earns for an organisation waits with it. Held points are on no board."""

    __tablename__ = "points_held"
    __table_args__ = (
        sa.Index("ix_points_held_person", "person_id", "released_at", "dropped_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Whose unchecked work it is (the volunteer who claimed, served or checked in), also
    # when the points go to an organisation as a body.
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    dropped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class PointsTotal(db.Model):
    """Running totals per volunteer or organisation and period ('all', '2026', '2026-Q4',
    '2026-11'), written in the same transaction as each ledger entry."""

    __tablename__ = "points_totals"
    __table_args__ = (
        sa.UniqueConstraint("owner_type", "owner_id", "period", name="uq_points_totals_owner"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"))
    owner_type: Mapped[str] = mapped_column(sa.String(12))  # volunteer | organization
    owner_id: Mapped[int] = mapped_column()
    period: Mapped[str] = mapped_column(sa.String(7))
    points: Mapped[int] = mapped_column(default=0, server_default="0")
    # An organisation's points earned as a body (entries with no volunteer); the rest of
    # ``points`` is what its members earned acting for it.
    body_points: Mapped[int] = mapped_column(default=0, server_default="0")
    claims: Mapped[int] = mapped_column(default=0, server_default="0")
    completions: Mapped[int] = mapped_column(default=0, server_default="0")
    activities: Mapped[int] = mapped_column(default=0, server_default="0")
    hours: Mapped[Decimal] = mapped_column(sa.Numeric(10, 1), default=0, server_default="0")
    ratings: Mapped[int] = mapped_column(default=0, server_default="0")
    stars: Mapped[int] = mapped_column(default=0, server_default="0")

    @property
    def average_stars(self) -> float | None:
        return round(self.stars / self.ratings, 1) if self.ratings else None

    @property
    def member_points(self) -> int:
        return self.points - self.body_points if self.owner_type == "organization" else 0


# The leaderboard's order, so the top 50 are read straight off the index.
sa.Index("ix_points_totals_rank", PointsTotal.community_id, PointsTotal.owner_type,
         PointsTotal.period, PointsTotal.points.desc(), PointsTotal.completions.desc(),
         PointsTotal.hours.desc(), PointsTotal.owner_id)
