"""My inbox."""

from flask import jsonify
from flask_login import current_user

from wishboard.blueprints.api import bp
from wishboard.blueprints.api.helpers import responds, use_schema
from wishboard.blueprints.login import login_required
from wishboard.notifications import services as notifications
from wishboard.notifications.schemas import (
    NotificationQuerySchema, NotificationReadSchema, NotificationSchema,
)


@bp.get("/notifications")
@login_required
@responds(NotificationSchema, paginated=True)
@use_schema(NotificationQuerySchema, location="query")
def list_notifications(query):
    """My inbox, newest first."""
    return notifications.list_notifications(current_user, **query)


@bp.post("/notifications/read")
@login_required
@use_schema(NotificationReadSchema)
def read_notifications(data):
    """Mark the given notifications (or, without ids, all) read; answers how many."""
    updated = notifications.mark_read(current_user, data["ids"])
    return jsonify({"updated": updated, "unread": notifications.unread_count(current_user)})
