"""Needs (需求), wishes (微心愿 / 服务项目), claims with their responsibility letters, the
timeline, ratings (群众点评) and the in-app inbox.

The wish state machine is here: ``WishState``, ``TRANSITIONS`` and ``Wish.check_transition``.
Services change state only through it, with a conditional UPDATE where two people may race.
"""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wishboard.errors import ConflictError
from wishboard.extensions import db
from wishboard.models.base import UTCDateTime, enum_column_type, utcnow
from wishboard.models.places import Category, Community, Organization
from wishboard.models.users import User


class WishState(str, enum.Enum):
    PENDING_REVIEW = "pending_review"
    OPEN = "open"
    CLAIMED = "claimed"
    COMPLETED = "completed"
    CLOSED = "closed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    EXPIRED = "expired"

    @property
    def label(self) -> str:
        return WISH_STATE_LABELS[self]


WISH_STATE_LABELS = {
    WishState.PENDING_REVIEW: "待审核", WishState.OPEN: "待认领", WishState.CLAIMED: "已认领",
    WishState.COMPLETED: "待评价", WishState.CLOSED: "已完成", WishState.REJECTED: "未通过",
    WishState.CANCELLED: "已取消", WishState.EXPIRED: "已过期",
}

# How each line of a wish's timeline reads.
ACTION_LABELS = {
    "need_submitted": "提出需求", "published": "发布心愿", "need_merged": "合并需求",
    "claimed": "认领", "released": "释放认领", "completed": "完成服务", "rated": "评价",
    "closed": "结项", "cancelled": "取消", "expired": "过期", "rating_removed": "撤销评价",
}

# Every allowed move, and nothing else.
TRANSITIONS: dict[WishState, set[WishState]] = {
    WishState.PENDING_REVIEW: {WishState.OPEN, WishState.REJECTED},
    WishState.OPEN: {WishState.CLAIMED, WishState.CANCELLED, WishState.EXPIRED},
    WishState.CLAIMED: {WishState.OPEN, WishState.COMPLETED, WishState.CANCELLED},
    WishState.COMPLETED: {WishState.CLOSED},
}

# Why a move is refused, by the state the wish is in: a stable code and a plain sentence.
REFUSALS: dict[WishState, tuple[str, str, str]] = {
    WishState.PENDING_REVIEW: ("wish_not_published", "这个心愿还没有发布",
                               "This wish is not published yet"),
    WishState.OPEN: ("wish_not_claimed", "这个心愿还没有人认领", "This wish has not been claimed"),
    WishState.CLAIMED: ("wish_already_claimed", "该心愿已被认领", "This wish is already claimed"),
    WishState.COMPLETED: ("wish_already_completed", "这个心愿已经完成服务,等待评价",
                          "This wish is already completed"),
    WishState.CLOSED: ("wish_closed", "这个心愿已经结束", "This wish is closed"),
    WishState.REJECTED: ("wish_rejected", "这个心愿未通过审核", "This wish was rejected"),
    WishState.CANCELLED: ("wish_cancelled", "这个心愿已取消", "This wish was cancelled"),
    WishState.EXPIRED: ("wish_expired", "这个心愿已过期", "This wish has expired"),
}


class IllegalTransitionError(ConflictError):
    """409, with a code that says which rule refused the move."""

    @classmethod
    def from_state(cls, state: WishState) -> IllegalTransitionError:
        code, zh, en = REFUSALS[state]
        return cls(zh, message_en=en, code=code)


class WishKind(str, enum.Enum):
    MICRO_WISH = "micro_wish"
    PROJECT = "project"

    @property
    def label(self) -> str:
        return {"micro_wish": "微心愿", "project": "服务项目"}[self.value]


class NeedStatus(str, enum.Enum):
    NEW = "new"
    PUBLISHED = "published"
    MERGED = "merged"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return {"new": "待处理", "published": "已发布", "merged": "已合并发布",
                "rejected": "未采纳"}[self.value]


class Need(db.Model):
    """What a resident asked for (需求征集), or what a secretary recorded for them (代录)."""

    __tablename__ = "needs"
    __table_args__ = (sa.Index("ix_needs_community_status", "community_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id"))
    title: Mapped[str] = mapped_column(sa.String(60))
    description: Mapped[str] = mapped_column(sa.Text)
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("categories.id"))
    grid_id: Mapped[int | None] = mapped_column(sa.ForeignKey("communities.id"))
    # The person in need: an account when they have one; the name, phone and address always.
    resident_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    contact_name: Mapped[str] = mapped_column(sa.String(50))
    contact_phone: Mapped[str] = mapped_column(sa.String(20), default="", server_default="")
    address: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    submitted_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    on_behalf: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    status: Mapped[NeedStatus] = mapped_column(enum_column_type(NeedStatus, "need_status"),
                                               default=NeedStatus.NEW)
    reject_reason: Mapped[str | None] = mapped_column(sa.String(200))
    wish_id: Mapped[int | None] = mapped_column(sa.ForeignKey("wishes.id"), index=True)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    community: Mapped[Community] = relationship(foreign_keys=[community_id])
    grid: Mapped[Community | None] = relationship(foreign_keys=[grid_id])
    category: Mapped[Category | None] = relationship()
    resident: Mapped[User | None] = relationship(foreign_keys=[resident_id])
    submitted_by: Mapped[User] = relationship(foreign_keys=[submitted_by_id])


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
        sa.Index("ix_wishes_board", "community_id", "state", "published_at"),
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
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
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

    def check_transition(self, new: WishState) -> None:
        """Raise IllegalTransitionError unless the state machine allows ``state -> new``."""
        if new not in TRANSITIONS.get(self.state, set()):
            raise IllegalTransitionError.from_state(self.state)


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


class ClaimStatus(str, enum.Enum):
    ACTIVE = "active"
    RELEASED = "released"
    COMPLETED = "completed"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {"active": "进行中", "released": "已释放", "completed": "已完成",
                "cancelled": "已取消"}[self.value]


class HoursStatus(str, enum.Enum):
    """Hours stated at completion earn points only once the person served or the secretary
    confirms them; unconfirmed hours at the end of the rating window follow the community's
    policy (wait for the secretary, count as stated, or lapse)."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    LAPSED = "lapsed"

    @property
    def label(self) -> str:
        return {"pending": "待确认", "confirmed": "已确认", "lapsed": "未确认(不计分)"}[self.value]


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


class Notification(db.Model):
    """The in-app inbox."""

    __tablename__ = "notifications"
    __table_args__ = (sa.Index("ix_notifications_inbox", "user_id", "read_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    wish_id: Mapped[int | None] = mapped_column(sa.ForeignKey("wishes.id", ondelete="CASCADE"))
    need_id: Mapped[int | None] = mapped_column(sa.ForeignKey("needs.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(30))
    text: Mapped[str] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Reminder(db.Model):
    """A reminder already sent. ``key`` names what it was about (the wish, the deadline), so
    each reminder goes out once however often the sweep runs."""

    __tablename__ = "reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(120), unique=True)
    wish_id: Mapped[int] = mapped_column(sa.ForeignKey("wishes.id", ondelete="CASCADE"),
                                         index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class JobLock(db.Model):
    """A lease on a job, so two schedulers (or a scheduler and an operator) never sweep at
    the same time. Taken with a conditional UPDATE, on SQLite and PostgreSQL alike."""

    __tablename__ = "job_locks"

    name: Mapped[str] = mapped_column(sa.String(50), primary_key=True)
    holder: Mapped[str | None] = mapped_column(sa.String(100))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_summary: Mapped[str | None] = mapped_column(sa.String(500))
