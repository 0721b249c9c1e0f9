"""My inbox; which messages leave the app for me; a community's outside channels and
their delivery log."""

from flask import jsonify
from flask_login import current_user

from wishboard.blueprints.api import bp
from wishboard.blueprints.api.helpers import responds, use_schema
from wishboard.blueprints.login import login_required
from wishboard.notifications import services as notifications
from wishboard.notifications.schemas import (
    ChannelCreateSchema, ChannelSchema, ChannelUpdateSchema, DeliveryQuerySchema,
    DeliverySchema, NotificationQuerySchema, NotificationReadSchema, NotificationSchema,
    OutsideSettingsOutSchema, OutsideSettingsSchema,
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


def _outside(user):
    return {"outside": notifications.outside_groups(user),
            "groups": {group: label for group, (label, _) in
                       notifications.MESSAGE_GROUPS.items()}}


@bp.get("/me/notification-settings")
@login_required
@responds(OutsideSettingsOutSchema)
def get_notification_settings():
    """Which groups of my messages also go to my community's channels (WeChat, SMS)."""
    return _outside(current_user)


@bp.put("/me/notification-settings")
@login_required
@responds(OutsideSettingsOutSchema)
@use_schema(OutsideSettingsSchema)
def put_notification_settings(data):
    """Keep the ``muted`` groups inside the app; the others go out too."""
    notifications.set_outside_groups(current_user, muted=data["muted"])
    return _outside(current_user)


@bp.get("/communities/<int:community_id>/channels")
@login_required
@responds(ChannelSchema, many=True)
def list_channels(community_id):
    """The community's outside channels (its secretary and admins)."""
    return notifications.list_channels(current_user, community_id)


@bp.post("/communities/<int:community_id>/channels")
@login_required
@responds(ChannelSchema, 201)
@use_schema(ChannelCreateSchema)
def create_channel(data, community_id):
    """A webhook for the community's messages; the answer carries its signing secret."""
    return notifications.create_channel(current_user, community_id=community_id, **data)


@bp.patch("/channels/<int:channel_id>")
@login_required
@responds(ChannelSchema)
@use_schema(ChannelUpdateSchema)
def update_channel(data, channel_id):
    """Turn a channel off (nothing more is queued for it) or on again."""
    return notifications.set_channel_active(current_user, channel_id, data["is_active"])


@bp.post("/channels/<int:channel_id>/retry")
@login_required
def retry_channel(channel_id):
    """Send the channel's failed messages again from the start; answers how many."""
    return jsonify({"retried": notifications.retry_dead(current_user, channel_id)})


@bp.get("/communities/<int:community_id>/deliveries")
@login_required
@responds(DeliverySchema, paginated=True)
@use_schema(DeliveryQuerySchema, location="query")
def list_deliveries(query, community_id):
    """The delivery log: each message to the community's channels, newest first."""
    return notifications.list_deliveries(current_user, community_id, **query)
