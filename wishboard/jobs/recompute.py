"""Derived data, rebuilt from the base tables: ``flask wishboard recompute``.

The app keeps a few numbers beside the rows they count, each moved in the same transaction
as the rows (so a page reads one number instead of summing a district's rows). Each is
declared here once with the query that says what it must be:

- ``wish_tallies``: wishes per community and state (the board's total);
- ``wishes.rating_count`` / ``rating_sum``: the ratings that count, not removed (the
  stars on a card);
- ``wishes.member_count`` / ``confirmed_hours``: a service project's members and confirmed
  hours;
- ``users.open_claim_count``: a volunteer's live claims (the community's cap);
- ``activities.confirmed_count`` / ``waitlist_count``: seats taken and people waiting;
- ``points_totals``: the positive-energy totals, from the ledger (``points.recompute_totals``).

``recompute`` compares each with its base rows, repairs what differs (unless ``repair`` is
false), records every repair in the audit log, and says what it found. It is safe on a
live site: while it repairs, the changes it recounts wait for it (a second or so at a
district's size).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from wishboard.accounts.models import User
from wishboard.activities.models import Activity, Signup, SignupStatus
from wishboard.audit import services as audit
from wishboard.extensions import db
from wishboard.points import services as points
from wishboard.projects.models import LogStatus, ProjectMember, ServiceLog
from wishboard.ratings.models import Rating
from wishboard.wishes.models import Claim, ClaimStatus, Wish
from wishboard.wishes.tallies import WishTally
from wishboard.wishes.states import WishState


@dataclass(frozen=True)
class Difference:
    """One derived value that disagreed with its base rows."""

    kind: str
    key: str
    stored: object
    actual: object

    def __str__(self) -> str:
        return f"{self.kind} {self.key}: stored {self.stored}, actual {self.actual}"


@dataclass(frozen=True)
class DerivedColumn:
    """A counter column of ``model`` and the correlated query for what it must be."""

    kind: str
    model: type
    column: str
    actual: Callable[[], sa.ColumnElement]


def _scalar(select: sa.Select, model: type) -> sa.ColumnElement:
    return sa.func.coalesce(select.correlate(model).scalar_subquery(), 0)


DERIVED_COLUMNS = [
    DerivedColumn("wish rating_count", Wish, "rating_count", lambda: _scalar(
        sa.select(sa.func.count(Rating.id)).where(Rating.wish_id == Wish.id,
                                                  Rating.counted_at.is_not(None),
                                                  Rating.removed_at.is_(None)), Wish)),
    DerivedColumn("wish rating_sum", Wish, "rating_sum", lambda: _scalar(
        sa.select(sa.func.sum(Rating.stars)).where(Rating.wish_id == Wish.id,
                                                   Rating.counted_at.is_not(None),
                                                   Rating.removed_at.is_(None)), Wish)),
    DerivedColumn("project member_count", Wish, "member_count", lambda: _scalar(
        sa.select(sa.func.count(ProjectMember.id)).where(ProjectMember.wish_id == Wish.id),
        Wish)),
    DerivedColumn("project confirmed_hours", Wish, "confirmed_hours", lambda: _scalar(
        sa.select(sa.func.sum(ServiceLog.hours)).where(ServiceLog.wish_id == Wish.id,
                                                       ServiceLog.status == LogStatus.CONFIRMED),
        Wish)),
    DerivedColumn("volunteer open_claim_count", User, "open_claim_count", lambda: _scalar(
        sa.select(sa.func.count(Claim.id)).where(Claim.volunteer_id == User.id,
                                                 Claim.status == ClaimStatus.ACTIVE), User)),
    DerivedColumn("activity confirmed_count", Activity, "confirmed_count", lambda: _scalar(
        sa.select(sa.func.count(Signup.id)).where(
            Signup.activity_id == Activity.id,
            Signup.status.in_([SignupStatus.CONFIRMED, SignupStatus.ATTENDED,
                               SignupStatus.NO_SHOW])), Activity)),
    DerivedColumn("activity waitlist_count", Activity, "waitlist_count", lambda: _scalar(
        sa.select(sa.func.count(Signup.id)).where(Signup.activity_id == Activity.id,
                                                  Signup.status == SignupStatus.WAITLISTED),
        Activity)),
]


def _column_differences(counter: DerivedColumn, repair: bool) -> list[Difference]:
    column = getattr(counter.model, counter.column)
    rows = db.session.execute(
        sa.select(counter.model.id, column, counter.actual())
        .where(column != counter.actual()).order_by(counter.model.id)).all()
    if rows and repair:
        # Lock the rows first (PostgreSQL): a use case moving one of them now waits, and
        # the UPDATE below counts with a snapshot taken after every earlier move committed.
        ids = [r[0] for r in rows]
        db.session.execute(sa.select(counter.model.id).where(counter.model.id.in_(ids))
                           .order_by(counter.model.id).with_for_update())
        db.session.execute(
            sa.update(counter.model).where(counter.model.id.in_(ids))
            .values({counter.column: counter.actual()})
            .execution_options(synchronize_session=False))
    return [Difference(counter.kind, str(row_id), stored, actual)
            for row_id, stored, actual in rows]


def _hold_state_changes() -> None:
    """Keep every change of a wish's state waiting until this transaction ends, so the
    count below and the tallies it is compared with describe one moment. PostgreSQL: a
    lock on the tallies that only readers share (each change of state writes to them).
    SQLite: the database's one write lock, taken by a write that changes nothing."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("LOCK TABLE wish_tallies IN SHARE ROW EXCLUSIVE MODE"))
    else:
        db.session.execute(sa.update(WishTally).where(sa.false()).values(count=0))


def _tally_differences(repair: bool) -> list[Difference]:
    if repair:
        _hold_state_changes()
    actual = {(c, s): n for c, s, n in db.session.execute(
        sa.select(Wish.community_id, Wish.state, sa.func.count())
        .group_by(Wish.community_id, Wish.state))}
    stored = {(c, s): n for c, s, n in db.session.execute(
        sa.select(WishTally.community_id, WishTally.state, WishTally.count))}
    found = []
    for community_id, state in sorted(set(actual) | set(stored),
                                      key=lambda k: (k[0], k[1].value)):
        have, want = stored.get((community_id, state)), actual.get((community_id, state), 0)
        if have == want or (have is None and want == 0):
            continue
        found.append(Difference("wish tally", f"community {community_id} {state.value}",
                                have, want))
        if not repair:
            continue
        if have is None:
            db.session.add(WishTally(community_id=community_id, state=state, count=want))
        else:
            db.session.execute(sa.update(WishTally).where(
                WishTally.community_id == community_id, WishTally.state == WishState(state))
                .values(count=want))
    return found


def recompute(*, repair: bool = True) -> tuple[list[Difference], list[points.Mismatch]]:
    """Compare every derived value with its base rows; with ``repair``, rebuild what differs
    (one transaction for the counters, the points totals in their own) and record it."""
    found = []
    for counter in DERIVED_COLUMNS:
        found += _column_differences(counter, repair)
    # Last, as every use case does: a transaction holding the tallies waits for nothing.
    found = _tally_differences(repair) + found
    if repair and found:
        audit.record("derived_recomputed", actor=None, object_type="derived", object_id=None,
                     community_id=None,
                     after={"repaired": [str(d) for d in found[:200]], "count": len(found)})
        db.session.commit()
    return found, points.recompute_totals(repair=repair)
