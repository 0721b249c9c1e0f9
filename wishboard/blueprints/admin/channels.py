"""消息推送: the community's outside channels (a signed webhook to a WeChat or SMS bridge)
and the delivery log of what went out, failed or waits for a retry."""

from flask import request, url_for
from flask_login import current_user

from wishboard.accounts.models import STAFF
from wishboard.blueprints import id_arg
from wishboard.blueprints.admin import bp, community_page, managed_community_id
from wishboard.blueprints.forms import done, handle_form
from wishboard.blueprints.login import roles_required
from wishboard.core.schemas import load_or_raise
from wishboard.notifications import services as notifications
from wishboard.notifications.schemas import ChannelCreateSchema, DeliveryQuerySchema


@bp.route("/channels", methods=["GET", "POST"])
@roles_required(*STAFF)
def channels():
    community_id = managed_community_id()
    form, sent = handle_form(
        ChannelCreateSchema,
        lambda d: notifications.create_channel(current_user, community_id=community_id, **d),
        done=lambda c: f"已添加推送渠道：{c.name}。请把密钥配置到接收端。",
        then=lambda c: url_for("admin.channels", community_id=c.community_id))
    if sent:
        return sent
    query = load_or_raise(DeliveryQuerySchema(), {k: v for k, v in request.args.items()
                                                  if k in ("status", "page") and v})
    listed, deliveries, total = [], [], 0
    if community_id:
        listed = notifications.list_channels(current_user, community_id)
        deliveries, total = notifications.list_deliveries(current_user, community_id, **query)
    return community_page("admin/channels.html", community_id, form=form, channels=listed,
                          deliveries=deliveries, total=total, query=query)


@bp.post("/channels/<int:channel_id>/active")
@roles_required(*STAFF)
def channel_active(channel_id):
    channel = notifications.set_channel_active(current_user, channel_id,
                                               request.form.get("active") == "1")
    return done("已启用" if channel.is_active else "已停用，不再向它推送新消息",
                "admin.channels", community_id=channel.community_id)


@bp.post("/channels/<int:channel_id>/retry")
@roles_required(*STAFF)
def channel_retry(channel_id):
    count = notifications.retry_dead(current_user, channel_id)
    community_id = id_arg(request.form, "community_id")
    return done(f"已安排重发{count}条消息" if count else "没有发送失败的消息",
                "admin.channels", community_id=community_id)
