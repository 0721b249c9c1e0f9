"""Wishes (微心愿 / 服务项目), the people they serve, claims with their responsibility
letters, and the timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wishboard.accounts.models import User
from wishboard.core.clock import utcnow
from wishboard.core.db import LabelledEnum, UTCDateTime, enum_column_type
from wishboard.extensions import db
from wishboard.places.models import Category, Community, Organization
from wishboard.wishes.states import WishState, check_transition

if TYPE_CHECKING:  # ratings.models imports this module
    from wishboard.ratings.models import Rating


class WishKind(LabelledEnum):
    """A micro-wish one volunteer can fulfil, or a service project many hands work on."""

    MICRO_WISH = "micro_wish", "微心愿"
    PROJECT = "project", "服务项目"


class Wish(db.Model):
    """A published micro-wish or service project."""

    __tablename__ = "wishes"
    __table_args__ = (
        sa.CheckConstraint(
            "(state IN ('claimed', 'completed', 'closed')) OR claimant_id IS NULL",
            name="claimant_only_when_claimed",
        ),
        sa.CheckConstraint("state != 'claimed' OR claimant_id IS NOT NULL",
                           name="claimed_has_claimant"),
        sa.CheckConstraint("rating_count >= 0 AND rating_sum >= 0", name="rating_totals"),
        # The board and its filters, newest first: each reads its page straight off an index
        # in order (ties broken by id), and a cursor (``after``) starts mid-index.
        sa.Index("ix_wishes_board", "community_id", "state", "published_at", "id"),
        sa.Index("ix_wishes_community_recent", "community_id", "published_at", "id"),
        sa.Index("ix_wishes_recent", "published_at", "id"),
        # Search: PostgreSQL also has the column search_grams (every character and pair of
        # characters) and its GIN index ix_wishes_search (migration 5b1e7c9d2a40;
        # ``wishes.board._search``).
        sa.Index("ix_wishes_board_category", "community_id", "category_id", "state",
                 "published_at", "id"),
        sa.Index("ix_wishes_board_kind", "community_id", "kind", "state", "published_at", "id"),
        # The sweeps' ways in: each selects only what is due.
        sa.Index("ix_wishes_state_expires", "state", "expires_at"),
        sa.Index("ix_wishes_state_due", "state", "due_at"),
        sa.Index("ix_wishes_community_state_completed", "community_id", "state", "completed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"))
    kind: Mapped[WishKind] = mapped_column(enum_column_type(WishKind, "kind"),
                                           default=WishKind.MICRO_WISH)
    title: Mapped[str] = mapped_column(sa.String(60))
    description: Mapped[str] = mapped_column(sa.Text)
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("categories.id"), index=True)
    grid_id: Mapped[int | None] = mapped_column(sa.ForeignKey("communities.id"), index=True)
    public_alias: Mapped[str] = mapped_column(sa.String(30))
    state: Mapped[WishState] = mapped_column(enum_column_type(WishState, "state"),
                                             default=WishState.OPEN)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set when the wish is published (which is when it is made); the board's order.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    claim_organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_reason: Mapped[str | None] = mapped_column(sa.String(200))
    # Kept in step with the ratings table in the same transaction, so boards need no sums.
    rating_count: Mapped[int] = mapped_column(default=0, server_default="0")
    rating_sum: Mapped[int] = mapped_column(default=0, server_default="0")
    # Service projects: how many have joined and the confirmed hours given, for the board.
    member_count: Mapped[int] = mapped_column(default=0, server_default="0")
    confirmed_hours: Mapped[Decimal] = mapped_column(sa.Numeric(10, 1), default=0,
                                                     server_default="0")

    category: Mapped[Category] = relationship()
    grid: Mapped[Community | None] = relationship(foreign_keys=[grid_id])
    community: Mapped[Community] = relationship(foreign_keys=[community_id])
    claimant: Mapped[User | None] = relationship(foreign_keys=[claimant_id])
    claim_organization: Mapped[Organization | None] = relationship()
    beneficiaries: Mapped[list[Beneficiary]] = relationship(
        back_populates="wish", order_by="Beneficiary.id")

    @property
    def average_stars(self) -> float | None:
        return round(self.rating_sum / self.rating_count, 1) if self.rating_count else None

    def earner_id(self, volunteer_id: int | None, organization_id: int | None) -> int | None:
        """Which volunteer earns a claim's own points (its claim, completion, hours and
        stars) for a claim by ``volunteer_id``, for ``organization_id`` if any: the
        volunteer; but a service project claimed for an organisation is claimed and
        completed by the organisation as a body (its members earn by joining and serving),
        so no volunteer does (None). The points rules ask this and know no kinds of wish."""
        return None if self.kind is WishKind.PROJECT and organization_id else volunteer_id

    def check_transition(self, new: WishState) -> None:
        """Raise the state machine's refusal unless it allows ``state -> new``."""
        check_transition(self.state, new)


class Beneficiary(db.Model):
    """Someone a wish serves. Name, phone and address are private (PIPL art. 25)."""

    __tablename__ = "beneficiaries"
    __table_args__ = (sa.UniqueConstraint("wish_id", "need_id", name="uq_beneficiaries_need"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    wish_id: Mapped[int] = mapped_column(sa.ForeignKey("wishes.id", ondelete="CASCADE"),
                                         index=True)
    need_id: Mapped[int | None] = mapped_column(sa.ForeignKey("needs.id"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(50))
    phone: Mapped[str] = mapped_column(sa.String(20), default="", server_default="")
    address: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")

    wish: Mapped[Wish] = relationship(back_populates="beneficiaries")


class ClaimStatus(LabelledEnum):
    """A claim is live until it is given back (released), completed, or ends with its
    wish (cancelled)."""

    ACTIVE = "active", "进行中"
    RELEASED = "released", "已释放"
    COMPLETED = "completed", "已完成"
    CANCELLED = "cancelled", "已取消"


class HoursStatus(LabelledEnum):
    """A completion (its points and the hours stated) earns only once the person served or
    the secretary confirms that the service took place; what nobody confirmed by the end of
    the rating window follows the community's policy (wait for the secretary, count as
    stated, or lapse)."""

    PENDING = "pending", "待确认"
    CONFIRMED = "confirmed", "已确认"
    LAPSED = "lapsed", "未确认（不计分）"
    # The secretary found that no service took place: nothing earns, the claim's points
    # are taken back (wishes.hours.apply_not_served).
    NOT_SERVED = "not_served", "未实际服务"


class Claim(db.Model):
    """A claim (认领) and its signed responsibility letter (项目责任书), shown publicly."""

    __tablename__ = "claims"
    __table_args__ = (
        # At most one live claim per wish: the last guard behind the conditional UPDATE.
        sa.Index("uq_claims_one_active_per_wish", "wish_id", unique=True,
                 sqlite_where=sa.text("status = 'active'"),
                 postgresql_where=sa.text("status = 'active'")),
        sa.Index("ix_claims_volunteer_status", "volunteer_id", "status"),
        # The secretary's queue of hours waiting for confirmation.
        sa.Index("ix_claims_hours_pending", "hours_status", "ended_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    wish_id: Mapped[int] = mapped_column(sa.ForeignKey("wishes.id", ondelete="CASCADE"),
                                         index=True)
    volunteer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"))
    letter: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[ClaimStatus] = mapped_column(enum_column_type(ClaimStatus, "claim_status"),
                                                default=ClaimStatus.ACTIVE)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_reason: Mapped[str | None] = mapped_column(sa.String(200))
    hours: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 1))
    completion_note: Mapped[str | None] = mapped_column(sa.String(500))
    # The hours as confirmed (the secretary may adjust them, with a reason).
    hours_status: Mapped[HoursStatus | None] = mapped_column(
        enum_column_type(HoursStatus, "hours_status"))
    confirmed_hours: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 1))
    hours_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    hours_confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    hours_adjust_reason: Mapped[str | None] = mapped_column(sa.String(200))

    wish: Mapped[Wish] = relationship()
    volunteer: Mapped[User] = relationship(foreign_keys=[volunteer_id])
    organization: Mapped[Organization | None] = relationship()


class WishEvent(db.Model):
    """One line of a wish's story: who did what, when. ``actor_id`` None is the system."""

    __tablename__ = "wish_events"
    __table_args__ = (
        # "How often did this volunteer give claims back lately?" (the release flag).
        sa.Index("ix_wish_events_actor_action", "actor_id", "action", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    wish_id: Mapped[int] = mapped_column(sa.ForeignKey("wishes.id", ondelete="CASCADE"),
                                         index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(sa.String(30))
    from_state: Mapped[str | None] = mapped_column(sa.String(20))
    to_state: Mapped[str | None] = mapped_column(sa.String(20))
    note: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    on_behalf: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # A staff-only line (a need's own words, a merge) is shown to the community's staff and
    # the people served, never to the public.
    is_public: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    actor: Mapped[User | None] = relationship()


@dataclass(frozen=True)
class WishStory:
    """A wish and what its page tells: the timeline (oldest first), every claim with its
    letter (newest first) and the ratings not withdrawn."""

    wish: Wish
    events: list[WishEvent]
    claims: list[Claim]
    ratings: list[Rating]

    @property
    def completed_claim(self) -> Claim | None:
        """The claim that completed the service, if it was (the latest such)."""
        return next((c for c in self.claims if c.status is ClaimStatus.COMPLETED), None)

    @property
    def current_claim(self) -> Claim | None:
        """The live claim, or the one that completed the service (a wish has one at most)."""
        return next((c for c in self.claims
                     if c.status in (ClaimStatus.ACTIVE, ClaimStatus.COMPLETED)), None)
