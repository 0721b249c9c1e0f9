"""The board's tallies: wishes per community and state, a derived table kept beside the
wishes (a table of its own file, so the wishes' model file keeps to the wish, its people,
claims and timeline)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from wishboard.core.db import enum_column_type
from wishboard.extensions import db
from wishboard.wishes.states import WishState


class WishTally(db.Model):
    """How many wishes of a community are in each state: kept in step with every change of
    state in the same transaction (``wishes.services``, by ``board.tally``), so a board's
    total is a row or two, not a count over a district's wishes. ``flask wishboard
    recompute`` rebuilds it."""

    __tablename__ = "wish_tallies"

    community_id: Mapped[int] = mapped_column(
        sa.ForeignKey("communities.id", ondelete="CASCADE"), primary_key=True)
    state: Mapped[WishState] = mapped_column(enum_column_type(WishState, "state"),
                                             primary_key=True)
    count: Mapped[int] = mapped_column(default=0, server_default="0")
