"""The audit log as a CSV download for the secretary's PC."""

from __future__ import annotations

import io
import json

from wishboard.audit.models import AuditEntry
from wishboard.core.spreadsheets import SafeWriter

AUDIT_HEADERS = ["编号", "时间（UTC）", "操作人编号", "操作人", "操作", "对象类型", "对象编号",
                 "之前", "之后", "地址"]


def audit_csv(entries: list[AuditEntry]) -> bytes:
    """The audit log, newest first, one line per entry."""
    out = io.StringIO()
    writer = SafeWriter(out)
    writer.writerow(AUDIT_HEADERS)
    writer.writerows([
        [e.id, e.created_at.isoformat(), e.actor_id or "", e.actor.name if e.actor else "系统",
         e.action_label, e.object_type, e.object_id or "", _json(e.before), _json(e.after),
         e.address or ""] for e in entries])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _json(value) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)
