"""Service projects with many hands: an organisation claims, its members join and log the
service they gave, the secretary or the organisation's contact confirms each log."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from wishboard.access import log_confirm_refusal, log_refusal, may_join, organization_contact_id
from wishboard.accounts.models import User
from wishboard.audit import services as audit
from wishboard.core.clock import date_words, hours_words, local_day, utcnow
from wishboard.core.db import flush_or_conflict
from wishboard.errors import ConflictError, ForbiddenError, NotFoundError, ValidationFailedError
from wishboard.extensions import db
from wishboard.notifications.services import notify, secretary_ids
from wishboard.points import services as points
from wishboard.projects.models import LogStatus, ProjectMember, ServiceLog
from wishboard.wishes.models import Wish, WishKind
from wishboard.wishes.services import DAY_HOURS, get_wish, hours_given, lock_person, stated_hours
from wishboard.wishes.states import WishState


def _project(wish_id: int) -> Wish:
    wish = get_wish(wish_id)
    if wish.kind is not WishKind.PROJECT:
        raise NotFoundError("这不是服务项目", message_en="Not a service project",
                            code="not_a_project")
    return wish


def _running(wish: Wish) -> None:
    if wish.state is not WishState.CLAIMED:
        raise ConflictError("项目不在进行中", message_en="The project is not under way",
                            code="project_not_running")


def join_project(user: User, wish_id: int, *, now: datetime | None = None) -> ProjectMember:
    """A member of the claiming organisation joins (once), and earns participation points;
    never someone who has left it (``access.may_join`` reads today's membership)."""
    now = now or utcnow()
    wish = _project(wish_id)
    _running(wish)
    if not may_join(user, wish):
        raise ForbiddenError("只有认领组织的成员可以加入这个项目",
                             message_en="Only members of the claiming organisation may join",
                             code="not_a_member_of_claimant")
    member = ProjectMember(wish_id=wish.id, user_id=user.id, joined_at=now)
    db.session.add(member)
    flush_or_conflict(ConflictError("您已经加入了这个项目", message_en="Already joined",
                                    code="already_joined"))
    db.session.execute(sa.update(Wish).where(Wish.id == wish.id)
                       .values(member_count=Wish.member_count + 1)
                       .execution_options(synchronize_session=False))
    points.award_activity(key=f"project_join:{wish.id}:{user.id}",
                          community_id=wish.community_id, volunteer_id=user.id,
                          organization_id=wish.claim_organization_id,
                          source_type="project", source_id=wish.id,
                          reason=f"加入服务项目「{wish.title}」", now=now)
    db.session.commit()
    return member


def log_service(user: User, wish_id: int, *, served_on: date, hours: float, note: str = "",
                now: datetime | None = None) -> ServiceLog:
    now = now or utcnow()
    wish = _project(wish_id)
    _running(wish)
    joined = db.session.scalar(sa.select(ProjectMember.id).where(
        ProjectMember.wish_id == wish.id, ProjectMember.user_id == user.id)) is not None
    if (refusal := log_refusal(user, wish, joined=joined)) is not None:
        raise refusal
    if served_on > local_day(now):
        raise ValidationFailedError(fields={"served_on": ["不能填将来的日期"]})
    if wish.claimed_at and served_on < local_day(wish.claimed_at):
        raise ValidationFailedError(fields={"served_on": ["不能早于项目认领日期"]})
    hours = hours_given(hours)
    lock_person(user.id)
    logged = stated_hours(user.id, served_on, served_on)
    left = DAY_HOURS - logged
    if hours > left:
        db.session.rollback()
        raise ValidationFailedError(
            "一天的服务最多24小时", message_en="At most 24 hours a day", code="too_many_hours",
            fields={"hours": [f"这一天您已填报{hours_words(logged)}小时，最多还能登记{hours_words(max(left, 0))}小时"]})
    log = ServiceLog(wish_id=wish.id, user_id=user.id, served_on=served_on, hours=hours,
                     note=note, created_at=now)
    db.session.add(log)
    contact = organization_contact_id(wish.claim_organization_id)
    notify([c for c in (contact, *secretary_ids(wish.community_id)) if c != user.id],
           "service_logged",
           f"{user.name}登记了「{wish.title}」{served_on.month}月{served_on.day}日的服务"
           f"{hours_words(log.hours)}小时，请确认。", wish_id=wish.id, now=now)
    db.session.commit()
    return log


def _decidable(actor: User, log_id: int) -> tuple[ServiceLog, Wish]:
    log = db.session.get(ServiceLog, log_id)
    if log is None:
        raise NotFoundError("没有这条服务记录", message_en="No such service log")
    wish = get_wish(log.wish_id)
    if (refusal := log_confirm_refusal(actor, wish, log.user_id)) is not None:
        raise refusal
    return log, wish


def _decide(log: ServiceLog, actor: User, status: LogStatus, now: datetime,
            reason: str | None = None) -> None:
    if db.session.execute(
            sa.update(ServiceLog).where(ServiceLog.id == log.id,
                                        ServiceLog.status == LogStatus.PENDING)
            .values(status=status, decided_by_id=actor.id, decided_at=now,
                    reject_reason=reason)
            .execution_options(synchronize_session=False)).rowcount != 1:
        raise ConflictError("这条记录已经处理过了", message_en="Already decided",
                            code="log_already_decided")


def confirm_log(actor: User, log_id: int, *, now: datetime | None = None) -> ServiceLog:
    """Confirmed hours count on the board and earn the member points (per hour)."""
    now = now or utcnow()
    log, wish = _decidable(actor, log_id)
    _decide(log, actor, LogStatus.CONFIRMED, now)
    audit.record("service_log_confirmed", actor=actor, object_type="service_log",
                 object_id=log.id, community_id=wish.community_id,
                 after={"user_id": log.user_id, "hours": float(log.hours), "wish_id": wish.id},
                 now=now)
    db.session.execute(sa.update(Wish).where(Wish.id == wish.id)
                       .values(confirmed_hours=Wish.confirmed_hours + log.hours)
                       .execution_options(synchronize_session=False))
    points.award_service(log, wish, now)
    notify([log.user_id], "service_confirmed",
           f"您在「{wish.title}」{date_words(now)}确认的服务{hours_words(log.hours)}小时已计入积分。",
           wish_id=wish.id, now=now)
    db.session.commit()
    db.session.refresh(log)
    return log


def reject_log(actor: User, log_id: int, reason: str, *,
               now: datetime | None = None) -> ServiceLog:
    now = now or utcnow()
    log, wish = _decidable(actor, log_id)
    _decide(log, actor, LogStatus.REJECTED, now, reason)
    audit.record("service_log_rejected", actor=actor, object_type="service_log",
                 object_id=log.id, community_id=wish.community_id,
                 after={"user_id": log.user_id, "hours": float(log.hours), "reason": reason,
                        "wish_id": wish.id}, now=now)
    notify([log.user_id], "service_rejected",
           f"您在「{wish.title}」登记的服务未通过：{reason}", wish_id=wish.id, now=now)
    db.session.commit()
    db.session.refresh(log)
    return log


def project_people(wish_id: int) -> tuple[list[ProjectMember], list[ServiceLog]]:
    members = db.session.scalars(sa.select(ProjectMember).where(ProjectMember.wish_id == wish_id)
                                 .options(joinedload(ProjectMember.user))
                                 .order_by(ProjectMember.joined_at)).all()
    logs = db.session.scalars(sa.select(ServiceLog).where(ServiceLog.wish_id == wish_id)
                              .options(joinedload(ServiceLog.user))
                              .order_by(ServiceLog.served_on.desc(), ServiceLog.id.desc())).all()
    return list(members), list(logs)
