"""The tree of places (区/街道/社区/片区/院落/楼栋, or 县/镇/村/社), reporting organisations
(报到党组织) and the categories of need (1+7+N)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wishboard.core.clock import utcnow
from wishboard.core.db import LabelledEnum, UTCDateTime, enum_column_type
from wishboard.extensions import db


class PlaceLevel(LabelledEnum):
    """A level of the tree, its word, and its depth: a child is always deeper than its
    parent. The rural board uses the same tree under other names."""

    rank: int

    def __new__(cls, value: str, label: str, rank: int):
        member = str.__new__(cls, value)
        member._value_, member.label, member.rank = value, label, rank
        return member

    DISTRICT = "district", "区", 0
    STREET = "street", "街道", 1
    COMMUNITY = "community", "社区", 2
    AREA = "area", "片区", 3
    COURTYARD = "courtyard", "院落", 4
    BUILDING = "building", "楼栋", 5
    COUNTY = "county", "县", 0
    TOWN = "town", "镇", 1
    VILLAGE = "village", "村", 2
    GROUP = "group", "社", 3

    @property
    def is_community(self) -> bool:
        """社区 or 村: the unit that has a secretary, volunteers and a board."""
        return self in (PlaceLevel.COMMUNITY, PlaceLevel.VILLAGE)


class Community(db.Model):
    """One node of the place tree. API.md calls every node a community; the nodes below a
    community (片区, 院落, 楼栋) are its grid, and ``community_id`` points at the community
    they belong to, so "inside my community" is one indexed comparison."""

    __tablename__ = "communities"
    __table_args__ = (sa.UniqueConstraint("parent_id", "name", name="uq_communities_parent_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    level: Mapped[PlaceLevel] = mapped_column(enum_column_type(PlaceLevel, "level"))
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("communities.id", ondelete="RESTRICT"), index=True
    )
    community_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("communities.id", ondelete="RESTRICT"), index=True
    )
    auto_approve_reports: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # How long a claim may run when the volunteer names no date (a community setting).
    claim_window_days: Mapped[int] = mapped_column(default=7, server_default="7")
    # How many open claims one volunteer may hold at once; None is no limit.
    max_open_claims: Mapped[int | None] = mapped_column()
    # The stale-work policy (jobs/sweeps.py), in days.
    open_wish_max_age_days: Mapped[int] = mapped_column(default=60, server_default="60")
    rating_window_days: Mapped[int] = mapped_column(default=14, server_default="14")
    expiry_reminder_days: Mapped[int] = mapped_column(default=3, server_default="3")
    due_reminder_days: Mapped[int] = mapped_column(default=1, server_default="1")
    rating_reminder_days: Mapped[int] = mapped_column(default=2, server_default="2")
    # Keeping the score honest (access.py and points/services.py).
    # The hours one person may state for one day served, across completions and service
    # logs wherever the work was (a claim spanning days may carry this times its days).
    max_hours_per_day: Mapped[int] = mapped_column(default=10, server_default="10")
    # How many days back a service log may be dated (never before the member joined).
    log_backdate_days: Mapped[int] = mapped_column(default=7, server_default="7")
    # What happens to hours nobody confirmed when the rating window ends:
    # queue (wait for the secretary), confirm (count as stated), lapse (earn nothing).
    unconfirmed_hours_policy: Mapped[str] = mapped_column(sa.String(10), default="queue",
                                                          server_default="queue")
    # Opt-in, off (None) by default: after how many days an unverified rater's stars count
    # anyway. Off, only a person's check makes a rater's word count (access.is_trusted_rater).
    rating_trust_days: Mapped[int | None] = mapped_column()
    # A volunteer who releases more claims than this in 30 days is flagged to the secretary.
    release_flag_count: Mapped[int] = mapped_column(default=3, server_default="3")
    # The organisation board ranks by body + members ("sum") or by the body alone ("body").
    org_ranking: Mapped[str] = mapped_column(sa.String(10), default="sum",
                                             server_default="sum")
    # How long an invitation to claim a wish waits for its answer (wishboard.invitations).
    invitation_hours: Mapped[int] = mapped_column(default=48, server_default="48")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    parent: Mapped[Community | None] = relationship(
        remote_side=[id], foreign_keys=[parent_id], back_populates="children"
    )
    children: Mapped[list[Community]] = relationship(
        foreign_keys=[parent_id], back_populates="parent", order_by="Community.id"
    )

    @property
    def is_community(self) -> bool:
        return self.level.is_community

    @property
    def owning_community_id(self) -> int | None:
        """The community (社区/村) this place is, or belongs to; None above community level."""
        return self.id if self.is_community else self.community_id

    def __repr__(self) -> str:
        return f"<Community {self.id} {self.level.value} {self.name}>"


class OrganizationKind(LabelledEnum):
    """What kind of body reports to the community."""

    GOVERNMENT = "government", "机关、事业单位党组织"
    ENTERPRISE = "enterprise", "企业党组织"
    SOCIAL = "social", "社会组织"
    SERVICE_TEAM = "service_team", "志愿服务队"
    YOUTH_COMMITTEE = "youth_committee", "关工委"
    OTHER = "other", "其他"


class OrganizationStatus(LabelledEnum):
    """An organisation's 报到 to the community, as for a volunteer's: waiting for the
    secretary, accepted, or turned back with a reason. Only accepted organisations claim,
    take members and appear on the boards."""

    PENDING = "pending", "待审核"
    APPROVED = "approved", "已报到"
    REJECTED = "rejected", "未通过"


class Organization(db.Model):
    """报到党组织: a party organisation (or another body: a social organisation, a service
    team, a 关工委) of a unit stationed in the community, reporting to it. Its contact
    person (联络员) reported it, or the secretary entered it; its members may live in other
    communities and report there too (双报到)."""

    __tablename__ = "organizations"
    __table_args__ = (
        sa.UniqueConstraint("community_id", "name", name="uq_organizations_community_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    community_id: Mapped[int] = mapped_column(
        sa.ForeignKey("communities.id", ondelete="RESTRICT"), index=True
    )
    contact_user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL", use_alter=True)
    )
    kind: Mapped[OrganizationKind] = mapped_column(
        enum_column_type(OrganizationKind, "organization_kind"),
        default=OrganizationKind.OTHER, server_default="other")
    # The unit it belongs to (所在单位), and what it offers the community (服务承诺).
    unit: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    description: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    # Who reported it and who reviewed it are in the audit log.
    report_status: Mapped[OrganizationStatus] = mapped_column(
        enum_column_type(OrganizationStatus, "organization_status"),
        default=OrganizationStatus.APPROVED, server_default="approved")
    report_reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    report_reject_reason: Mapped[str | None] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    community: Mapped[Community] = relationship()
    contact: Mapped["User | None"] = relationship(foreign_keys=[contact_user_id])  # noqa: F821

    @property
    def is_approved(self) -> bool:
        return self.report_status is OrganizationStatus.APPROVED


class Category(db.Model):
    """A category of need: the seven of 1+7+N, and any an admin adds."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(30), unique=True)
    description: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    sort_order: Mapped[int] = mapped_column(default=100, server_default="100")
    is_active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
