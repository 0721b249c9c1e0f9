"""The roll-up of a street or district: its communities side by side with the same figures
as their own statistics (``figures``), the whole place's totals, and its leaderboards. Who
reads which roll-up: ``access.rollup_refusal``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from wishboard.access import rollup_refusal
from wishboard.accounts.models import User
from wishboard.core.clock import local, utcnow
from wishboard.errors import NotFoundError
from wishboard.extensions import db
from wishboard.places.models import Community, Organization, OrganizationStatus
from wishboard.places.services import communities_under, get_community
from wishboard.points import services as points
from wishboard.points.models import PointsTotal
from wishboard.stats.figures import (
    PEOPLE, Durations, Figures, MonthRange, ServedShare, gather, median, month_range,
    people_active,
)


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
        found = gather(ids, span)
        rows = [RollupRow(c, found.totals[c.id], found.served[c.id]) for c in communities]
        everything = Durations()
        for community in communities:
            totals.add(found.totals[community.id])
            everything.claim += found.durations[community.id].claim
            everything.completion += found.durations[community.id].completion
            served.reporting += found.served[community.id].reporting
            served.served += found.served[community.id].served
        totals.claim_seconds = median(everything.claim)
        totals.completion_seconds = median(everything.completion)
        for row in people_active(ids, span, ()):
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
