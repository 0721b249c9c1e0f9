"""Accounts, roles, the volunteer's report (报到) and API tokens."""

from __future__ import annotations

import unicodedata
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wishboard.core.clock import utcnow
from wishboard.core.db import LabelledEnum, UTCDateTime, enum_column_type
from wishboard.extensions import db
from wishboard.places.models import Community, Organization


class Role(LabelledEnum):
    """What a person is on the board; it decides what they may do (``wishboard.access``)."""

    RESIDENT = "resident", "居民"
    VOLUNTEER = "volunteer", "志愿者"
    SECRETARY = "secretary", "社区书记"
    ADMIN = "admin", "管理员"


def fold_username(username: str) -> str:
    """How usernames compare and are stored: compatibility forms folded (ｓｈｕｊｉ is shuji),
    case folded (Shuji and SHUJI are shuji), outer spaces dropped."""
    return unicodedata.normalize("NFKC", username).strip().casefold()


# The password hash of an account entered only by switching to it (a volunteer hat,
# ``AccountLink``): nothing verifies against it.
NO_PASSWORD = "!"

# The roles that run a community's board.
STAFF = (Role.SECRETARY, Role.ADMIN)

# What a secretary's account at a street or district is called (``User.role_label``).
ROLLUP_ACCOUNT_LABEL = "汇总账号"


class VolunteerType(LabelledEnum):
    """The kind of volunteer, as the commendation lists them: a reporting party member
    (报到党员), an elder of the 五老, or anyone else."""

    PARTY_MEMBER = "party_member", "报到党员"
    ELDER = "elder", "五老志愿者"
    OTHER = "other", "志愿者"


class ReportStatus(LabelledEnum):
    """A volunteer's 报到 (reporting in to the community): waiting for the secretary,
    accepted, or turned back with a reason. Only accepted volunteers claim wishes."""

    PENDING = "pending", "待审核"
    APPROVED = "approved", "已报到"
    REJECTED = "rejected", "未通过"


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        sa.CheckConstraint(
            "(role = 'volunteer') = (volunteer_type IS NOT NULL AND report_status IS NOT NULL)",
            name="volunteer_fields",
        ),
        sa.CheckConstraint("role = 'admin' OR community_id IS NOT NULL", name="community_required"),
        sa.CheckConstraint("open_claim_count >= 0", name="open_claim_count_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored case-folded so "WuLi" and "wuli" are one account.
    username: Mapped[str] = mapped_column(sa.String(40), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    name: Mapped[str] = mapped_column(sa.String(50))
    phone: Mapped[str] = mapped_column(sa.String(20), default="", server_default="")
    role: Mapped[Role] = mapped_column(enum_column_type(Role, "role"))
    community_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("communities.id", ondelete="RESTRICT"), index=True
    )
    volunteer_type: Mapped[VolunteerType | None] = mapped_column(
        enum_column_type(VolunteerType, "volunteer_type")
    )
    organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
    # Since when they are a member of ``organization_id`` (None: since the account was made,
    # for memberships older than this column): a service log is never dated before it.
    organization_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    report_status: Mapped[ReportStatus | None] = mapped_column(
        enum_column_type(ReportStatus, "report_status")
    )
    report_reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    report_reviewed_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    report_reject_reason: Mapped[str | None] = mapped_column(sa.String(200))
    # A resident the secretary knows (认识的街坊): their ratings earn points at once.
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    verified_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    is_active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    # Claims this volunteer holds right now; a conditional UPDATE on it enforces a community's
    # cap even when one person claims twice at the same moment.
    open_claim_count: Mapped[int] = mapped_column(default=0, server_default="0")
    # A volunteer may keep their name off public boards; their points still count.
    show_on_boards: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    # Raised by log-out, a password change and 退出所有设备: every session and 记住我 cookie
    # made under an older number stops working (``get_id`` carries it into both).
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    community: Mapped[Community | None] = relationship(foreign_keys=[community_id])
    organization: Mapped[Organization | None] = relationship(foreign_keys=[organization_id])

    def get_id(self) -> str:
        """What Flask-Login keeps in the session and the 记住我 cookie: ``"42:3"``, the id and
        the session version (``blueprints.login`` refuses one whose version is old)."""
        return f"{self.id}:{self.session_version or 0}"

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    @property
    def has_own_password(self) -> bool:
        """False for a volunteer hat: its person logs in as themselves and switches."""
        return self.password_hash != NO_PASSWORD

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def is_secretary(self) -> bool:
        return self.role is Role.SECRETARY

    @property
    def role_label(self) -> str:
        """The role in words: 社区书记, 志愿者, ...; a secretary's account placed at a street
        or district, not at a community, is a 汇总账号 (``access.is_rollup_account``): it
        runs no community."""
        if self.role is Role.SECRETARY and self.community is not None \
                and not self.community.is_community:
            return ROLLUP_ACCOUNT_LABEL
        return self.role.label

    @hybrid_property
    def report_approved_by_person(self) -> bool:
        """A 报到 a person accepted, not the community's automatic approval: approved, and
        either a reviewer is named (the secretary's decision, ``approve_report``) or no
        review moment at all (rows entered by hand). The automatic approval stamps the
        moment but names no reviewer (``register_user``, ``hats``); nobody looked. Usable in
        queries too (``access.known_neighbours``)."""
        return self.report_status is ReportStatus.APPROVED and (
            self.report_reviewed_by_id is not None or self.report_reviewed_at is None)

    @report_approved_by_person.inplace.expression
    @classmethod
    def _report_approved_by_person_expression(cls) -> sa.ColumnElement[bool]:
        return sa.and_(cls.report_status == ReportStatus.APPROVED,
                       sa.or_(cls.report_reviewed_by_id.is_not(None),
                              cls.report_reviewed_at.is_(None)))

    @property
    def is_trusted_rater(self) -> bool:
        """Whose stars count at once: verified residents, volunteers whose 报到 a person
        approved (``report_approved_by_person``: an automatic approval is no one's word),
        staff. The others wait for the community's period (``access.is_trusted_rater``)."""
        if self.role is Role.RESIDENT:
            return self.verified_at is not None
        if self.role is Role.VOLUNTEER:
            return self.report_approved_by_person
        return True

    @property
    def is_approved_volunteer(self) -> bool:
        return self.role is Role.VOLUNTEER and self.report_status is ReportStatus.APPROVED

    def __repr__(self) -> str:
        return f"<User {self.id} {self.username} {self.role.value}>"


class ApiToken(db.Model):
    """A bearer token. Only its SHA-256 is stored; the token itself is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class PasswordReset(db.Model):
    """A one-time code the community's secretary gives a person who cannot log in (read out
    or printed: many residents have no email). Only a keyed hash of it is kept; it works
    once, until ``expires_at``, and a newer code replaces it."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    issued_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Set when the code was used, or when a newer code replaced it.
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AccountLink(db.Model):
    """One person, two hats (切换身份): a community secretary who also reports as a
    volunteer where they live. The volunteer hat (``persona``) is an account of its own in
    the other community, so every rule of a volunteer applies to it unchanged, but it has
    no password: the person logs in as themselves (``owner``) and switches. Their sessions
    and tokens end together (``accounts.services``)."""

    __tablename__ = "account_links"

    persona_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                            primary_key=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                          unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
