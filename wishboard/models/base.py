"""The UTC time type every table uses, and how enums are stored. (The declarative base and
its naming convention live with ``db`` in ``wishboard.extensions``.)"""

from __future__ import annotations

import enum
from datetime import datetime, timezone

import sqlalchemy as sa


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(sa.TypeDecorator):
    """A timezone-aware UTC datetime on every engine.

    PostgreSQL stores ``timestamptz``; SQLite has no time zones, so values are stored as UTC
    and handed back tagged as UTC. Naive datetimes are refused rather than guessed at.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        value = value.astimezone(timezone.utc)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def enum_column_type(enum_cls: type[enum.Enum], name: str, length: int = 20) -> sa.Enum:
    """Store an enum's *values* (what API.md shows) as a VARCHAR with a CHECK constraint."""
    return sa.Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


def upsert(table):
    """An INSERT that offers ``on_conflict_do_nothing`` / ``on_conflict_do_update`` on the
    engine in use (SQLite and PostgreSQL spell them alike in SQLAlchemy)."""
    from sqlalchemy.dialects import postgresql, sqlite

    from wishboard.extensions import db

    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
