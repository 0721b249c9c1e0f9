"""The audit log: every decision, change and look at private details, with who, when and
from where. Services call ``record`` inside their own transaction, so an action and its
line in the log are committed together or not at all. Nothing here edits or deletes.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import has_request_context, request
from sqlalchemy.orm import joinedload

from wishboard.access import audit_log_refusal, ensure_can_manage_community, staff_scope
from wishboard.accounts.models import User
from wishboard.audit.models import AuditEntry
from wishboard.core.clock import utcnow
from wishboard.core.db import page_of
from wishboard.errors import NotFoundError, ValidationFailedError
from wishboard.extensions import db
from wishboard.wishes.models import Wish


def _address() -> str | None:
    # The one place a service looks at the request: threading the caller's address through
    # every use case would add a parameter to each for the log's sake alone. CLI and
    # scheduler calls have no request, and record no address.
    return request.remote_addr if has_request_context() else None


def record(action: str, *, actor: User | None, object_type: str, object_id: int | None,
           community_id: int | None, before: dict | None = None, after: dict | None = None,
           now: datetime | None = None) -> AuditEntry:
    """Add one line to the log; the caller's transaction commits it."""
    entry = AuditEntry(action=action, actor_id=actor.id if actor is not None else None,
                       object_type=object_type, object_id=object_id,
                       community_id=community_id, before=before, after=after,
                       address=_address(), created_at=now or utcnow())
    db.session.add(entry)
    return entry


def changes(obj, names, **new_values) -> tuple[dict, dict]:
    """(before, after) for the named attributes of ``obj`` that ``new_values`` change."""
    before, after = {}, {}
    for name in names:
        if name in new_values and getattr(obj, name) != new_values[name]:
            before[name], after[name] = _plain(getattr(obj, name)), _plain(new_values[name])
    return before, after


def _plain(value):
    if hasattr(value, "value"):  # enums
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def list_entries(actor: User, *, community_id: int | None = None, action: str | None = None,
                 actor_id: int | None = None, object_type: str | None = None,
                 object_id: int | None = None, page: int = 1, per_page: int = 50
                 ) -> tuple[list[AuditEntry], int]:
    """A community's log, newest first, for its secretaries and admins (a secretary's own
    community when none is named: ``access.staff_scope``). An admin may read the whole log
    (no community), which also holds log-ins by unknown names (``access.audit_log_refusal``)."""
    community_id = staff_scope(actor, community_id)
    if (refusal := audit_log_refusal(actor, community_id)) is not None:
        raise refusal
    query = sa.select(AuditEntry)
    if community_id is not None:
        query = query.where(AuditEntry.community_id == community_id)
    if action:
        query = query.where(AuditEntry.action == action)
    if actor_id:
        query = query.where(AuditEntry.actor_id == actor_id)
    if object_type:
        query = query.where(AuditEntry.object_type == object_type)
    if object_id:
        if not object_type:
            raise ValidationFailedError(fields={"object_type": ["按对象查询时请同时给出对象类型"]})
        query = query.where(AuditEntry.object_id == object_id)
    return page_of(query, page, per_page, AuditEntry.id.desc(),
                   options=(joinedload(AuditEntry.actor),))


EXPORT_LIMIT = 100_000


def export_entries(actor: User, **filters) -> list[AuditEntry]:
    """The lines ``list_entries`` would page through (up to 100,000), for a download."""
    return list_entries(actor, page=1, per_page=EXPORT_LIMIT, **filters)[0]


def private_views(actor: User, wish_id: int, *, limit: int = 200) -> list[AuditEntry]:
    """Who saw the private details of one wish's people, newest first (for the secretary)."""
    wish = db.session.get(Wish, wish_id)
    if wish is None:
        raise NotFoundError("没有这个心愿", message_en="No such wish")
    ensure_can_manage_community(actor, wish.community_id)
    return list(db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.object_type == "wish",
                                    AuditEntry.object_id == wish_id,
                                    AuditEntry.action == "private_details_viewed")
        .options(joinedload(AuditEntry.actor)).order_by(AuditEntry.id.desc()).limit(limit)))
