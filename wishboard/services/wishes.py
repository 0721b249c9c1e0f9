"""The wish lifecycle: claim, release, complete, close, cancel, and reading the board.

Every change of a wish's state goes through ``_transition``: a conditional UPDATE that only
succeeds from the state the state machine allows, checked by its row count, so two people
racing for one wish cannot both win, on SQLite or PostgreSQL. One public function is one
use case and commits once.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from wishboard.errors import (
    ConflictError, ForbiddenError, NotFoundError, ValidationFailedError,
)
from wishboard.extensions import db
from wishboard.models import (
    Claim, ClaimStatus, Community, IllegalTransitionError, Organization, Rating, ReportStatus,
    Role, User, Wish, WishEvent, WishKind, WishState, utcnow,
)
from wishboard.models.wishes import TRANSITIONS
from wishboard.services import points
from wishboard.services.access import can_manage_community, ensure_can_manage_community
from wishboard.services.notifications import notify, notify_each, secretary_ids

# What the public board shows; pending and rejected wishes are the secretary's business.
PUBLIC_STATES = [WishState.OPEN, WishState.CLAIMED, WishState.COMPLETED, WishState.CLOSED,
                 WishState.CANCELLED, WishState.EXPIRED]


def get_wish(wish_id: int) -> Wish:
    wish = db.session.get(Wish, wish_id)
    if wish is None:
        raise NotFoundError("没有这个心愿", message_en="No such wish")
    return wish


def record_event(wish: Wish, actor: User | None, action: str, *, from_state=None,
                 to_state=None, note: str = "", on_behalf: bool = False,
                 now: datetime | None = None) -> WishEvent:
    event = WishEvent(wish_id=wish.id, actor_id=actor.id if actor else None, action=action,
                      from_state=from_state.value if from_state else None,
                      to_state=to_state.value if to_state else None, note=note[:500],
                      on_behalf=on_behalf, created_at=now or utcnow())
    db.session.add(event)
    return event


def transition_many(wish_ids: list[int], old: WishState, new: WishState, actor: User | None,
                    action: str, *, now: datetime, note: str = "", extra_where=(),
                    **values) -> list[int]:
    """Move every wish of ``wish_ids`` that is, at this instant in the database, still in
    ``old`` to ``new`` (one conditional UPDATE), and write their timeline lines. Returns the
    ids that moved; the others were moved by someone else first and are left alone.
    The caller commits."""
    if new not in TRANSITIONS.get(old, set()):
        raise IllegalTransitionError.from_state(old)
    if not wish_ids:
        return []
    moved = list(db.session.scalars(
        sa.update(Wish)
        .where(Wish.id.in_(wish_ids), Wish.state == old, *extra_where)
        .values(state=new, **values)
        .returning(Wish.id)
        .execution_options(synchronize_session=False)))
    if moved:
        db.session.execute(sa.insert(WishEvent), [
            dict(wish_id=wish_id, actor_id=actor.id if actor else None, action=action,
                 from_state=old.value, to_state=new.value, note=note[:500], on_behalf=False,
                 created_at=now) for wish_id in moved])
    return moved


def _transition(wish: Wish, new: WishState, actor: User | None, action: str, *,
                now: datetime, note: str = "", extra_where=(), **values) -> WishState:
    """Move one wish, or raise IllegalTransitionError naming the state that refused it."""
    old = wish.state
    wish.check_transition(new)
    if not transition_many([wish.id], old, new, actor, action, now=now, note=note,
                           extra_where=extra_where, **values):
        current = db.session.scalar(sa.select(Wish.state).where(Wish.id == wish.id))
        raise IllegalTransitionError.from_state(current or old)
    db.session.refresh(wish)
    return old


def _beneficiary_user_ids(wish: Wish) -> list[int]:
    return [b.user_id for b in wish.beneficiaries if b.user_id]


def local_date(value: datetime) -> str:
    local = value.astimezone(ZoneInfo(current_app.config["DISPLAY_TIMEZONE"]))
    return f"{local.year}年{local.month}月{local.day}日"


def responsibility_letter(wish: Wish, volunteer: User, organization: Organization | None,
                          due_at: datetime, now: datetime) -> str:
    """The 项目责任书 the volunteer signs, published (公示) on the wish page."""
    who = volunteer.name + (f"({organization.name})" if organization else "")
    return (
        f"项目责任书\n"
        f"我{who}自愿认领{wish.kind.label}「{wish.title}」(编号{wish.id}),"
        f"为{wish.public_alias}提供服务,承诺于{local_date(due_at)}前完成。\n"
        f"服务中我将尊重服务对象的意愿,保护其个人信息,不收取任何费用;"
        f"如不能按时完成,将及时向社区说明并释放认领。\n"
        f"认领人:{who}    {local_date(now)}"
    )


def default_due_at(wish: Wish, community: Community, now: datetime) -> datetime:
    """The promised date when the volunteer names none: the community's claim window, but
    not past the wish's own expiry (and at least a day). A service project with an end date
    runs until it."""
    if wish.kind is WishKind.PROJECT and wish.expires_at and wish.expires_at > now:
        return wish.expires_at
    due_at = now + timedelta(days=community.claim_window_days)
    if wish.expires_at and wish.expires_at > now:
        due_at = min(due_at, max(wish.expires_at, now + timedelta(days=1)))
    return due_at


def responsibility_letter_preview(wish: Wish, volunteer: User, *,
                                  now: datetime | None = None) -> str:
    """The letter as it will read if ``volunteer`` claims now with the default date."""
    now = now or utcnow()
    community = db.session.get(Community, wish.community_id)
    return responsibility_letter(wish, volunteer, None, default_due_at(wish, community, now), now)


def claim_refusal(user: User | None, wish: Wish) -> ForbiddenError | None:
    """Why ``user`` may not claim ``wish`` (None: they may, while it is open). The claim
    itself and the wish page both ask here."""
    if user is None or user.role is not Role.VOLUNTEER:
        return ForbiddenError("只有志愿者可以认领心愿", message_en="Only volunteers claim wishes",
                              code="not_a_volunteer")
    if user.report_status is not ReportStatus.APPROVED:
        return ForbiddenError("您的报到通过审核后,就可以认领心愿",
                              message_en="Your report has not been approved yet",
                              code="report_not_approved")
    if user.community_id != wish.community_id:
        return ForbiddenError("只能认领本社区的心愿", message_en="Claim wishes of your community",
                              code="not_your_community")
    return None


def claim_wish(volunteer: User, wish_id: int, *, accept_letter: bool,
               due_at: datetime | None = None, organization_id: int | None = None,
               now: datetime | None = None) -> Wish:
    """An approved volunteer claims an open wish by signing its responsibility letter."""
    now = now or utcnow()
    wish = get_wish(wish_id)
    refusal = claim_refusal(volunteer, wish)
    if refusal is not None:
        raise refusal
    if not accept_letter:
        raise ValidationFailedError("请先阅读并同意项目责任书",
                                    message_en="Accept the responsibility letter first",
                                    code="letter_not_accepted",
                                    fields={"accept_letter": ["请先阅读并同意项目责任书"]})
    if wish.kind is WishKind.PROJECT and organization_id is None:
        raise ValidationFailedError(
            "服务项目须代表报到党组织认领", message_en="Projects are claimed for an organisation",
            code="project_needs_organization",
            fields={"organization_id": ["服务项目须代表您所在的报到党组织认领"]})
    organization = None
    if organization_id is not None:
        if organization_id != volunteer.organization_id:
            raise ForbiddenError("只能代表自己所在的报到党组织认领",
                                 message_en="You may claim only for your own organisation",
                                 code="not_your_organization")
        organization = db.session.get(Organization, organization_id)
    community = db.session.get(Community, wish.community_id)
    if due_at is None:
        due_at = default_due_at(wish, community, now)
    elif due_at <= now:
        raise ValidationFailedError(fields={"due_at": ["完成日期应在今天之后"]})
    elif due_at > now + timedelta(days=366):
        raise ValidationFailedError(fields={"due_at": ["完成日期最多一年以后"]})

    _transition(wish, WishState.CLAIMED, volunteer, "claimed", now=now,
                note=f"承诺于{local_date(due_at)}前完成",
                claimant_id=volunteer.id, claim_organization_id=organization_id,
                claimed_at=now, due_at=due_at)
    _take_claim_slot(volunteer, community)
    claim = Claim(wish_id=wish.id, volunteer_id=volunteer.id, organization_id=organization_id,
                  letter=responsibility_letter(wish, volunteer, organization, due_at, now),
                  claimed_at=now, due_at=due_at, status=ClaimStatus.ACTIVE)
    db.session.add(claim)
    try:
        db.session.flush()  # the partial unique index: one active claim per wish
    except IntegrityError:
        db.session.rollback()
        raise IllegalTransitionError.from_state(WishState.CLAIMED) from None
    points.award_claim(claim, wish, now)
    notify(_beneficiary_user_ids(wish), "wish_claimed",
           f"您的心愿「{wish.title}」已由{volunteer.name}认领,"
           f"承诺{local_date(due_at)}前完成。", wish_id=wish.id, now=now)
    db.session.commit()
    return wish


def _take_claim_slot(volunteer: User, community: Community) -> None:
    cap = community.max_open_claims
    query = sa.update(User).where(User.id == volunteer.id)
    if cap is not None:
        query = query.where(User.open_claim_count < cap)
    result = db.session.execute(query.values(open_claim_count=User.open_claim_count + 1)
                                .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.rollback()
        raise ConflictError(f"您已有{cap}个进行中的认领,完成后再认领新的",
                            message_en=f"You already hold {cap} open claims",
                            code="too_many_claims")


def _free_claim_slots(volunteer_ids: list[int]) -> None:
    counts = Counter(volunteer_ids)
    if counts:
        users = User.__table__
        db.session.execute(
            users.update().where(users.c.id == sa.bindparam("vid"),
                                 users.c.open_claim_count >= sa.bindparam("n"))
            .values(open_claim_count=users.c.open_claim_count - sa.bindparam("n")),
            [{"vid": vid, "n": n} for vid, n in counts.items()])


def _active_claim(wish: Wish) -> Claim | None:
    return db.session.scalar(sa.select(Claim).where(Claim.wish_id == wish.id,
                                                    Claim.status == ClaimStatus.ACTIVE))


def _end_claim(wish: Wish, status: ClaimStatus, now: datetime, reason: str | None = None,
               **values) -> Claim | None:
    claim = _active_claim(wish)
    if claim is not None:
        claim.status = status
        claim.ended_at = now
        claim.end_reason = reason
        for key, value in values.items():
            setattr(claim, key, value)
        _free_claim_slots([claim.volunteer_id])
    return claim


def release_claim(actor: User | None, wish_id: int, reason: str, *,
                  now: datetime | None = None) -> Wish:
    """The claimant gives the wish back, or the secretary takes it back; it reopens.
    ``actor`` None is the system (the stale-work policy)."""
    now = now or utcnow()
    wish = get_wish(wish_id)
    if wish.state is not WishState.CLAIMED:
        raise IllegalTransitionError.from_state(wish.state)
    if actor is not None and actor.id != wish.claimant_id and not can_manage_community(
            actor, wish.community_id):
        raise ForbiddenError("只有认领人或社区书记可以释放认领",
                             message_en="Only the claimant or the secretary may release",
                             code="not_claimant")
    apply_release(wish, actor, reason, now)
    db.session.commit()
    return wish


def apply_release(wish: Wish, actor: User | None, reason: str, now: datetime) -> None:
    """Reopen one claimed wish (see release_many); raises if it is no longer claimed."""
    if not release_many([wish.id], actor, reason, now,
                        extra_where=(Wish.claimant_id == wish.claimant_id,)):
        current = db.session.scalar(sa.select(Wish.state).where(Wish.id == wish.id))
        raise IllegalTransitionError.from_state(current)
    db.session.refresh(wish)


def release_many(wish_ids: list[int], actor: User | None, reason: str, now: datetime, *,
                 extra_where=()) -> list[int]:
    """Reopen claimed wishes: end their claims, free the claimants' slots, reverse the claim
    points, tell each claimant who did not release it themselves. A fixed number of
    statements however many wishes. The caller commits; returns the ids released."""
    moved = transition_many(wish_ids, WishState.CLAIMED, WishState.OPEN, actor, "released",
                            now=now, note=reason, extra_where=extra_where, claimant_id=None,
                            claim_organization_id=None, claimed_at=None, due_at=None)
    if not moved:
        return []
    claims = db.session.execute(
        sa.update(Claim).where(Claim.wish_id.in_(moved), Claim.status == ClaimStatus.ACTIVE)
        .values(status=ClaimStatus.RELEASED, ended_at=now, end_reason=reason)
        .returning(Claim.id, Claim.wish_id, Claim.volunteer_id)
        .execution_options(synchronize_session=False)).all()
    _free_claim_slots([c.volunteer_id for c in claims])
    titles = dict(db.session.execute(sa.select(Wish.id, Wish.title)
                                     .where(Wish.id.in_(moved))).all())
    points.reverse_many([(f"claim:{c.id}", f"认领「{titles[c.wish_id]}」未完成:{reason}")
                         for c in claims], now)
    notify_each([(c.volunteer_id, f"您认领的心愿「{titles[c.wish_id]}」已被释放:{reason}",
                  c.wish_id) for c in claims if actor is None or actor.id != c.volunteer_id],
                "claim_released", now=now)
    return moved


def complete_wish(volunteer: User, wish_id: int, *, hours: Decimal | float, note: str = "",
                  now: datetime | None = None) -> Wish:
    """The claimant reports the service done, with the hours it took."""
    now = now or utcnow()
    wish = get_wish(wish_id)
    if wish.state is not WishState.CLAIMED:
        raise IllegalTransitionError.from_state(wish.state)
    if wish.claimant_id != volunteer.id:
        raise ForbiddenError("只有认领人可以标记完成", message_en="Only the claimant may complete",
                             code="not_claimant")
    hours = Decimal(str(hours)).quantize(Decimal("0.1"))
    _transition(wish, WishState.COMPLETED, volunteer, "completed", now=now,
                note=f"服务{hours}小时。{note}".strip(),
                extra_where=(Wish.claimant_id == volunteer.id,), completed_at=now)
    claim = _end_claim(wish, ClaimStatus.COMPLETED, now, hours=hours, completion_note=note)
    if claim is not None:
        points.award_completion(claim, wish, now)
    text = f"心愿「{wish.title}」已由{volunteer.name}完成服务"
    notify(_beneficiary_user_ids(wish), "wish_completed", text + ",请您去评价。",
           wish_id=wish.id, now=now)
    notify(secretary_ids(wish.community_id), "wish_completed", text + ",等待评价和结项。",
           wish_id=wish.id, now=now)
    db.session.commit()
    return wish


def close_wish(actor: User | None, wish_id: int, *, now: datetime | None = None) -> Wish:
    """The secretary (or, with ``actor`` None, the stale-work policy) closes a completed wish."""
    now = now or utcnow()
    wish = get_wish(wish_id)
    if actor is not None:
        ensure_can_manage_community(actor, wish.community_id)
    apply_close(wish, actor, now)
    db.session.commit()
    return wish


def apply_close(wish: Wish, actor: User | None, now: datetime, note: str = "") -> None:
    """Close a completed wish; its points are final. The caller commits."""
    _transition(wish, WishState.CLOSED, actor, "closed", now=now, note=note, closed_at=now)


def finish_projects(wish_ids: list[int], note: str, now: datetime) -> list[int]:
    """Service projects whose end date has come are completed by the system: the claim ends
    with the confirmed hours, and completion points are booked. The caller commits."""
    moved = transition_many(wish_ids, WishState.CLAIMED, WishState.COMPLETED, None,
                            "completed", now=now, note=note,
                            extra_where=(Wish.kind == WishKind.PROJECT,), completed_at=now)
    for wish in db.session.scalars(sa.select(Wish).where(Wish.id.in_(moved))):
        claim = _end_claim(wish, ClaimStatus.COMPLETED, now, note,
                           hours=Decimal(wish.confirmed_hours or 0))
        if claim is not None:
            points.award_completion(claim, wish, now, with_hours=False)
    return moved


def close_many(wish_ids: list[int], note: str, now: datetime) -> list[int]:
    """The stale-work policy closes completed wishes whose rating window has passed."""
    return transition_many(wish_ids, WishState.COMPLETED, WishState.CLOSED, None, "closed",
                           now=now, note=note, closed_at=now)


def expire_many(wish_ids: list[int], reason: str, now: datetime) -> list[int]:
    """The stale-work policy retires open wishes nobody claimed."""
    return transition_many(wish_ids, WishState.OPEN, WishState.EXPIRED, None, "expired",
                           now=now, note=reason)


def cancel_wish(actor: User, wish_id: int, reason: str, *, now: datetime | None = None) -> Wish:
    """The secretary withdraws an open or claimed wish, saying why."""
    now = now or utcnow()
    wish = get_wish(wish_id)
    ensure_can_manage_community(actor, wish.community_id)
    claimant_id = wish.claimant_id
    _transition(wish, WishState.CANCELLED, actor, "cancelled", now=now, note=reason,
                cancel_reason=reason, claimant_id=None, claim_organization_id=None)
    if claimant_id is not None:
        claim = _end_claim(wish, ClaimStatus.CANCELLED, now, reason)
        if claim is not None:
            points.reverse_claim(claim, wish, reason, now)
        notify([claimant_id], "wish_cancelled",
               f"您认领的心愿「{wish.title}」已被社区取消:{reason}", wish_id=wish.id, now=now)
    db.session.commit()
    return wish


# Reading -----------------------------------------------------------------------------------

def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def list_wishes(*, community_id: int | None = None, status: str | None = None,
                category_id: int | None = None, kind: str | None = None,
                grid_id: int | None = None, q: str | None = None, page: int = 1,
                per_page: int = 20, viewer: User | None = None) -> tuple[list[Wish], int]:
    """The board, newest first. A fixed number of queries whatever the page size."""
    query = sa.select(Wish)
    if status:
        state = WishState(status)
        if state not in PUBLIC_STATES and not (
                viewer is not None and community_id and can_manage_community(viewer,
                                                                             community_id)):
            raise ForbiddenError("只有社区书记能看这类心愿", code="not_your_community")
        query = query.where(Wish.state == state)
    else:
        query = query.where(Wish.state.in_(PUBLIC_STATES))
    if community_id:
        query = query.where(Wish.community_id == community_id)
    if category_id:
        query = query.where(Wish.category_id == category_id)
    if kind:
        query = query.where(Wish.kind == WishKind(kind))
    if grid_id:
        places = sa.select(Community.id).where(sa.or_(Community.id == grid_id,
                                                      Community.parent_id == grid_id))
        deeper = sa.select(Community.id).where(Community.parent_id.in_(places))
        query = query.where(sa.or_(Wish.grid_id.in_(places), Wish.grid_id.in_(deeper)))
    if q:
        pattern = f"%{_escape_like(q)}%"
        query = query.where(sa.or_(Wish.title.like(pattern, escape="\\"),
                                   Wish.description.like(pattern, escape="\\")))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    items = db.session.scalars(
        query.options(joinedload(Wish.category), joinedload(Wish.grid),
                      joinedload(Wish.claimant), joinedload(Wish.claim_organization),
                      selectinload(Wish.beneficiaries))
        .order_by(sa.func.coalesce(Wish.published_at, Wish.created_at).desc(), Wish.id.desc())
        .limit(per_page).offset((page - 1) * per_page)
    ).unique().all()
    return list(items), total


def wish_story(wish_id: int) -> Wish:
    """A wish with its story: ``events`` (the timeline, oldest first), ``claim_history``
    (newest first, each with its letter) and ``rating_list``. Four queries."""
    wish = db.session.scalar(
        sa.select(Wish).where(Wish.id == wish_id)
        .options(joinedload(Wish.category), joinedload(Wish.grid), joinedload(Wish.claimant),
                 joinedload(Wish.claim_organization), selectinload(Wish.beneficiaries)))
    if wish is None:
        raise NotFoundError("没有这个心愿", message_en="No such wish")
    wish.events = list(db.session.scalars(
        sa.select(WishEvent).where(WishEvent.wish_id == wish_id)
        .options(joinedload(WishEvent.actor)).order_by(WishEvent.created_at, WishEvent.id)))
    wish.claim_history = list(db.session.scalars(
        sa.select(Claim).where(Claim.wish_id == wish_id)
        .options(joinedload(Claim.volunteer), joinedload(Claim.organization))
        .order_by(Claim.claimed_at.desc(), Claim.id.desc())))
    wish.rating_list = list(db.session.scalars(
        sa.select(Rating).where(Rating.wish_id == wish_id, Rating.removed_at.is_(None))
        .options(joinedload(Rating.rater), joinedload(Rating.beneficiary))
        .order_by(Rating.created_at, Rating.id)))
    return wish


def claims_of(volunteer: User, *, active_only: bool = False) -> list[Claim]:
    query = sa.select(Claim).where(Claim.volunteer_id == volunteer.id)
    if active_only:
        query = query.where(Claim.status == ClaimStatus.ACTIVE)
    return list(db.session.scalars(
        query.options(joinedload(Claim.organization), joinedload(Claim.wish))
        .order_by(sa.case((Claim.status == ClaimStatus.ACTIVE, 0), else_=1), Claim.due_at,
                  Claim.id.desc())))
