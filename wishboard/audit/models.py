"""The audit log: who did what to which thing, when and from where. Append-only: the app
only ever inserts, and the database refuses to change a row (see the migration)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from wishboard.accounts.models import User
from wishboard.core.clock import utcnow
from wishboard.core.db import UTCDateTime
from wishboard.extensions import db

# How each action reads on the secretary's page.
AUDIT_ACTIONS = {
    "login_succeeded": "登录成功",
    "login_failed": "登录失败",
    "report_approved": "通过报到",
    "report_rejected": "退回报到",
    "resident_verified": "核实居民",
    "staff_created": "创建管理账号",
    "place_created": "添加地点",
    "category_created": "添加类别",
    "skill_created": "添加特长标签",
    "invitation_sent": "邀请认领心愿",
    "organization_created": "添加报到党组织",
    "organization_reported": "组织报到",
    "organization_approved": "通过组织报到",
    "organization_rejected": "退回组织报到",
    "organization_updated": "修改组织信息",
    "organization_members_viewed": "查看组织成员名单（含电话）",
    "organization_contacts_viewed": "查看报到党组织联络员电话",
    "membership_requested": "申请加入组织",
    "membership_approved": "同意加入组织",
    "membership_rejected": "不同意加入组织",
    "membership_withdrawn": "撤回加入组织的申请",
    "member_left": "退出组织",
    "member_removed": "移出组织成员",
    "community_settings_changed": "修改社区设置",
    "points_rules_changed": "修改积分规则",
    "private_details_viewed": "查看服务对象信息",
    "rating_removed": "撤销评价",
    "hours_confirmed": "确认服务时长",
    "hours_adjusted": "调整服务时长",
    "hours_settled": "时长按社区规定处理",
    "service_not_served": "核实未实际服务",
    "held_points_released": "核实报到，计入暂存积分",
    "service_log_confirmed": "确认项目服务记录",
    "service_log_rejected": "退回项目服务记录",
    "needs_viewed": "查看需求（含居民联系方式）",
    "residents_viewed": "查看居民名单（含电话）",
    "volunteers_viewed": "查看报到志愿者名单（含电话）",
    "points_recomputed": "重算积分总数",
    "derived_recomputed": "重算统计数",
    "volunteer_flagged": "提醒：频繁释放认领",
    "password_changed": "修改密码",
    "password_reset_issued": "发放密码重置码",
    "channel_created": "添加消息推送渠道",
    "channel_changed": "启用或停用消息推送渠道",
    "channel_retried": "重发推送失败的消息",
    "password_reset_used": "用重置码设置新密码",
    "logged_out_everywhere": "退出所有设备",
    "grid_contact_assigned": "指派网格联系人",
    "grid_contact_removed": "撤销网格联系人",
    "grid_contacts_viewed": "查看网格联系人电话",
    "selection_opened": "开启年度评选",
    "selection_settings_changed": "修改评选规则",
    "selection_frozen": "冻结积分并按规则提名",
    "nominee_added": "增补候选人",
    "nominee_removed": "移出候选人",
    "publicity_started": "开始公示",
    "objection_raised": "对公示名单提出异议",
    "objection_answered": "答复异议",
    "publicity_ended_early": "提前结束公示",
    "selection_reopened": "公示后重新调整名单",
    "selection_published": "公布评选结果",
    "certificate_issued": "颁发荣誉证书",
    "certificate_withdrawn": "撤销荣誉",
}


class AuditEntry(db.Model):
    """One thing someone did. ``actor_id`` None is the system (or an unknown person at the
    log-in form); ``before``/``after`` hold what changed, as JSON."""

    __tablename__ = "audit_log"
    __table_args__ = (
        sa.Index("ix_audit_log_community", "community_id", "id"),
        sa.Index("ix_audit_log_community_action", "community_id", "action", "id"),
        sa.Index("ix_audit_log_actor", "actor_id", "id"),
        sa.Index("ix_audit_log_object", "object_type", "object_id", "action"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    community_id: Mapped[int | None] = mapped_column(sa.ForeignKey("communities.id"))
    action: Mapped[str] = mapped_column(sa.String(40))
    object_type: Mapped[str] = mapped_column(sa.String(30))
    object_id: Mapped[int | None] = mapped_column()
    before: Mapped[dict | None] = mapped_column(sa.JSON)
    after: Mapped[dict | None] = mapped_column(sa.JSON)
    address: Mapped[str | None] = mapped_column(sa.String(45))

    actor: Mapped[User | None] = relationship()

    @property
    def action_label(self) -> str:
        return AUDIT_ACTIONS.get(self.action, self.action)
