"""A community's selection for one year, the snapshot of its standings at the cut-off, and
the exceptions to its rules an admin decided (with their reasons, public)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wishboard.core.clock import utcnow
from wishboard.core.db import LabelledEnum, UTCDateTime, enum_column_type
from wishboard.extensions import db
from wishboard.places.models import Community


class SelectionState(LabelledEnum):
    OPEN = "open", "等待截止日"
    NOMINATING = "nominating", "调整候选名单"
    PUBLICITY = "publicity", "公示中"
    PUBLISHED = "published", "已公布结果"


# The states the public sees: the list is theirs to judge from the 公示 on.
PUBLIC_SELECTION_STATES = (SelectionState.PUBLICITY, SelectionState.PUBLISHED)


class HonourDivision(LabelledEnum):
    """The three honours of 双报到 (DOMAIN.md): volunteers by their type, and organisations.
    Volunteers of the type 'other' are in no division."""

    PARTY_MEMBER = "party_member", "优秀报到党员"
    ELDER = "elder", "优秀五老志愿者"
    ORGANIZATION = "organization", "先进报到党组织"


# A volunteer's type, as the division they are judged in.
DIVISION_OF_TYPE = {"party_member": HonourDivision.PARTY_MEMBER, "elder": HonourDivision.ELDER}

# The rules the community sets for a selection, with their defaults.
DEFAULT_SETTINGS = {
    "quota_party_members": 10,
    "quota_elders": 10,
    "quota_organizations": 10,
    "min_completions": 3,
    "min_average_stars": Decimal("4.0"),
}

SETTING_LABELS = {
    "quota_party_members": "优秀报到党员名额",
    "quota_elders": "优秀五老志愿者名额",
    "quota_organizations": "先进报到党组织名额",
    "min_completions": "至少完成服务（次）",
    "min_average_stars": "平均星级至少",
}

QUOTA_OF_DIVISION = {HonourDivision.PARTY_MEMBER: "quota_party_members",
                     HonourDivision.ELDER: "quota_elders",
                     HonourDivision.ORGANIZATION: "quota_organizations"}

# How long a 公示 runs, in whole days of 24 hours from its start: 7 by default, at least 5
# (shorter only by an admin, with a written reason: ``access.publicity_days_refusal``).
DEFAULT_PUBLICITY_DAYS = 7
MIN_PUBLICITY_DAYS = 5


class Selection(db.Model):
    """One community's selection for one year: its rules, its cut-off and how far it has
    come. ``cutoff_at`` is the end of the cut-off day (local), fixed when the selection is
    opened: the snapshot counts the ledger's entries of the year made before it."""

    __tablename__ = "selections"
    __table_args__ = (
        sa.UniqueConstraint("community_id", "year", name="uq_selections_community_year"),
        sa.CheckConstraint("year BETWEEN 2000 AND 2099", name="year_range"),
        sa.CheckConstraint("quota_party_members BETWEEN 0 AND 100", name="quota_party_range"),
        sa.CheckConstraint("quota_elders BETWEEN 0 AND 100", name="quota_elders_range"),
        sa.CheckConstraint("quota_organizations BETWEEN 0 AND 100", name="quota_orgs_range"),
        sa.CheckConstraint("min_completions BETWEEN 0 AND 1000", name="min_completions_range"),
        sa.CheckConstraint("min_average_stars BETWEEN 0 AND 5", name="min_stars_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        sa.ForeignKey("communities.id", ondelete="RESTRICT"))
    year: Mapped[int] = mapped_column()
    state: Mapped[SelectionState] = mapped_column(
        enum_column_type(SelectionState, "selection_state"), default=SelectionState.OPEN)
    cutoff_on: Mapped[date] = mapped_column(sa.Date())
    cutoff_at: Mapped[datetime] = mapped_column(UTCDateTime())
    quota_party_members: Mapped[int] = mapped_column(default=10)
    quota_elders: Mapped[int] = mapped_column(default=10)
    quota_organizations: Mapped[int] = mapped_column(default=10)
    min_completions: Mapped[int] = mapped_column(default=3)
    min_average_stars: Mapped[Decimal] = mapped_column(sa.Numeric(2, 1), default=Decimal("4.0"))
    # How the community ranked organisations when the snapshot was taken (sum or body).
    org_ranking: Mapped[str | None] = mapped_column(sa.String(10))
    opened_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Moved by every step: the row every use case takes first, so two steps on one
    # selection never interleave (services._take).
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The 公示: how many there have been (a correction round starts another), and the
    # current one's period. An admin who ends it early moves its end to that moment.
    publicity_round: Mapped[int] = mapped_column(default=0)
    publicity_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    publicity_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_early_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_early_reason: Mapped[str | None] = mapped_column(sa.String(200))
    ended_early_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    community: Mapped[Community] = relationship()

    def settings(self) -> dict:
        return {name: getattr(self, name) for name in DEFAULT_SETTINGS}

    def publicity_running(self, now: datetime | None = None) -> bool:
        return (self.state is SelectionState.PUBLICITY and self.publicity_ends_at is not None
                and (now or utcnow()) < self.publicity_ends_at)

    def publicity_over(self, now: datetime | None = None) -> bool:
        return (self.state is SelectionState.PUBLICITY and self.publicity_ends_at is not None
                and (now or utcnow()) >= self.publicity_ends_at)


class SelectionStanding(db.Model):
    """One volunteer's or organisation's year at the cut-off, as the ledger said when the
    selection was frozen. Never changed afterwards: see ``services.freeze_selection``."""

    __tablename__ = "selection_standings"
    __table_args__ = (
        sa.CheckConstraint("(user_id IS NULL) <> (organization_id IS NULL)", name="one_owner"),
        sa.UniqueConstraint("selection_id", "user_id", name="uq_selection_standings_user"),
        sa.UniqueConstraint("selection_id", "organization_id",
                            name="uq_selection_standings_organization"),
        sa.Index("ix_selection_standings_division", "selection_id", "division", "rank"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    selection_id: Mapped[int] = mapped_column(
        sa.ForeignKey("selections.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"))
    # None: a volunteer of the type 'other', in no division.
    division: Mapped[HonourDivision | None] = mapped_column(
        enum_column_type(HonourDivision, "honour_division"))
    name: Mapped[str] = mapped_column(sa.String(100))
    # A volunteer's organisation then, and whether they showed their name on the boards.
    organization_name: Mapped[str | None] = mapped_column(sa.String(100))
    shows_name: Mapped[bool] = mapped_column(default=True)
    # ``points`` is the figure ranked by, as on the boards (for an organisation, its body's
    # points alone where the community ranks so).
    points: Mapped[int] = mapped_column(default=0)
    body_points: Mapped[int | None] = mapped_column()
    member_points: Mapped[int | None] = mapped_column()
    claims: Mapped[int] = mapped_column(default=0)
    completions: Mapped[int] = mapped_column(default=0)
    activities: Mapped[int] = mapped_column(default=0)
    hours: Mapped[Decimal] = mapped_column(sa.Numeric(10, 1), default=0)
    ratings: Mapped[int] = mapped_column(default=0)
    stars: Mapped[int] = mapped_column(default=0)
    # The place in its division, in the boards' order (points, completions, hours, id).
    rank: Mapped[int | None] = mapped_column()

    @property
    def average_stars(self) -> float | None:
        return round(self.stars / self.ratings, 1) if self.ratings else None


# The exceptions to a selection's rules only an admin may make, as the 公示 page names them.
DECISION_LABELS = {
    "opened_late": "截止日过后，由管理员开启评选",
    "settings_changed_late": "截止日过后，由管理员修改评选规则",
    "short_publicity": f"公示期少于{MIN_PUBLICITY_DAYS}天，由管理员决定",
    "ended_early": "管理员提前结束公示",
}


class SelectionDecision(db.Model):
    """An exception to the selection's rules that only an admin may make, with the written
    reason: opening after the cut-off day, changing the rules after it, a 公示 shorter than
    ``MIN_PUBLICITY_DAYS``, ending a 公示 early. Public on the 公示 page. Written by the
    step that makes the exception, in its transaction (the audit log says it too)."""

    __tablename__ = "selection_decisions"
    __table_args__ = (
        sa.CheckConstraint("kind IN ('opened_late', 'settings_changed_late', "
                           "'short_publicity', 'ended_early')", name="decision_kind"),
        sa.Index("ix_selection_decisions_selection", "selection_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    selection_id: Mapped[int] = mapped_column(
        sa.ForeignKey("selections.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(30))
    reason: Mapped[str] = mapped_column(sa.String(200))
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def label(self) -> str:
        return DECISION_LABELS[self.kind]

    @property
    def at(self) -> datetime:
        return self.decided_at
