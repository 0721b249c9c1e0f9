"""What the scheduled jobs keep: reminders already sent and the lease on each job."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from wishboard.core.clock import utcnow
from wishboard.core.db import UTCDateTime
from wishboard.extensions import db


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
