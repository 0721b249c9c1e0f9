"""The community's numbers, month by month, computed from what is stored and never stored
twice; and the roll-up of a street or district: its communities side by side, and its
leaderboards.

Months are local months (``DISPLAY_TIMEZONE``, Asia/Shanghai): an event at 2026-10-31
17:00 UTC is on 1 November in Shanghai and counts in November. The SQL buckets each stored
UTC moment by its local month (``_month``); a range is read between its first month's
local midnight and the next month's after its last.

What each figure is, per month:

- ``posted``, ``claimed``, ``completed``, ``expired``: lines of the wishes' timelines
  (``WishEvent``: published, claimed, completed, expired) in the month. A wish given back
  and claimed again is claimed twice (two claims, two promises).
- ``claim_seconds`` / ``completion_seconds``: the median time from a wish's publication to
  its first claim (to its completion), over the wishes first claimed (completed) that month.
- ``hours``: confirmed hours (a claim's hours confirmed by the person served or the
  secretary, or settled as stated; a project member's confirmed service log), counted in
  the month they were confirmed, from the points ledger, which books them then: hours
  still waiting for confirmation, lapsed or rejected count nowhere.
- ``ratings`` and ``stars``: the ratings that count (their rater trusted, not withdrawn),
  in the month given; ``average_stars`` is stars per rating.
- ``active`` (and by type: party members, elders, others): volunteers who claimed a wish,
  completed one, logged service on a project (not rejected; by the day served) or checked
  in to an activity in this community that month. ``organizations``: reporting
  organisations that did any of these in their own name (a claim or completion for it, a
  service log on its project, a check-in at its activity).

For a range, the totals add the months up, except the medians (over every wish of the
range), the average (all stars over all ratings) and the people and organisations active
(each counted once in the range). ``served``: of the volunteers whose 报到 the community
approved (active accounts, as they stand now), how many served anywhere in the year of the
range's last month, up to that month's end (completed a wish, logged service or checked in
to an activity): a report or a range read later says the same, months after it not
counted.

All of it is public (counts, hours, stars; no names): the same figures for everyone, on the
secretary's page, the public 述评公开 page and ``GET /communities/<id>/stats``.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa

from wishboard.accounts.models import ReportStatus, Role, User, VolunteerType
from wishboard.activities.models import Activity, Signup
from wishboard.core.clock import day_start, local, local_zone, utcnow
from wishboard.core.db import UTCDateTime
from wishboard.errors import ValidationFailedError
from wishboard.extensions import db
from wishboard.places.models import Community
from wishboard.points.models import PointsEntry
from wishboard.projects.models import LogStatus, ServiceLog
from wishboard.ratings.models import Rating
from wishboard.wishes.models import Claim, ClaimStatus, Wish, WishEvent

MAX_MONTHS = 36
DEFAULT_MONTHS = 12
EVENT_FIGURES = {"published": "posted", "claimed": "claimed", "completed": "completed",
                 "expired": "expired"}


# Months ------------------------------------------------------------------------------------

def month_key(month: date) -> str:
    """2026-11"""
    return f"{month.year}-{month.month:02d}"


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def current_month(now: datetime | None = None) -> date:
    """The first day of the local month ``now`` (by default, the present) falls in."""
    return local(now or utcnow()).date().replace(day=1)


@dataclass(frozen=True)
class MonthRange:
    """Local months ``first`` to ``last`` (each the first day of its month), both counted."""

    first: date
    last: date

    @property
    def months(self) -> list[date]:
        return [add_months(self.first, n) for n in range(len(self))]

    def __len__(self) -> int:
        return (self.last.year - self.first.year) * 12 + self.last.month - self.first.month + 1

    @property
    def start(self) -> datetime:
        """Local midnight at the start of the first month."""
        return day_start(self.first)

    @property
    def end(self) -> datetime:
        """Local midnight at the start of the month after the last (not counted)."""
        return day_start(add_months(self.last, 1))


def month_range(first: date | None = None, last: date | None = None, *,
                now: datetime | None = None) -> MonthRange:
    """The months asked for: by default the last twelve, this month included; given only
    ``first``, up to this month; only ``last``, the twelve ending there. At most
    ``MAX_MONTHS``, in 2000-2099, and ``first`` not after ``last`` (else 400 on the field)."""
    if last is None:
        last = max(current_month(now), first) if first else current_month(now)
    if first is None:
        first = add_months(last, 1 - DEFAULT_MONTHS)
        first = max(first, date(2000, 1, 1))
    first, last = first.replace(day=1), last.replace(day=1)
    if first > last:
        raise ValidationFailedError(fields={"from": ["开始月份不能晚于结束月份"]})
    if not date(2000, 1, 1) <= first <= last < date(2100, 1, 1):
        raise ValidationFailedError(fields={"to": ["月份应在2000年到2099年之间"]})
    span = MonthRange(first, last)
    if len(span) > MAX_MONTHS:
        raise ValidationFailedError(fields={"to": [f"一次最多看{MAX_MONTHS}个月"]})
    return span


def _quoted(text: str) -> sa.ColumnElement:
    """A constant written into the SQL itself (a zone name, a format), not bound: a grouped
    expression must read the same in SELECT and GROUP BY, which two bound parameters do not
    on PostgreSQL."""
    return sa.literal_column("'" + text.replace("'", "''") + "'")


def _month(column) -> sa.ColumnElement:
    """The local month ('2026-11') of a stored UTC moment, in SQL. PostgreSQL converts by
    the zone's name; SQLite adds the zone's offset (Asia/Shanghai keeps +8 hours all year:
    it has no summer time)."""
    zone = local_zone()
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.func.to_char(sa.func.timezone(_quoted(zone.key), column), _quoted("YYYY-MM"))
    offset = int(zone.utcoffset(datetime(2000, 1, 1)).total_seconds())
    # Whole seconds only: SQLite rounds 23:59:59.9999 up to the next day.
    whole = sa.func.substr(column, sa.literal_column("1"), sa.literal_column("19"))
    return sa.func.strftime(_quoted("%Y-%m"), whole, _quoted(f"{offset:+d} seconds"))


def _day_month(column) -> sa.ColumnElement:
    """The month ('2026-11') of a stored local date (a service log's day), in SQL."""
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.func.to_char(column, _quoted("YYYY-MM"))
    return sa.func.strftime(_quoted("%Y-%m"), column)


# Figures -----------------------------------------------------------------------------------

ADDED_UP = ("posted", "claimed", "completed", "expired", "hours", "ratings", "stars")
PEOPLE = ("active", "party_members", "elders", "others", "organizations")
BY_TYPE = {VolunteerType.PARTY_MEMBER: "party_members", VolunteerType.ELDER: "elders",
           VolunteerType.OTHER: "others"}


@dataclass
class Figures:
    """One community's (or several's) figures for a month (``month``) or a whole range
    (``month`` None). See the module's docstring for what each one counts."""

    month: date | None = None
    posted: int = 0
    claimed: int = 0
    completed: int = 0
    expired: int = 0
    hours: Decimal = Decimal("0")
    ratings: int = 0
    stars: int = 0
    claim_seconds: float | None = None
    completion_seconds: float | None = None
    active: int = 0
    party_members: int = 0
    elders: int = 0
    others: int = 0
    organizations: int = 0

    @property
    def month_key(self) -> str | None:
        return month_key(self.month) if self.month else None

    @property
    def average_stars(self) -> float | None:
        return round(self.stars / self.ratings, 1) if self.ratings else None

    @property
    def claim_hours(self) -> float | None:
        """The median time to the first claim, in hours (one decimal)."""
        return None if self.claim_seconds is None else round(self.claim_seconds / 3600, 1)

    @property
    def completion_hours(self) -> float | None:
        return None if self.completion_seconds is None else round(
            self.completion_seconds / 3600, 1)

    def add(self, other: Figures) -> None:
        for name in ADDED_UP:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class ServedShare:
    """Of the volunteers whose 报到 the community approved (``reporting``), how many served
    in ``year`` up to the end of the month ``last`` (``served``)."""

    year: int
    reporting: int = 0
    served: int = 0
    last: date | None = None

    @property
    def share(self) -> float | None:
        return round(self.served / self.reporting, 3) if self.reporting else None

    @property
    def percent(self) -> int | None:
        return None if self.share is None else int(round(self.share * 100))


@dataclass
class CommunityStats:
    community: Community
    range: MonthRange
    months: list[Figures]
    totals: Figures
    served: ServedShare


@dataclass
class Durations:
    claim: list[float] = field(default_factory=list)
    completion: list[float] = field(default_factory=list)


def median(values: list[float]) -> float | None:
    return float(statistics.median(values)) if values else None


# The queries: each groups by community and local month (people: also by community only,
# or over everything), so one function serves a community's page and a district's roll-up.

def _event_counts(ids: list[int], span: MonthRange) -> list:
    month = _month(WishEvent.created_at)
    return db.session.execute(
        sa.select(Wish.community_id, month.label("month"), WishEvent.action,
                  sa.func.count().label("n"))
        .join(Wish, Wish.id == WishEvent.wish_id)
        .where(Wish.community_id.in_(ids), WishEvent.action.in_(list(EVENT_FIGURES)),
               WishEvent.created_at >= span.start, WishEvent.created_at < span.end)
        .group_by(Wish.community_id, month, WishEvent.action)).all()


def _hours(ids: list[int], span: MonthRange) -> list:
    """Confirmed hours from the ledger, which books them when they are confirmed; its
    ``month`` is already the local month (``points.periods_of``). Reversals subtract."""
    return db.session.execute(
        sa.select(PointsEntry.community_id, PointsEntry.month.label("month"),
                  sa.func.sum(PointsEntry.d_hours).label("hours"))
        .where(PointsEntry.community_id.in_(ids), PointsEntry.d_hours != 0,
               PointsEntry.created_at >= span.start, PointsEntry.created_at < span.end)
        .group_by(PointsEntry.community_id, PointsEntry.month)).all()


def _ratings(ids: list[int], span: MonthRange) -> list:
    month = _month(Rating.created_at)
    return db.session.execute(
        sa.select(Wish.community_id, month.label("month"), sa.func.count().label("n"),
                  sa.func.sum(Rating.stars).label("stars"))
        .join(Wish, Wish.id == Rating.wish_id)
        .where(Wish.community_id.in_(ids), Rating.counted_at.is_not(None),
               Rating.removed_at.is_(None),
               Rating.created_at >= span.start, Rating.created_at < span.end)
        .group_by(Wish.community_id, month)).all()


def _durations(ids: list[int], span: MonthRange) -> list:
    """Per wish first claimed or completed in the range: when it was published, first
    claimed and completed (one query; the medians are taken in Python, as SQL's percentile
    is not the same on every engine)."""
    first_claim = sa.type_coerce(sa.func.min(sa.case(
        (WishEvent.action == "claimed", WishEvent.created_at))), UTCDateTime())
    completed = sa.type_coerce(sa.func.min(sa.case(
        (WishEvent.action == "completed", WishEvent.created_at))), UTCDateTime())
    return db.session.execute(
        sa.select(Wish.community_id, Wish.id, Wish.published_at,
                  first_claim.label("first_claim"), completed.label("completed"))
        .join(WishEvent, WishEvent.wish_id == Wish.id)
        .where(Wish.community_id.in_(ids), Wish.published_at.is_not(None),
               WishEvent.action.in_(["claimed", "completed"]),
               WishEvent.created_at < span.end)
        .group_by(Wish.community_id, Wish.id, Wish.published_at)
        .having(sa.func.max(WishEvent.created_at) >= span.start)).all()


def _deeds(ids: list[int], span: MonthRange):
    """Who did something in which community and month, and for which organisation: claims,
    completions, service logs (by the day served), activity check-ins."""
    made = (sa.select(Wish.community_id.label("community_id"),
                      _month(Claim.claimed_at).label("month"),
                      Claim.volunteer_id.label("user_id"),
                      Claim.organization_id.label("organization_id"))
            .join(Wish, Wish.id == Claim.wish_id)
            .where(Wish.community_id.in_(ids), Claim.claimed_at >= span.start,
                   Claim.claimed_at < span.end))
    done = (sa.select(Wish.community_id, _month(Claim.ended_at), Claim.volunteer_id,
                      Claim.organization_id)
            .join(Wish, Wish.id == Claim.wish_id)
            .where(Wish.community_id.in_(ids), Claim.status == ClaimStatus.COMPLETED,
                   Claim.ended_at >= span.start, Claim.ended_at < span.end))
    logged = (sa.select(Wish.community_id, _day_month(ServiceLog.served_on), ServiceLog.user_id,
                        Wish.claim_organization_id)
              .join(Wish, Wish.id == ServiceLog.wish_id)
              .where(Wish.community_id.in_(ids), ServiceLog.status != LogStatus.REJECTED,
                     ServiceLog.served_on >= span.first,
                     ServiceLog.served_on < add_months(span.last, 1)))
    attended = (sa.select(Activity.community_id, _month(Signup.checked_in_at), Signup.user_id,
                          Activity.organization_id)
                .join(Activity, Activity.id == Signup.activity_id)
                .where(Activity.community_id.in_(ids), Signup.checked_in_at >= span.start,
                       Signup.checked_in_at < span.end))
    return sa.union_all(made, done, logged, attended).subquery("deeds")


def people_active(ids: list[int], span: MonthRange, by: tuple[str, ...]) -> list:
    """Distinct volunteers (by type) and organisations active, grouped ``by`` community
    and/or month (or over everything)."""
    deeds = _deeds(ids, span)
    groups = [deeds.c[name] for name in by]

    def distinct(condition, column=deeds.c.user_id):
        return sa.func.count(sa.distinct(sa.case((condition, column))))

    return db.session.execute(
        sa.select(*groups,
                  distinct(User.volunteer_type.is_not(None)).label("active"),
                  *[distinct(User.volunteer_type == kind).label(name)
                    for kind, name in BY_TYPE.items()],
                  sa.func.count(sa.distinct(deeds.c.organization_id)).label("organizations"))
        .select_from(deeds).join(User, User.id == deeds.c.user_id)
        .group_by(*groups)).all()


def _served(ids: list[int], last: date) -> dict[int, ServedShare]:
    """Approved volunteers of each community, and those who served anywhere in the year of
    the month ``last``, from 1 January to the end of that month (local time): what happened
    after it does not change a report or a range read later."""
    year, after = last.year, add_months(last, 1)
    start, end = day_start(date(year, 1, 1)), day_start(after)
    completed = sa.select(Claim.id).where(
        Claim.volunteer_id == User.id, Claim.status == ClaimStatus.COMPLETED,
        Claim.ended_at >= start, Claim.ended_at < end).exists()
    logged = sa.select(ServiceLog.id).where(
        ServiceLog.user_id == User.id, ServiceLog.status != LogStatus.REJECTED,
        ServiceLog.served_on >= date(year, 1, 1), ServiceLog.served_on < after).exists()
    attended = sa.select(Signup.id).where(
        Signup.user_id == User.id, Signup.checked_in_at >= start,
        Signup.checked_in_at < end).exists()
    people = (sa.select(User.community_id.label("community_id"),
                        sa.case((sa.or_(completed, logged, attended), 1), else_=0)
                        .label("served"))
              .where(User.community_id.in_(ids), User.role == Role.VOLUNTEER,
                     User.report_status == ReportStatus.APPROVED, User.is_active.is_(True))
              .subquery())
    shares = {community_id: ServedShare(year, last=last) for community_id in ids}
    for row in db.session.execute(
            sa.select(people.c.community_id, sa.func.count().label("reporting"),
                      sa.func.sum(people.c.served).label("served"))
            .group_by(people.c.community_id)):
        shares[row.community_id] = ServedShare(year, int(row.reporting), int(row.served or 0),
                                               last)
    return shares


@dataclass
class Gathered:
    """Every community's figures per month and for the range."""

    months: dict[int, dict[str, Figures]]
    totals: dict[int, Figures]
    durations: dict[int, Durations]
    served: dict[int, ServedShare]


def gather(ids: list[int], span: MonthRange) -> Gathered:
    keys = [month_key(m) for m in span.months]
    months = {c: {k: Figures(m) for k, m in zip(keys, span.months)} for c in ids}

    def cell(community_id, key) -> Figures | None:
        return months.get(community_id, {}).get(key)

    for row in _event_counts(ids, span):
        if (figures := cell(row.community_id, row.month)) is not None:
            name = EVENT_FIGURES[row.action]
            setattr(figures, name, getattr(figures, name) + row.n)
    for row in _hours(ids, span):
        if (figures := cell(row.community_id, row.month)) is not None:
            figures.hours += Decimal(row.hours or 0)
    for row in _ratings(ids, span):
        if (figures := cell(row.community_id, row.month)) is not None:
            figures.ratings, figures.stars = row.n, int(row.stars or 0)
    for row in people_active(ids, span, ("community_id", "month")):
        if (figures := cell(row.community_id, row.month)) is not None:
            for name in PEOPLE:
                setattr(figures, name, getattr(row, name))

    # Durations: the month of the first claim (of the completion), by local time.
    per_month: dict[tuple[int, str], Durations] = defaultdict(Durations)
    durations = {c: Durations() for c in ids}
    for row in _durations(ids, span):
        for moment, kind in ((row.first_claim, "claim"), (row.completed, "completion")):
            if moment is None or not span.start <= moment < span.end:
                continue
            seconds = max((moment - row.published_at).total_seconds(), 0.0)
            getattr(per_month[row.community_id, month_key(current_month(moment))],
                    kind).append(seconds)
            getattr(durations[row.community_id], kind).append(seconds)
    for (community_id, key), found in per_month.items():
        if (figures := cell(community_id, key)) is not None:
            figures.claim_seconds = median(found.claim)
            figures.completion_seconds = median(found.completion)

    totals = {c: Figures() for c in ids}
    for community_id in ids:
        for figures in months[community_id].values():
            totals[community_id].add(figures)
        totals[community_id].claim_seconds = median(durations[community_id].claim)
        totals[community_id].completion_seconds = median(durations[community_id].completion)
    for row in people_active(ids, span, ("community_id",)):
        for name in PEOPLE:
            setattr(totals[row.community_id], name, getattr(row, name))
    return Gathered(months, totals, durations, _served(ids, span.last))
