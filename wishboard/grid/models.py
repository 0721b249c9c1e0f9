"""Grid contacts (楼栋长, 院落长, 网格员) and residents' home places."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wishboard.accounts.models import User
from wishboard.core.clock import utcnow
from wishboard.core.db import LabelledEnum, UTCDateTime, enum_column_type
from wishboard.extensions import db
from wishboard.places.models import Community, PlaceLevel

GRID_LEVELS = frozenset({PlaceLevel.AREA, PlaceLevel.COURTYARD, PlaceLevel.BUILDING,
                         PlaceLevel.GROUP})


class ContactRole(LabelledEnum):
    """A duty on a grid place; a person keeps their own account role (居民 or 志愿者)."""

    BUILDING_HEAD = "building_head", "楼栋长"
    COURTYARD_HEAD = "courtyard_head", "院落长"
    GRID_WORKER = "grid_worker", "网格员"

    def fits(self, level: PlaceLevel) -> bool:
        """楼栋长 on a 楼栋, 院落长 on a 院落, 网格员 on any grid place."""
        if self is ContactRole.BUILDING_HEAD:
            return level is PlaceLevel.BUILDING
        if self is ContactRole.COURTYARD_HEAD:
            return level is PlaceLevel.COURTYARD
        return level in GRID_LEVELS


class GridContact(db.Model):
    """A person of the community who answers for a grid place. One person may hold several
    places (and several duties); the same duty on the same place is held once."""

    __tablename__ = "grid_contacts"
    __table_args__ = (
        sa.UniqueConstraint("place_id", "user_id", "role",
                            name="uq_grid_contacts_place_user_role"),
        # The card and the routing of needs ask by place; "my places" by person; the
        # management page by community.
        sa.Index("ix_grid_contacts_place", "place_id", "id"),
        sa.Index("ix_grid_contacts_user", "user_id", "id"),
        sa.Index("ix_grid_contacts_community", "community_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(
        sa.ForeignKey("communities.id", ondelete="CASCADE"))
    place_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[ContactRole] = mapped_column(enum_column_type(ContactRole, "contact_role"))
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    place: Mapped[Community] = relationship(foreign_keys=[place_id])
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class ResidentHome(db.Model):
    """The grid place a resident lives in (their 楼栋, or a 院落 or 片区), as they say
    themselves. A volunteer's is in their service profile
    (``matching.models.VolunteerProfile.home_place_id``); ``grid.services.home_place_id_of``
    reads whichever the person has. A row of its own, not a column of ``users``: a foreign
    key added to ``users`` on SQLite means copying the table, which the foreign keys of a
    populated database refuse (see migration bb638a50d199)."""

    __tablename__ = "resident_homes"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    place_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id", ondelete="CASCADE"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    place: Mapped[Community] = relationship()
