"""The daily digest of followed wishes (每天汇总一次).

A follower who chose it (``VolunteerProfile.follow_digest``) is not told of each new wish
as it is published: ``services.notify_followers`` writes a ``DigestItem`` instead, in the
publish's own transaction. Once a day, at the local ``DIGEST_HOUR`` (18 by default, in the
``DISPLAY_TIMEZONE``), ``send_digests`` turns each person's waiting items into one message
(kind ``follow_digest``) naming the wishes that are still open, and deletes the items in
the same transaction. A person whose wishes have all been claimed (or cancelled, or have
expired) meanwhile gets nothing; their items go all the same.

Sent once, whoever runs it: each person's items are taken by one ``DELETE … RETURNING``,
and only the transaction whose DELETE removed them tells the person. Of two runs at the
same moment (two schedulers, the scheduler and ``flask wishboard digest``) the second
waits for the first's row locks (PostgreSQL) or its write lock (SQLite), then deletes
nothing and says nothing; a run repeated later finds nothing to send.

What a run takes: the items written up to the latest digest hour (``latest_digest_at``).
So the scheduler may also run it at start-up: after a downtime that missed 18:00 it sends
what waited then, and it never sends tomorrow's digest early. ``everything`` (``flask
wishboard digest --now``) takes every item waiting now.

Switching the digest off sends what is waiting at once (``send_waiting``, called by
``services.update_profile`` in its transaction): nothing is lost, and no item is left for
a person who no longer takes digests.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from wishboard.accounts.models import User
from wishboard.core.clock import clock_words, day_start, local_day, utcnow
from wishboard.extensions import db
from wishboard.matching.follow_models import DigestItem
from wishboard.notifications.services import notify
from wishboard.wishes.models import Wish
from wishboard.wishes.states import WishState

KIND = "follow_digest"
TEXT_ROOM = 300  # what a notification keeps (``notifications.services.notify``)


def digest_hour() -> int:
    return current_app.config["DIGEST_HOUR"]


def latest_digest_at(now: datetime) -> datetime:
    """The latest digest time at or before ``now``: today's ``DIGEST_HOUR`` (local time),
    or yesterday's before it has come."""
    today = local_day(now)
    at = day_start(today) + timedelta(hours=digest_hour())
    if at > now:
        at = day_start(today - timedelta(days=1)) + timedelta(hours=digest_hour())
    return at


def digest_time_words() -> str:
    """When the digest comes, as the profile page says it: 晚上6点."""
    return clock_words(day_start(local_day(utcnow())) + timedelta(hours=digest_hour()))


def digest_text(wishes: list[Wish]) -> str:
    """The message, naming as many titles as fit, then 等: 今天有3个您关注的新心愿：「…」、「…」。"""
    head = f"今天有{len(wishes)}个您关注的新心愿："
    titles: list[str] = []
    for wish in wishes:
        title = f"「{wish.title}」"
        if titles and len(head) + len("、".join([*titles, title])) + 2 > TEXT_ROOM:
            break
        titles.append(title)
    more = "等" if len(titles) < len(wishes) else ""
    return f"{head}{'、'.join(titles)}{more}。"


def _send_digest(user_id: int, cutoff: datetime, now: datetime) -> int | None:
    """Take the person's items written up to ``cutoff`` and, if any of their wishes is
    still open, tell them in one message. The caller commits. Returns how many open wishes
    the message named (0: none was left open, or the person is no longer active); None
    when there was nothing to take (another run took it first)."""
    wish_ids = db.session.execute(
        sa.delete(DigestItem)
        .where(DigestItem.user_id == user_id, DigestItem.created_at <= cutoff)
        .returning(DigestItem.wish_id)
        .execution_options(synchronize_session=False)).scalars().all()
    if not wish_ids:
        return None
    active = db.session.scalar(sa.select(User.is_active).where(User.id == user_id))
    still_open = list(db.session.scalars(
        sa.select(Wish).where(Wish.id.in_(wish_ids), Wish.state == WishState.OPEN)
        .order_by(Wish.published_at, Wish.id)))
    if not active or not still_open:
        return 0
    notify([user_id], KIND, digest_text(still_open),
           wish_id=still_open[0].id if len(still_open) == 1 else None, now=now)
    return len(still_open)


def send_waiting(user_id: int, now: datetime) -> int | None:
    """Everything waiting for one person, now (they switched the digest off). The caller
    commits."""
    return _send_digest(user_id, now, now)


@dataclass
class DigestReport:
    sent: int = 0  # people told
    wishes: int = 0  # wishes named in those messages
    emptied: int = 0  # people whose waiting wishes had all left open: nothing sent

    def summary(self) -> str:
        return (f"{self.sent} digests sent ({self.wishes} wishes); "
                f"{self.emptied} with nothing open left")


def send_digests(now: datetime | None = None, *, everything: bool = False,
                 batch_size: int = 500) -> DigestReport:
    """The daily digest job: every person with items written up to the latest digest hour
    (with ``everything``, up to ``now``) gets one message, one transaction each."""
    now = now or utcnow()
    cutoff = now if everything else latest_digest_at(now)
    report = DigestReport()
    last_id = 0
    while True:
        people = list(db.session.scalars(
            sa.select(DigestItem.user_id)
            .where(DigestItem.created_at <= cutoff, DigestItem.user_id > last_id)
            .group_by(DigestItem.user_id).order_by(DigestItem.user_id).limit(batch_size)))
        db.session.rollback()  # the list was only read; each person is a transaction
        if not people:
            return report
        for user_id in people:
            named = _send_digest(user_id, cutoff, now)
            db.session.commit()
            if named:
                report.sent += 1
                report.wishes += named
            elif named == 0:
                report.emptied += 1
        last_id = people[-1]
