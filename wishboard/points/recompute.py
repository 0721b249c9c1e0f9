"""Recomputing the points totals from the ledger (``flask wishboard recompute``, through
``jobs/recompute.py``): every total the ledger says there should be, compared with the one
stored, and with ``repair`` put right (each fix in the audit log).

``points.services`` re-exports ``Mismatch`` and ``recompute_totals``, so
``points.recompute_totals`` keeps working.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from wishboard.accounts.models import User
from wishboard.audit import services as audit
from wishboard.extensions import db
from wishboard.places.models import Organization
from wishboard.points.models import COUNTERS, PointsEntry, PointsTotal


@dataclass
class Mismatch:
    owner_type: str
    owner_id: int
    period: str
    stored: dict
    ledger: dict


def recompute_totals(*, community_id: int | None = None, repair: bool = True) -> list[Mismatch]:
    """Rebuild every total from the ledger; report (and, with ``repair``, fix) each one that
    disagrees, including totals with no entries behind them."""
    sums = [sa.func.sum(PointsEntry.amount).label("points"),
            sa.func.sum(sa.case((PointsEntry.volunteer_id.is_(None), PointsEntry.amount),
                                else_=0)).label("body_points")] + [
        sa.func.sum(getattr(PointsEntry, f"d_{name}")).label(name) for name in COUNTERS]
    expected: dict[tuple, dict] = {}
    # A total lives in its owner's home community, whichever community the work was done in
    # (``_homes``); ``community_id`` picks the totals of that community's boards.
    for owner_type, column, owner, home in (
            ("volunteer", PointsEntry.volunteer_id, User, User.community_id),
            ("organization", PointsEntry.organization_id, Organization,
             Organization.community_id)):
        for period_column in (None, PointsEntry.year, PointsEntry.quarter, PointsEntry.month):
            period = period_column if period_column is not None else sa.literal("all")
            query = (sa.select(column.label("owner_id"), period.label("period"),
                               home.label("community_id"), *sums)
                     .join(owner, owner.id == column)
                     .group_by(column, period, home))
            if community_id:
                query = query.where(home == community_id)
            for row in db.session.execute(query):
                expected[(owner_type, row.owner_id, row.period)] = {
                    "community_id": row.community_id, "points": int(row.points or 0),
                    "body_points": int(row.body_points or 0) if owner_type == "organization"
                    else 0, **{name: _number(getattr(row, name)) for name in COUNTERS}}
    stored_query = sa.select(PointsTotal)
    if community_id:
        stored_query = stored_query.where(PointsTotal.community_id == community_id)
    stored = {(t.owner_type, t.owner_id, t.period): t for t in db.session.scalars(stored_query)}
    mismatches = []
    for key in sorted(set(expected) | set(stored), key=str):
        want = expected.get(key)
        have = stored.get(key)
        have_values = ({"points": have.points, "body_points": have.body_points,
                        **{n: _number(getattr(have, n)) for n in COUNTERS}} if have else None)
        want_values = ({k: v for k, v in want.items() if k != "community_id"} if want else None)
        if (have_values == want_values and have.community_id == want["community_id"]) or (
                want_values is None and not any((have_values or {}).values())):
            continue
        if have_values == want_values:  # the right numbers on the wrong community's board
            have_values = {"community_id": have.community_id, **have_values}
            want_values = {"community_id": want["community_id"], **want_values}
        mismatches.append(Mismatch(*key, stored=have_values or {}, ledger=want_values or {}))
        if not repair:
            continue
        audit.record("points_recomputed", actor=None, object_type=key[0], object_id=key[1],
                     community_id=(want or {}).get("community_id") or (
                         have.community_id if have else None),
                     before={"period": key[2], **(have_values or {})},
                     after={"period": key[2], **(want_values or {})})
        if have is None:
            db.session.add(PointsTotal(owner_type=key[0], owner_id=key[1], period=key[2],
                                       **{**want_values, "community_id": want["community_id"]}))
        elif want is None:
            db.session.delete(have)
        else:
            for name, value in want_values.items():
                setattr(have, name, value)
            have.community_id = want["community_id"]
    if repair:
        db.session.commit()
    return mismatches


def _number(value) -> int | float:
    if value is None:
        return 0
    if isinstance(value, Decimal):
        return float(value)
    return value
