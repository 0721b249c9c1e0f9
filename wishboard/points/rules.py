"""A community's points rules (what each event is worth; ``DEFAULT_RULES`` without a row
of its own), and the periods every total is kept for (all time, the local year, quarter and
month of an entry).

``points.services`` re-exports these names (``points.rules_for``, ``points.period_key``).
"""

from __future__ import annotations

from datetime import datetime

from wishboard.access import ensure_can_manage_community
from wishboard.accounts.models import User
from wishboard.audit import services as audit
from wishboard.core.clock import local, utcnow
from wishboard.errors import ValidationFailedError
from wishboard.extensions import db
from wishboard.places.services import get_community
from wishboard.points.models import DEFAULT_RULES, PointsRules

PERIOD_KINDS = ("all", "year", "quarter", "month")


def rules_for(community_id: int) -> dict[str, int]:
    row = db.session.get(PointsRules, community_id)
    if row is None:
        return dict(DEFAULT_RULES)
    return {name: getattr(row, name) for name in DEFAULT_RULES}


def update_rules(actor: User, community_id: int, *, now: datetime | None = None,
                 **values: int) -> dict[str, int]:
    """A secretary changes the community's rules; entries from now on use them."""
    get_community(community_id)
    ensure_can_manage_community(actor, community_id)
    unknown = set(values) - set(DEFAULT_RULES)
    if unknown:
        raise ValidationFailedError(fields={name: ["不认识这条规则"] for name in unknown})
    row = db.session.get(PointsRules, community_id)
    if row is None:
        row = PointsRules(community_id=community_id, **DEFAULT_RULES)
        db.session.add(row)
    before, after = audit.changes(row, DEFAULT_RULES, **values)
    if after:  # the rules' history lives in the audit log
        audit.record("points_rules_changed", actor=actor, object_type="place",
                     object_id=community_id, community_id=community_id, before=before,
                     after=after, now=now)
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_at, row.updated_by_id = now or utcnow(), actor.id
    db.session.commit()
    return rules_for(community_id)


def periods_of(moment: datetime) -> dict[str, str]:
    at = local(moment)
    return {"year": f"{at.year}", "quarter": f"{at.year}-Q{(at.month - 1) // 3 + 1}",
            "month": f"{at.year}-{at.month:02d}"}


def period_key(kind: str, *, year: int | None = None, quarter: int | None = None,
               month: int | None = None, now: datetime | None = None) -> str:
    """'all', or the year / quarter / month asked for (by default the current one)."""
    if kind == "all":
        return "all"
    current = periods_of(now or utcnow())
    year = year or int(current["year"])
    if kind == "year":
        return f"{year}"
    if kind == "quarter":
        quarter = quarter or int(current["quarter"][-1])
        return f"{year}-Q{quarter}"
    month = month or int(current["month"][-2:])
    return f"{year}-{month:02d}"
