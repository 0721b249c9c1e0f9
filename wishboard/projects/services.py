"""Service projects with many hands: an organisation claims, its members join and log the
service they gave, the staff of the community where they served confirm each log (never
anyone of the organisation that earns from it)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from wishboard.access import log_confirm_refusal, log_refusal, may_join, same_person
from wishboard.accounts.models import User
from wishboard.audit import services as audit
from wishboard.core.clock import date_words, hours_words, local_day, utcnow
from wishboard.core.db import flush_or_conflict
from wishboard.errors import ConflictError, ForbiddenError, NotFoundError, ValidationFailedError
from wishboard.extensions import db
from wishboard.notifications.services import notify, secretary_ids
from wishboard.places.models import Community
from wishboard.points import services as points
from wishboard.projects.models import LogStatus, ProjectMember, ServiceLog
from wishboard.wishes.models import Wish, WishKind
from wishboard.wishes.hours import hours_given, within_daily_cap
from wishboard.wishes.records import get_wish
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
    """A member of the claiming organisation joins (once); never someone who has left it
    (``access.may_join`` reads today's membership). Joining earns its participation points
    with the member's first service log the staff confirm (``confirm_log``), not on the
    member's word."""
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
    db.session.commit()
    return member


def log_service(user: User, wish_id: int, *, served_on: date, hours: float, note: str = "",
                now: datetime | None = None) -> ServiceLog:
    """A member who joined a running project logs a day's service. The day is on or after
    the day they became a member of the claiming organisation and joined the project (the
    same day counts), not in the future, and at most the community's ``log_backdate_days``
    back; the hours stay within the person's daily cap (``within_daily_cap``). The
    community's staff confirm it (``access.log_confirm_refusal``)."""
    now = now or utcnow()
    wish = _project(wish_id)
    _running(wish)
    joined_at = db.session.scalar(sa.select(ProjectMember.joined_at).where(
        ProjectMember.wish_id == wish.id, ProjectMember.user_id == user.id))
    if (refusal := log_refusal(user, wish, joined=joined_at is not None)) is not None:
        raise refusal
    community = db.session.get(Community, wish.community_id)
    _check_served_on(served_on, user, wish, community, joined_at, now)
    hours = hours_given(hours)
    within_daily_cap(user.id, hours, community, served_on, served_on)
    log = ServiceLog(wish_id=wish.id, user_id=user.id, served_on=served_on, hours=hours,
                     note=note, created_at=now)
    db.session.add(log)
    notify([c for c in secretary_ids(wish.community_id) if not same_person(c, user.id)],
           "service_logged",
           f"{user.name}登记了「{wish.title}」{served_on.month}月{served_on.day}日的服务"
           f"{hours_words(log.hours)}小时，请确认。", wish_id=wish.id, now=now)
    db.session.commit()
    return log


def _check_served_on(served_on: date, user: User, wish: Wish, community: Community,
                     joined_at: datetime, now: datetime) -> None:
    """The day a log may name, refused with 400 on ``served_on`` and the reason."""
    today = local_day(now)
    if served_on > today:
        raise ValidationFailedError(fields={"served_on": ["不能填将来的日期"]})
    earliest = [(local_day(joined_at), "加入这个项目"),
                (local_day(user.organization_since or user.created_at), "加入认领组织")]
    if wish.claimed_at:
        earliest.append((local_day(wish.claimed_at), "项目被认领"))
    first, what = max(earliest, key=lambda pair: pair[0])
    if served_on < first:
        raise ValidationFailedError(fields={"served_on": [
            f"不能早于您{what}的日子（{_day(first)}）" if what != "项目被认领"
            else f"不能早于项目认领日期（{_day(first)}）"]})
    oldest = today - timedelta(days=community.log_backdate_days)
    if served_on < oldest:
        raise ValidationFailedError(fields={"served_on": [
            f"最多补登{community.log_backdate_days}天前的服务（{_day(oldest)}以后）"]})


def _day(day: date) -> str:
    return f"{day.month}月{day.day}日"


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
    points.award_activity(key=f"project_join:{wish.id}:{log.user_id}",
                          community_id=wish.community_id, volunteer_id=log.user_id,
                          organization_id=wish.claim_organization_id,
                          source_type="project", source_id=wish.id,
                          reason=f"加入服务项目「{wish.title}」", now=now)
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
