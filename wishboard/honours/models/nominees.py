"""Who is on a selection's list (``Nominee``), the objections raised during its 公示 with
their answers, and the certificates of those honoured."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wishboard.accounts.models import User
from wishboard.core.clock import utcnow
from wishboard.core.db import LabelledEnum, UTCDateTime, enum_column_type
from wishboard.extensions import db
from wishboard.honours.models.selection import HonourDivision, Selection, SelectionStanding
from wishboard.places.models import Community, Organization


class NomineeSource(LabelledEnum):
    RULES = "rules", "按规则提名"
    SECRETARY = "secretary", "社区增补"


class NomineeStatus(LabelledEnum):
    NOMINATED = "nominated", "候选"
    REMOVED = "removed", "社区移出名单"
    WITHDRAWN = "withdrawn", "异议成立，已撤销提名"
    HONOURED = "honoured", "已授予"


class Nominee(db.Model):
    """Someone on the list: proposed by the rules or added by the secretary, with the
    written reason of the last change made by hand (the whole history is in the audit
    log). One row per person or organisation per selection: removing and adding again
    changes the row."""

    __tablename__ = "selection_nominees"
    __table_args__ = (
        sa.CheckConstraint("(user_id IS NULL) <> (organization_id IS NULL)", name="one_owner"),
        sa.CheckConstraint("source = 'rules' OR added_reason IS NOT NULL",
                           name="added_with_reason"),
        sa.UniqueConstraint("selection_id", "user_id", name="uq_selection_nominees_user"),
        sa.UniqueConstraint("selection_id", "organization_id",
                            name="uq_selection_nominees_organization"),
        sa.Index("ix_selection_nominees_selection", "selection_id", "division", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    selection_id: Mapped[int] = mapped_column(
        sa.ForeignKey("selections.id", ondelete="CASCADE"))
    division: Mapped[HonourDivision] = mapped_column(
        enum_column_type(HonourDivision, "honour_division"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"))
    standing_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("selection_standings.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(sa.String(100))
    source: Mapped[NomineeSource] = mapped_column(
        enum_column_type(NomineeSource, "nominee_source"))
    status: Mapped[NomineeStatus] = mapped_column(
        enum_column_type(NomineeStatus, "nominee_status"), default=NomineeStatus.NOMINATED)
    # Why the secretary added them (shown on the 公示 page), and why they left the list
    # (removed by the secretary, or the answer to an upheld objection).
    added_reason: Mapped[str | None] = mapped_column(sa.String(200))
    removed_reason: Mapped[str | None] = mapped_column(sa.String(500))
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    changed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # When the public first saw them on the list: the start of the first 公示 that listed
    # them (whoever the public saw and who then leaves the list stays on its page).
    shown_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    selection: Mapped[Selection] = relationship()
    standing: Mapped[SelectionStanding | None] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    organization: Mapped[Organization | None] = relationship()

    @property
    def is_listed(self) -> bool:
        """On the list the public judges: a candidate, or honoured."""
        return self.status in (NomineeStatus.NOMINATED, NomineeStatus.HONOURED)


class ObjectionStatus(LabelledEnum):
    OPEN = "open", "等待社区答复"
    UPHELD = "upheld", "异议成立"
    DISMISSED = "dismissed", "异议不成立"


class Objection(db.Model):
    """An objection to one nominee, raised during the 公示 by someone logged in, and the
    secretary's written answer. The objector's name is never public."""

    __tablename__ = "selection_objections"
    __table_args__ = (
        sa.CheckConstraint("status = 'open' OR answer IS NOT NULL", name="answered_in_words"),
        # One open objection per person per nominee (answered ones do not count).
        sa.Index("uq_selection_objections_open", "nominee_id", "user_id", unique=True,
                 sqlite_where=sa.text("status = 'open'"),
                 postgresql_where=sa.text("status = 'open'")),
        sa.Index("ix_selection_objections_selection", "selection_id", "status", "id"),
        sa.Index("ix_selection_objections_user", "user_id", "selection_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    selection_id: Mapped[int] = mapped_column(
        sa.ForeignKey("selections.id", ondelete="CASCADE"))
    nominee_id: Mapped[int] = mapped_column(
        sa.ForeignKey("selection_nominees.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(sa.String(500))
    status: Mapped[ObjectionStatus] = mapped_column(
        enum_column_type(ObjectionStatus, "objection_status"), default=ObjectionStatus.OPEN)
    answer: Mapped[str | None] = mapped_column(sa.String(500))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    nominee: Mapped[Nominee] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])


class Certificate(db.Model):
    """荣誉证书: what was printed (the name as it stood on the list, the honour, the year)
    and whether it still stands. ``code`` is the verification code on the paper: random,
    never derived from anything, unique."""

    __tablename__ = "certificates"
    __table_args__ = (
        sa.CheckConstraint("(user_id IS NULL) <> (organization_id IS NULL)", name="one_owner"),
        sa.CheckConstraint("withdrawn_at IS NULL OR withdrawn_reason IS NOT NULL",
                           name="withdrawn_with_reason"),
        sa.Index("ix_certificates_user", "user_id", "id"),
        sa.Index("ix_certificates_organization", "organization_id", "id"),
        sa.Index("ix_certificates_selection", "selection_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    selection_id: Mapped[int] = mapped_column(
        sa.ForeignKey("selections.id", ondelete="CASCADE"))
    nominee_id: Mapped[int] = mapped_column(
        sa.ForeignKey("selection_nominees.id", ondelete="CASCADE"), unique=True)
    community_id: Mapped[int] = mapped_column(
        sa.ForeignKey("communities.id", ondelete="RESTRICT"))
    year: Mapped[int] = mapped_column()
    division: Mapped[HonourDivision] = mapped_column(
        enum_column_type(HonourDivision, "honour_division"))
    name: Mapped[str] = mapped_column(sa.String(100))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="CASCADE"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_reason: Mapped[str | None] = mapped_column(sa.String(200))
    withdrawn_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))

    community: Mapped[Community] = relationship()
    selection: Mapped[Selection] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])

    @property
    def stands(self) -> bool:
        return self.withdrawn_at is None

    @property
    def code_words(self) -> str:
        """The code as printed, in groups of four: ABCD-EFGH-JKMN."""
        return "-".join(self.code[i:i + 4] for i in range(0, len(self.code), 4))
