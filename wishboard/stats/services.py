"""The community's numbers: a community's figures per local month (what each figure counts
is the docstring of ``wishboard.stats.figures``), the monthly 通报, and the wish list for
download. The roll-up of a street or district is ``wishboard.stats.rollup``; both are
re-exported here, so ``from wishboard.stats import services as stats`` reaches them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa

from wishboard.access import ensure_can_manage_community
from wishboard.accounts.models import User
from wishboard.errors import NotFoundError
from wishboard.extensions import db
from wishboard.places.models import Category, Community
from wishboard.places.services import get_community
from wishboard.points import services as points
from wishboard.stats.figures import (  # noqa: F401  (re-exported)
    DEFAULT_MONTHS, MAX_MONTHS, CommunityStats, Figures, MonthRange, ServedShare, add_months,
    current_month, gather, month_key, month_range,
)
from wishboard.stats.rollup import (  # noqa: F401  (re-exported)
    ROLLUP_SORTS, Rollup, RollupBoardRow, RollupRow, is_this_year, period_of, rollup,
    rollup_leaderboard, rollup_place,
)
from wishboard.wishes.models import Claim, ClaimStatus, HoursStatus, Wish, WishKind
from wishboard.wishes.services import list_wishes
from wishboard.wishes.states import WishState


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
    found = gather([community.id], span)
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
    found = gather([community.id], span)
    previous, this = found.months[community.id].values()
    period = month_key(month)
    volunteers, _ = points.leaderboard(community.id, kind="volunteers", period=period,
                                       per_page=REPORT_TOP, public=True)
    organizations, _ = points.leaderboard(community.id, kind="organizations", period=period,
                                          per_page=REPORT_TOP)
    return MonthReport(community, month, this, previous, found.served[community.id],
                       volunteers, organizations)



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
