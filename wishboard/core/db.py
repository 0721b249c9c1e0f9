"""What every table and every use case shares: the UTC time type, enums with their plain
Chinese labels and how they are stored, the engine-neutral upsert, and the one way a
unique constraint becomes a 409. (The declarative base and its naming convention live with
``db`` in ``wishboard.extensions``.)"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from wishboard.errors import WishboardError
from wishboard.extensions import db


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


class LabelledEnum(str, enum.Enum):
    """An enum whose members carry the stored value (what API.md shows) and the plain word
    the pages show: ``OPEN = "open", "待认领"`` gives ``.value == "open"`` and
    ``.label == "待认领"``."""

    label: str

    def __new__(cls, value: str, label: str):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member


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

    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def flush_or_conflict(conflict: WishboardError, *, commit: bool = False) -> None:
    """Flush (or commit) what the session holds; when a unique constraint refuses it (the
    last guard behind every "only once" rule, and what a lost race meets), roll the
    transaction back and raise ``conflict`` instead."""
    try:
        if commit:
            db.session.commit()
        else:
            db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise conflict from None


def commit_keeping_what_was_read() -> None:
    """Commit a record of a read (an audit line: who saw what) without expiring what the
    session read: the page then shows the rows as read in this same transaction, instead of
    reading each again."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


def page_of(query: sa.Select, page: int, per_page: int, *order_by,
            options: tuple = ()) -> tuple[list, int]:
    """One page of an ORM ``query`` in ``order_by`` order, and how many rows the whole
    query has. Loader ``options`` apply to the page only, not to the count."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.options(*options).order_by(*order_by)
                              .limit(per_page).offset((page - 1) * per_page))
    return list(rows.unique()), total


@dataclass
class Page:
    """One page of a list: its rows; how many rows the whole list has (when ``capped``, at
    least that many: counting stopped there); and ``next``, the cursor the page after this
    one starts from (None on the last page)."""

    items: list
    total: int
    next: str | None = None
    capped: bool = False


def count_upto(query: sa.Select, cap: int) -> tuple[int, bool]:
    """How many rows ``query`` has, counting no further than ``cap``: ``(n, n_reached_cap)``.
    A filtered list of a district's wishes costs a bounded count, never one over them all."""
    inner = query.with_only_columns(sa.literal_column("1"), maintain_column_froms=True)
    n = db.session.scalar(sa.select(sa.func.count()).select_from(
        inner.limit(cap + 1).subquery()))
    return min(n, cap), n > cap


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_CURSOR = re.compile(r"([0-9]{1,17})-([0-9]{1,10})")


def cursor_of(moment: datetime, row_id: int) -> str:
    """Where a list newest-first resumes after the row ``(moment, row_id)``."""
    return f"{(moment - _EPOCH) // timedelta(microseconds=1)}-{row_id}"


def parse_cursor(text: str) -> tuple[datetime, int] | None:
    """``cursor_of`` read back; None when ``text`` is not one."""
    match = _CURSOR.fullmatch(text)
    if match is None or int(match[2]) > 2**31 - 1:
        return None
    moment = _EPOCH + timedelta(microseconds=int(match[1]))
    return (moment, int(match[2])) if 2000 <= moment.year < 2100 else None


def contains(column, text: str):
    """``column`` contains ``text`` literally (``%`` and ``_`` in it are not wildcards)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.like(f"%{escaped}%", escape="\\")
