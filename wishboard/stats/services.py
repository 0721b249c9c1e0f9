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

from wishboard.access import ensure_can_manage_community, rollup_refusal
from wishboard.accounts.models import ReportStatus, Role, User, VolunteerType
from wishboard.activities.models import Activity, Signup
from wishboard.core.clock import day_start, local, local_zone, utcnow
from wishboard.core.db import UTCDateTime
from wishboard.errors import NotFoundError, ValidationFailedError
from wishboard.extensions import db
from wishboard.places.models import Category, Community, Organization, OrganizationStatus
from wishboard.places.services import communities_under, get_community
from wishboard.points import services as points
from wishboard.points.models import PointsEntry, PointsTotal
from wishboard.projects.models import LogStatus, ServiceLog
from wishboard.ratings.models import Rating
from wishboard.wishes.models import Claim, ClaimStatus, HoursStatus, Wish, WishEvent, WishKind
from wishboard.wishes.services import list_wishes
from wishboard.wishes.states import WishState

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
class _Durations:
    claim: list[float] = field(default_factory=list)
    completion: list[float] = field(default_factory=list)


def _median(values: list[float]) -> float | None:
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


def _people(ids: list[int], span: MonthRange, by: tuple[str, ...]) -> list:
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
class _Gathered:
    """Every community's figures per month and for the range."""

    months: dict[int, dict[str, Figures]]
    totals: dict[int, Figures]
    durations: dict[int, _Durations]
    served: dict[int, ServedShare]


def _gather(ids: list[int], span: MonthRange) -> _Gathered:
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
    for row in _people(ids, span, ("community_id", "month")):
        if (figures := cell(row.community_id, row.month)) is not None:
            for name in PEOPLE:
                setattr(figures, name, getattr(row, name))

    # Durations: the month of the first claim (of the completion), by local time.
    per_month: dict[tuple[int, str], _Durations] = defaultdict(_Durations)
    durations = {c: _Durations() for c in ids}
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
            figures.claim_seconds = _median(found.claim)
            figures.completion_seconds = _median(found.completion)

    totals = {c: Figures() for c in ids}
    for community_id in ids:
        for figures in months[community_id].values():
            totals[community_id].add(figures)
        totals[community_id].claim_seconds = _median(durations[community_id].claim)
        totals[community_id].completion_seconds = _median(durations[community_id].completion)
    for row in _people(ids, span, ("community_id",)):
        for name in PEOPLE:
            setattr(totals[row.community_id], name, getattr(row, name))
    return _Gathered(months, totals, durations, _served(ids, span.last))


# A community --------------------------------------------------------------------------------

def _community(community_id: int) -> Community:
    community = get_community(community_id)
    if not community.is_community:
        raise NotFoundError("只有社区和村有统计，街道和区请看汇总",
                            message_en="Statistics are kept for communities and villages")
    return community


def community_stats(community_id: int, *, first: date | None = None, last: date | None = None,
                    now: datetime | None = None) -> CommunityStats:
    """A community's figures per local month of the range (by default the last twelve)
    and for the whole range. Public: anyone may read them (404 for a place that is not a
    社区/村)."""
    community = _community(community_id)
    span = month_range(first, last, now=now)
    found = _gather([community.id], span)
    return CommunityStats(community, span, list(found.months[community.id].values()),
                          found.totals[community.id], found.served[community.id])


# The monthly 通报 ---------------------------------------------------------------------------

REPORT_TOP = 10


@dataclass
class MonthReport:
    community: Community
    month: date
    figures: Figures
    previous: Figures
    served: ServedShare
    volunteers: list[points.BoardRow]
    organizations: list[points.BoardRow]


def month_report(community_id: int, month: date | None = None, *,
                 now: datetime | None = None) -> MonthReport:
    """定期通报: a month's figures beside the month before, the share who served in its
    year up to the month's end (a report read later says the same), and the month's top
    volunteers and organisations as the 光荣榜 shows them (names kept off public boards
    stay off, and so do those volunteers' organisations)."""
    community = _community(community_id)
    month = (month or current_month(now)).replace(day=1)
    span = month_range(add_months(month, -1), month, now=now)
    found = _gather([community.id], span)
    previous, this = found.months[community.id].values()
    period = month_key(month)
    volunteers, _ = points.leaderboard(community.id, kind="volunteers", period=period,
                                       per_page=REPORT_TOP, public=True)
    organizations, _ = points.leaderboard(community.id, kind="organizations", period=period,
                                          per_page=REPORT_TOP)
    return MonthReport(community, month, this, previous, found.served[community.id],
                       volunteers, organizations)


# The roll-up of a street or district ---------------------------------------------------------

ROLLUP_SORTS = ("name", "posted", "claimed", "completed", "expired", "hours", "average_stars",
                "claim_seconds", "completion_seconds", "active", "party_members", "elders",
                "others", "organizations", "served_share")


@dataclass
class RollupRow:
    community: Community
    figures: Figures
    served: ServedShare

    def value(self, sort: str):
        if sort == "name":
            return self.community.name
        if sort == "served_share":
            return self.served.share
        return getattr(self.figures, sort)


@dataclass
class Rollup:
    place: Community
    range: MonthRange
    rows: list[RollupRow]
    totals: Figures
    served: ServedShare
    sort: str
    order: str


def rollup_place(viewer: User | None, place_id: int) -> Community:
    """A place whose roll-up ``viewer`` may read (``access.rollup_refusal``): a community or
    any place above (a grid place has no roll-up: 404)."""
    place = get_community(place_id)
    if place.community_id is not None:
        raise NotFoundError("没有这个街道或区", message_en="No such street or district")
    if (refusal := rollup_refusal(viewer, place)) is not None:
        raise refusal
    return place


def rollup(viewer: User | None, place_id: int, *, first: date | None = None,
           last: date | None = None, sort: str = "name", order: str = "asc",
           now: datetime | None = None) -> Rollup:
    """The communities under a street or district side by side, each with the same figures
    as its own statistics for the range, sorted by any of them (``ROLLUP_SORTS``; a
    community with nothing to show for it goes last either way), and the whole place's
    totals (people active in two of its communities counted once)."""
    place = rollup_place(viewer, place_id)
    span = month_range(first, last, now=now)
    communities = communities_under(place)
    ids = [c.id for c in communities]
    totals, served = Figures(), ServedShare(span.last.year, last=span.last)
    rows: list[RollupRow] = []
    if ids:
        found = _gather(ids, span)
        rows = [RollupRow(c, found.totals[c.id], found.served[c.id]) for c in communities]
        everything = _Durations()
        for community in communities:
            totals.add(found.totals[community.id])
            everything.claim += found.durations[community.id].claim
            everything.completion += found.durations[community.id].completion
            served.reporting += found.served[community.id].reporting
            served.served += found.served[community.id].served
        totals.claim_seconds = _median(everything.claim)
        totals.completion_seconds = _median(everything.completion)
        for row in _people(ids, span, ()):
            for name in PEOPLE:
                setattr(totals, name, getattr(row, name))
    sort = sort if sort in ROLLUP_SORTS else "name"
    known = [r for r in rows if r.value(sort) is not None]
    unknown = [r for r in rows if r.value(sort) is None]
    known.sort(key=lambda r: r.value(sort), reverse=order == "desc")
    return Rollup(place, span, known + unknown, totals, served, sort, order)


@dataclass
class RollupBoardRow(points.BoardRow):
    """A row of a district-wide leaderboard: the 光荣榜's row and the community it ranks in."""

    community: str | None = None


def rollup_leaderboard(viewer: User | None, place_id: int, *, kind: str = "volunteers",
                       period: str = "all", page: int = 1, per_page: int = 20
                       ) -> tuple[list[RollupBoardRow], int]:
    """The volunteers (or organisations) of every community under a street or district,
    ranked together by the points totals their own boards rank by (``PointsTotal``, for all
    time or a year): points, then completions, then hours, then the earlier member. An
    organisation ranks by what its community's board ranks by (body and members, or the
    body alone: ``org_ranking``); only approved ones. Names kept off public boards stay off,
    and so do those volunteers' organisations.
    One query for the page (with the count beside each row)."""
    place = rollup_place(viewer, place_id)
    ids = [c.id for c in communities_under(place)]
    if not ids:
        return [], 0
    organizations = kind == "organizations"
    ranked = sa.case((Community.org_ranking == "body", PointsTotal.body_points),
                     else_=PointsTotal.points) if organizations else PointsTotal.points
    query = (sa.select(PointsTotal, ranked.label("ranked"), Community.name.label("community"),
                       sa.func.count().over().label("total"))
             .join(Community, Community.id == PointsTotal.community_id)
             .where(PointsTotal.community_id.in_(ids), PointsTotal.period == period,
                    PointsTotal.owner_type == ("organization" if organizations
                                               else "volunteer")))
    if organizations:
        query = (query.add_columns(Organization.name)
                 .join(Organization, Organization.id == PointsTotal.owner_id)
                 .where(Organization.report_status == OrganizationStatus.APPROVED))
    else:
        query = (query.add_columns(User.name, User.show_on_boards, User.volunteer_type,
                                   Organization.name.label("org_name"))
                 .join(User, User.id == PointsTotal.owner_id)
                 .outerjoin(Organization, Organization.id == User.organization_id))
    rows = db.session.execute(
        query.order_by(ranked.desc(), PointsTotal.completions.desc(), PointsTotal.hours.desc(),
                       PointsTotal.owner_id)
        .limit(per_page).offset((page - 1) * per_page)).all()
    if rows:
        total = rows[0].total
    else:  # past the last page: count on its own
        total = db.session.scalar(sa.select(sa.func.count()).select_from(
            query.with_only_columns(PointsTotal.id).subquery()))
    result = []
    for position, row in enumerate(rows, start=(page - 1) * per_page + 1):
        t = row[0]
        entry = RollupBoardRow(
            rank=position, id=t.owner_id, name=row.name, points=row.ranked, claims=t.claims,
            completions=t.completions, activities=t.activities, hours=float(t.hours),
            average_stars=t.average_stars, community=row.community)
        if organizations:
            entry.body_points, entry.member_points = t.body_points, t.member_points
        else:
            entry.volunteer_type = row.volunteer_type.value if row.volunteer_type else None
            entry.organization = row.org_name
            if not row.show_on_boards:  # nor the organisation, which names them in a small one
                entry.id, entry.name, entry.organization = None, points.ANONYMOUS, None
        result.append(entry)
    return result, total


def period_of(kind: str, year: int | None = None, *, now: datetime | None = None) -> str:
    """'all', or the year asked for (by default this one), as the totals name it."""
    return "all" if kind == "all" else str(year or local(now or utcnow()).year)


def is_this_year(year: int, now: datetime | None = None) -> bool:
    return year == local(now or utcnow()).year



# The wish list, for download -------------------------------------------------------------------

EXPORT_CAP = 5000


@dataclass
class WishExport:
    """The wishes of a community that pass the list's filters (newest first, at most
    ``EXPORT_CAP``; ``truncated`` when there were more), each with its hours: a micro-wish's
    as its completed claim states and confirms them, a project's confirmed service logs."""

    community: Community
    wishes: list[Wish]
    hours: dict[int, tuple[Decimal | None, str]]
    truncated: bool
    filters: str


def export_wishes(actor: User, community_id: int, *, status: str | None = None,
                  category_id: int | None = None, kind: str | None = None,
                  grid_id: int | None = None, q: str | None = None) -> WishExport:
    """The wish list as the secretary filters it on the board (``wishes.list_wishes``, the
    same filters), for a CSV or Excel download: their own community's (403 otherwise)."""
    community = _community(community_id)
    ensure_can_manage_community(actor, community.id)
    page = list_wishes(viewer=actor, community_id=community.id, status=status,
                       category_id=category_id, kind=kind, grid_id=grid_id, q=q,
                       per_page=EXPORT_CAP, people=False)
    ids = [w.id for w in page.items]
    hours: dict[int, tuple[Decimal | None, str]] = {}
    if ids:
        for claim in db.session.scalars(sa.select(Claim).where(
                Claim.wish_id.in_(ids), Claim.status == ClaimStatus.COMPLETED)):
            confirmed = claim.hours_status is HoursStatus.CONFIRMED
            hours[claim.wish_id] = (claim.confirmed_hours if confirmed else claim.hours,
                                    claim.hours_status.label if claim.hours_status else "")
    for wish in page.items:
        if wish.kind is WishKind.PROJECT and wish.confirmed_hours:
            hours[wish.id] = (wish.confirmed_hours, HoursStatus.CONFIRMED.label)
    said = [WishState(status).label if status else "全部状态"]
    if category_id and (category := db.session.get(Category, category_id)) is not None:
        said.append(category.name)
    if kind:
        said.append(WishKind(kind).label)
    if grid_id and (grid := db.session.get(Community, grid_id)) is not None:
        said.append(grid.name)
    if q:
        said.append(f"含“{q}”")
    return WishExport(community, page.items, hours, page.next is not None, "，".join(said))
