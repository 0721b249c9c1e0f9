"""操作记录: the community's audit log, with a CSV download."""

from flask import Response, request
from flask_login import current_user

from wishboard.accounts.models import STAFF
from wishboard.audit import services as audit
from wishboard.audit.export import audit_csv
from wishboard.audit.models import AUDIT_ACTIONS
from wishboard.audit.schemas import AuditQuerySchema
from wishboard.blueprints.admin import bp, community_page, managed_community_id
from wishboard.blueprints.login import roles_required
from wishboard.core.schemas import load_or_raise


@bp.get("/audit")
@roles_required(*STAFF)
def audit_log():
    """操作记录: the community's audit log, newest first, with a CSV download."""
    args = {k: v for k, v in request.args.items() if v.strip()}
    query = load_or_raise(AuditQuerySchema(), {"per_page": "50", **args})
    page, per_page, fmt = query.pop("page"), query.pop("per_page"), query.pop("format")
    query["community_id"] = managed_community_id()
    if fmt == "csv":
        items = audit.export_entries(current_user, **query)
        return Response(audit_csv(items), mimetype="text/csv",
                        headers={"Content-Disposition": "attachment; filename=audit.csv"})
    items, total = audit.list_entries(current_user, page=page, per_page=per_page, **query)
    return community_page("admin/audit.html", query["community_id"], entries=items,
                          total=total, page=page, per_page=per_page, query=query,
                          actions=AUDIT_ACTIONS)
