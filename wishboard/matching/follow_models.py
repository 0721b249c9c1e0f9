"""What a volunteer follows (a category of need, a grid place of their community) and the
new wishes waiting for their daily digest. Their skills and profile: ``models``."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from wishboard.core.clock import utcnow
from wishboard.core.db import UTCDateTime
from wishboard.extensions import db


class CategoryFollow(db.Model):
    """A volunteer follows a category of need: a new wish in it, in their community, is a
    message to them. Looked up per person (the key leads with the person), since a
    publish asks about the people of one community."""

    __tablename__ = "category_follows"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    category_id: Mapped[int] = mapped_column(
        sa.ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True)


class PlaceFollow(db.Model):
    """A volunteer follows a grid place of their community (片区, 院落, 楼栋): a new wish
    there, or anywhere inside it, is a message to them."""

    __tablename__ = "place_follows"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    place_id: Mapped[int] = mapped_column(sa.ForeignKey("communities.id", ondelete="CASCADE"),
                                          primary_key=True)


class DigestItem(db.Model):
    """A new wish waiting for a follower's daily digest (``follow_digest``): the digest
    job turns a person's waiting items into one message and removes them, in one
    transaction."""

    __tablename__ = "digest_items"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    wish_id: Mapped[int] = mapped_column(sa.ForeignKey("wishes.id", ondelete="CASCADE"),
                                         primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
