"""Activities (活动参与): publish, sign up with a waiting list, cancel, check in, archive.

Seats are taken with a conditional UPDATE on the activity's seat count (``confirmed_count
< capacity``), so fifty people signing up for ten seats at the same moment get exactly ten
seats; the others get waiting-list numbers in the order their requests reached the
database. Only people checked in earn participation points; at archiving, confirmed people
who never checked in are recorded as no-shows.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from wishboard.access import (
    attendance_earns, can_organize_activity, can_publish_activity, ensure_activity_organizer,
    signup_refusal,
)
from wishboard.accounts.models import Role, User
from wishboard.activities.models import Activity, ActivityStatus, Audience, Signup, SignupStatus
from wishboard.core.clock import utcnow
from wishboard.core.db import flush_or_conflict, page_of
from wishboard.errors import ConflictError, ForbiddenError, NotFoundError, ValidationFailedError
from wishboard.extensions import db
from wishboard.notifications.services import notify
from wishboard.places.models import Category, Community
from wishboard.points import services as points

# A code shown at the door keeps working this long after the activity's end, for stragglers.
CHECKIN_GRACE = timedelta(hours=1)


def get_activity(activity_id: int) -> Activity:
    activity = db.session.get(Activity, activity_id)
    if activity is None:
        raise NotFoundError("没有这个活动", message_en="No such activity")
    return activity


# Who publishes, organises and signs up: the rule book (``wishboard.access.projects``). The
# pages and their tests read the two questions here under their old names.
can_publish = can_publish_activity
can_organize = can_organize_activity


def create_activity(actor: User, *, title: str, description: str, category_id: int,
                    community_id: int | None = None, grid_id: int | None = None,
                    venue: str = "", starts_at: datetime, ends_at: datetime, capacity: int,
                    signup_deadline: datetime, audience: str,
                    now: datetime | None = None) -> Activity:
    now = now or utcnow()
    community_id = community_id or actor.community_id
    community = db.session.get(Community, community_id) if community_id else None
    if community is None or not community.is_community:
        raise ValidationFailedError(fields={"community_id": ["没有这个社区"]})
    org = ensure_activity_organizer(actor, community.id)
    if db.session.get(Category, category_id) is None:
        raise ValidationFailedError(fields={"category_id": ["没有这个类别"]})
    if grid_id is not None:
        grid = db.session.get(Community, grid_id)
        if grid is None or grid.owning_community_id != community.id:
            raise ValidationFailedError(fields={"grid_id": ["本社区没有这个网格"]})
    errors = {}
    if starts_at <= now:
        errors["starts_at"] = ["开始时间应在现在之后"]
    if ends_at <= starts_at:
        errors["ends_at"] = ["结束时间应在开始时间之后"]
    if signup_deadline > starts_at:
        errors["signup_deadline"] = ["报名截止应不晚于开始时间"]
    if errors:
        raise ValidationFailedError(fields=errors)
    activity = Activity(
        community_id=community.id, organizer_id=actor.id,
        organization_id=org.id if org else None, title=title, description=description,
        category_id=category_id, grid_id=grid_id, venue=venue or "", starts_at=starts_at,
        ends_at=ends_at,
        signup_deadline=signup_deadline, capacity=capacity, audience=Audience(audience),
        checkin_secret=secrets.token_hex(16), created_at=now)
    db.session.add(activity)
    db.session.commit()
    return activity


def sign_up(user: User, activity_id: int, *, now: datetime | None = None) -> Signup:
    """A seat if one is free, else the next waiting-list number."""
    now = now or utcnow()
    activity = get_activity(activity_id)
    if (refusal := signup_refusal(user, activity)) is not None:
        raise refusal
    if activity.status is not ActivityStatus.OPEN or now > activity.signup_deadline:
        raise ConflictError("报名已截止", message_en="Sign-up has closed",
                            code="signup_closed")
    if db.session.scalar(sa.select(Signup.id).where(
            Signup.activity_id == activity.id, Signup.user_id == user.id)) is not None:
        raise _already_signed_up()
    seated = db.session.execute(
        sa.update(Activity)
        .where(Activity.id == activity.id, Activity.confirmed_count < Activity.capacity)
        .values(confirmed_count=Activity.confirmed_count + 1)
        .execution_options(synchronize_session=False)).rowcount == 1
    position = None
    if not seated:
        position = db.session.scalar(
            sa.update(Activity).where(Activity.id == activity.id)
            .values(waitlist_seq=Activity.waitlist_seq + 1,
                    waitlist_count=Activity.waitlist_count + 1)
            .returning(Activity.waitlist_seq)
            .execution_options(synchronize_session=False))
    signup = Signup(activity_id=activity.id, user_id=user.id, position=position,
                    status=SignupStatus.CONFIRMED if seated else SignupStatus.WAITLISTED,
                    created_at=now)
    db.session.add(signup)
    flush_or_conflict(_already_signed_up(), commit=True)  # the same person twice at once
    return signup


def _already_signed_up() -> ConflictError:
    return ConflictError("您已经报过名了", message_en="Already signed up",
                         code="already_signed_up")


def cancel_signup(user: User, activity_id: int, *, now: datetime | None = None) -> None:
    """Cancel before the deadline; a freed seat goes to the first on the waiting list."""
    now = now or utcnow()
    activity = get_activity(activity_id)
    if now > activity.signup_deadline:
        raise ConflictError("报名截止后不能取消，请联系组织者", message_en="Sign-up has closed",
                            code="signup_closed")
    for _ in range(5):  # a waiting place may be promoted under us: then look again
        signup = db.session.scalar(sa.select(Signup).where(
            Signup.activity_id == activity.id, Signup.user_id == user.id,
            Signup.status.in_([SignupStatus.CONFIRMED, SignupStatus.WAITLISTED])))
        if signup is None:
            raise NotFoundError("您没有报名这个活动", message_en="Not signed up",
                                code="not_signed_up")
        was = signup.status
        if db.session.execute(
                sa.update(Signup).where(Signup.id == signup.id, Signup.status == was)
                .values(status=SignupStatus.CANCELLED, cancelled_at=now)
                .execution_options(synchronize_session=False)).rowcount == 1:
            break
        db.session.expire(signup)
    else:
        raise ConflictError("请稍后再试", code="busy")
    if was is SignupStatus.CONFIRMED:
        if not _promote_first_waiting(activity, now):
            _add_to(activity, "confirmed_count", -1)
    else:
        _add_to(activity, "waitlist_count", -1)
    db.session.commit()


def _add_to(activity: Activity, column: str, delta: int) -> None:
    counter = getattr(Activity, column)
    db.session.execute(sa.update(Activity).where(Activity.id == activity.id, counter + delta >= 0)
                       .values({column: counter + delta})
                       .execution_options(synchronize_session=False))


def _promote_first_waiting(activity: Activity, now: datetime) -> bool:
    """Give the freed seat to the lowest waiting-list number still waiting."""
    for _ in range(5):
        first = db.session.execute(
            sa.select(Signup.id, Signup.user_id).where(
                Signup.activity_id == activity.id, Signup.status == SignupStatus.WAITLISTED)
            .order_by(Signup.position).limit(1)).first()
        if first is None:
            return False
        if db.session.execute(
                sa.update(Signup).where(Signup.id == first.id,
                                        Signup.status == SignupStatus.WAITLISTED)
                .values(status=SignupStatus.CONFIRMED)
                .execution_options(synchronize_session=False)).rowcount == 1:
            _add_to(activity, "waitlist_count", -1)
            notify([first.user_id], "signup_promoted",
                   f"有人取消了报名，您已从候补转为正式报名：「{activity.title}」", now=now)
            return True
    return False


# Check-in ---------------------------------------------------------------------------------

def checkin_code(activity: Activity) -> str:
    """The code behind the QR shown at the door: bound to this activity by an HMAC of its
    own secret, so it checks no one in anywhere else."""
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"{activity.id}:{activity.checkin_secret}".encode(),
                      hashlib.sha256).hexdigest()[:20]
    return f"{activity.id}-{digest}"


def checkin_expires_at(activity: Activity) -> datetime:
    return activity.ends_at + CHECKIN_GRACE


def checkin_for_organizer(actor: User, activity_id: int) -> tuple[Activity, str, datetime]:
    activity = get_activity(activity_id)
    if not can_organize(actor, activity):
        raise ForbiddenError("只有组织者可以查看签到码", code="not_organizer")
    return activity, checkin_code(activity), checkin_expires_at(activity)


def check_in(actor: User, activity_id: int, *, code: str | None = None,
             user_id: int | None = None, now: datetime | None = None) -> Signup:
    """A participant checks in with the code, or the organiser checks someone in from the
    list. Only confirmed participants; each earns participation points once."""
    now = now or utcnow()
    activity = get_activity(activity_id)
    if user_id is not None:
        if not can_organize(actor, activity):
            raise ForbiddenError("只有组织者可以为别人签到", code="not_organizer")
        person_id = user_id
    else:
        if not code or not hmac.compare_digest(code.strip().encode(),
                                               checkin_code(activity).encode()):
            raise ValidationFailedError("签到码不对，请扫本活动现场的二维码",
                                        message_en="This code is not for this activity",
                                        code="invalid_checkin_code",
                                        fields={"code": ["签到码不对"]})
        person_id = actor.id
    if now > checkin_expires_at(activity) or activity.status is ActivityStatus.CANCELLED:
        raise ValidationFailedError("签到已结束", message_en="Check-in is over",
                                    code="checkin_expired", fields={"code": ["签到已结束"]})
    if now < activity.starts_at - timedelta(hours=2):
        raise ValidationFailedError("活动还没开始，开始前两小时内可以签到",
                                    code="checkin_not_started", fields={"code": ["还不能签到"]})
    signup = db.session.scalar(sa.select(Signup).where(
        Signup.activity_id == activity.id, Signup.user_id == person_id))
    if signup is None or signup.status not in (SignupStatus.CONFIRMED, SignupStatus.ATTENDED):
        raise ConflictError("只有正式报名的人可以签到", message_en="Not a confirmed participant",
                            code="not_confirmed")
    if signup.status is SignupStatus.CONFIRMED:
        db.session.execute(
            sa.update(Signup).where(Signup.id == signup.id,
                                    Signup.status == SignupStatus.CONFIRMED)
            .values(status=SignupStatus.ATTENDED, checked_in_at=now,
                    checked_in_by_id=actor.id)
            .execution_options(synchronize_session=False))
    person = db.session.get(User, person_id)
    if person.role is Role.VOLUNTEER and attendance_earns(actor, person, activity):
        points.award_activity(
            key=f"activity:{activity.id}:{person.id}", community_id=activity.community_id,
            volunteer_id=person.id, organization_id=activity.organization_id
            if activity.organization_id == person.organization_id else None,
            source_type="activity", source_id=activity.id,
            reason=f"参加活动「{activity.title}」", now=now)
    db.session.commit()
    db.session.refresh(signup)
    return signup


# Reading and archiving --------------------------------------------------------------------

def list_activities(*, community_id: int | None = None, status: str | None = None,
                    page: int = 1, per_page: int = 20) -> tuple[list[Activity], int]:
    query = sa.select(Activity)
    if community_id:
        query = query.where(Activity.community_id == community_id)
    if status:
        query = query.where(Activity.status == ActivityStatus(status))
    return page_of(query, page, per_page, Activity.starts_at.desc(), Activity.id.desc(),
                   options=(joinedload(Activity.category), joinedload(Activity.organization)))


@dataclass
class Roster:
    activity: Activity
    signups: list[Signup]


def roster(actor: User, activity_id: int) -> Roster:
    activity = get_activity(activity_id)
    if not can_organize(actor, activity):
        raise ForbiddenError("只有组织者可以查看名单", code="not_organizer")
    signups = db.session.scalars(
        sa.select(Signup).where(Signup.activity_id == activity.id)
        .options(joinedload(Signup.user))
        .order_by(Signup.status, sa.func.coalesce(Signup.position, 0), Signup.id)).all()
    return Roster(activity, list(signups))


def my_signup(user: User | None, activity_id: int) -> Signup | None:
    if user is None:
        return None
    return db.session.scalar(sa.select(Signup).where(Signup.activity_id == activity_id,
                                                     Signup.user_id == user.id))


def archive_many(activity_ids: list[int], now: datetime) -> list[int]:
    """The stale-work policy archives finished activities; confirmed people who never
    checked in are recorded as no-shows. The caller commits."""
    if not activity_ids:
        return []
    archived = list(db.session.scalars(
        sa.update(Activity)
        .where(Activity.id.in_(activity_ids), Activity.status == ActivityStatus.OPEN)
        .values(status=ActivityStatus.ARCHIVED, archived_at=now)
        .returning(Activity.id).execution_options(synchronize_session=False)))
    if archived:
        db.session.execute(
            sa.update(Signup).where(Signup.activity_id.in_(archived),
                                    Signup.status == SignupStatus.CONFIRMED)
            .values(status=SignupStatus.NO_SHOW).execution_options(synchronize_session=False))
    return archived
