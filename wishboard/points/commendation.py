"""The annual commendation (年度表彰): the year's ranked volunteers and organisations, for
the secretary to commend 先进报到党组织 and 优秀报到党员 (the downloads: ``export.py``).

``points.services`` re-exports ``Commendation`` and ``commendation``, so
``points.commendation`` keeps working; this module reads the boards of ``points.services``
(``leaderboard``) with an import inside the use case, not at the top, as ``points.services``
imports this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import sqlalchemy as sa

from wishboard.access import ensure_can_manage_community
from wishboard.accounts.models import User
from wishboard.extensions import db
from wishboard.points.rules import period_key

if TYPE_CHECKING:
    from wishboard.points.services import BoardRow


@dataclass
class Commendation:
    community_id: int
    year: int
    volunteers: list[BoardRow]
    organizations: list[BoardRow]
    phones: dict[int, str]
    hidden_names: set[int]


def commendation(actor: User, community_id: int, year: int, *, limit: int = 500
                 ) -> Commendation:
    """The year's ranked volunteers and organisations, for the secretary to commend
    先进报到党组织 and 优秀报到党员."""
    # The boards are in ``points.services``, which imports this module to re-export it.
    from wishboard.points.services import leaderboard

    ensure_can_manage_community(actor, community_id)
    period = period_key("year", year=year)
    volunteers, _ = leaderboard(community_id, kind="volunteers", period=period,
                                per_page=limit, public=False)
    organizations, _ = leaderboard(community_id, kind="organizations", period=period,
                                   per_page=limit)
    ids = [row.id for row in volunteers]
    people = db.session.execute(sa.select(User.id, User.phone, User.show_on_boards)
                                .where(User.id.in_(ids))).all() if ids else []
    return Commendation(community_id, year, volunteers, organizations,
                        phones={p.id: p.phone for p in people},
                        hidden_names={p.id for p in people if not p.show_on_boards})
