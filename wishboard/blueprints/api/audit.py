"""The audit log, for a community's secretaries and admins: read, filter, download."""

from flask import Response
from flask_login import current_user

from wishboard.accounts.models import STAFF
from wishboard.audit import services as audit
from wishboard.audit.export import audit_csv
from wishboard.audit.schemas import AuditEntrySchema, AuditQuerySchema
from wishboard.blueprints.api import bp
from wishboard.blueprints.api.helpers import also_returns, responds, use_schema
from wishboard.blueprints.login import roles_required


@bp.get("/audit")
@roles_required(*STAFF)
@also_returns("text/csv")
@responds(AuditEntrySchema, paginated=True)
@use_schema(AuditQuerySchema, location="query")
def audit_log(query):
    """Who did what, newest first: approvals, settings, log-ins, views of private details,
    hour confirmations... (format=csv downloads every matching line)."""
    filters = {k: v for k, v in query.items() if k not in ("page", "per_page", "format")}
    if query["format"] == "csv":
        items = audit.export_entries(current_user, **filters)
        return Response(audit_csv(items), mimetype="text/csv",
                        headers={"Content-Disposition": "attachment; filename=audit.csv"})
    return audit.list_entries(current_user, page=query["page"], per_page=query["per_page"],
                              **filters)
