"""The wish lifecycle: claim, release, complete, close, cancel, and reading the board.

Every change of a wish's state goes through ``_transition``: a conditional UPDATE that only
succeeds from the state the state machine allows, checked by its row count, so two people
racing for one wish cannot both win, on SQLite or PostgreSQL. A wish that leaves ``open``
there (claimed, cancelled, expired) ends its live invitations in the same transaction
(``_end_invitations``). One public function is one use case and commits once.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session, joinedload, selectinload

from wishboard.access import (
    can_see_state, can_see_wish, claim_refusal, complete_refusal,
    completed_claim, confirm_hours_refusal, ensure_can_manage_community,
    invitation_answerer_ids, manage_refusal, private_details_reason, release_refusal,
)
from wishboard.accounts.models import User
from wishboard.audit import services as audit
from wishboard.core.clock import (
    date_words, day_start, end_of_day, hours_words, local_day, utcnow,
)
from wishboard.core.db import (
    Page, UTCDateTime, commit_keeping_what_was_read, contains, count_upto, cursor_of,
    flush_or_conflict, upsert,
)
from wishboard.errors import ConflictError, ForbiddenError, NotFoundError, ValidationFailedError
from wishboard.extensions import db
from wishboard.invitations.models import Invitation, InvitationStatus
from wishboard.matching import services as matching
from wishboard.needs.models import Need, NeedStatus
from wishboard.needs.services import need_for_decision
from wishboard.notifications.services import notify, notify_each, secretary_ids
from wishboard.places.models import Community, Organization
from wishboard.places.services import active_category, grid_in
from wishboard.points import services as points
from wishboard.privacy import mask_name
from wishboard.projects.models import LogStatus, ServiceLog
from wishboard.ratings.models import Rating
from wishboard.wishes.models import (
    Beneficiary, Claim, ClaimStatus, HoursStatus, Wish, WishEvent, WishKind, WishStory, WishTally,
)
from wishboard.wishes.states import (
    LIVE_STATES, PUBLIC_STATES, TRANSITIONS, WishState, state_refusal,
)


def get_wish(wish_id: int) -> Wish:
    wish = db.session.get(Wish, wish_id)
    if wish is None:
        raise NotFoundError("没有这个心愿", message_en="No such wish")
    return wish


def record_event(wish: Wish, actor: User | None, action: str, *, from_state=None,
                 to_state=None, note: str = "", on_behalf: bool = False, is_public: bool = True,
                 now: datetime | None = None) -> WishEvent:
    """A line of the wish's timeline. ``is_public`` False keeps its note (a need's own
    words) for the community's staff and the people served."""
    event = WishEvent(wish_id=wish.id, actor_id=actor.id if actor else None, action=action,
                      from_state=from_state.value if from_state else None,
                      to_state=to_state.value if to_state else None, note=note[:500],
                      on_behalf=on_behalf, is_public=is_public, created_at=now or utcnow())
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
        raise state_refusal(old)
    if not wish_ids:
        return []
    rows = db.session.execute(
        sa.update(Wish)
        .where(Wish.id.in_(wish_ids), Wish.state == old, *extra_where)
        .values(state=new, **values)
        .returning(Wish.id, Wish.community_id)
        .execution_options(synchronize_session=False)).all()
    moved = [wish_id for wish_id, _ in rows]
    if moved:
        db.session.execute(sa.insert(WishEvent), [
            dict(wish_id=wish_id, actor_id=actor.id if actor else None, action=action,
                 from_state=old.value, to_state=new.value, note=note[:500], on_behalf=False,
                 created_at=now) for wish_id in moved])
        changes = Counter()
        for _, community_id in rows:
            changes[community_id, old] -= 1
            changes[community_id, new] += 1
        _tally(changes)
        if old is WishState.OPEN:
            _end_invitations(moved, new, now, claimant_id=values.get("claimant_id"),
                             organization_id=values.get("claim_organization_id"))
    return moved


def _end_invitations(wish_ids: list[int], new: WishState, now: datetime, *,
                     claimant_id: int | None, organization_id: int | None) -> None:
    """Wishes have just left ``open``: their live invitations end with them, in the same
    transaction (after the wishes' rows, the order every such change takes its locks in).
    A claim by the person invited, or for the organisation invited, answers that
    invitation (``accepted``); every other one ``lapsed``, and its invitee is told why
    (``_tell_lapsed``)."""
    live = (Invitation.wish_id.in_(wish_ids), Invitation.status == InvitationStatus.PENDING)
    if new is WishState.CLAIMED and claimant_id is not None:
        taken_up = Invitation.user_id == claimant_id
        if organization_id is not None:
            taken_up = sa.or_(taken_up, Invitation.organization_id == organization_id)
        db.session.execute(
            sa.update(Invitation).where(*live, taken_up, Invitation.expires_at > now)
            .values(status=InvitationStatus.ACCEPTED, ended_at=now, answered_by_id=claimant_id)
            .execution_options(synchronize_session=False))
    lapsed = db.session.execute(
        sa.update(Invitation).where(*live)
        .values(status=InvitationStatus.LAPSED, ended_at=now)
        .returning(Invitation.wish_id, Invitation.user_id, Invitation.organization_id)
        .execution_options(synchronize_session=False)).all()
    _tell_lapsed(lapsed, new, now, claimant_id=claimant_id)


# Why an invitation lapsed, as its invitee reads it: where its wish went from ``open``.
LAPSE_WORDS = {
    WishState.CLAIMED: "已由其他志愿者认领",
    WishState.CANCELLED: "已被社区取消",
    WishState.EXPIRED: "已过期",
}


def _tell_lapsed(lapsed, new: WishState, now: datetime, *, claimant_id: int | None) -> None:
    """The invitees of invitations that just lapsed (for an organisation, its contact)
    hear why, once per person and wish, in the transaction that ended them; never the
    volunteer whose own claim ended them (who claimed on the wish page, say, after their
    invitation's time was up, or for themselves while their organisation was invited)."""
    if not lapsed:
        return
    answerers = invitation_answerer_ids([(row.user_id, row.organization_id) for row in lapsed])
    told = sorted({(person, row.wish_id) for person, row in zip(answerers, lapsed)
                   if person is not None and person != claimant_id})
    if not told:
        return
    titles = dict(db.session.execute(sa.select(Wish.id, Wish.title).where(
        Wish.id.in_({wish_id for _, wish_id in told}))).all())
    why = LAPSE_WORDS.get(new, "已经结束")
    notify_each([(person, f"您受邀的心愿「{titles[wish_id]}」{why}，邀请已失效，谢谢您。", wish_id)
                 for person, wish_id in told], "invitation_lapsed", now=now)


_TALLY_KEY = "wish_tally_changes"


def _tally(changes: Counter) -> None:
    """Add each ``(community_id, state): n`` of ``changes`` to the tallies when the caller's
    transaction commits (``_write_tallies``)."""
    db.session.info.setdefault(_TALLY_KEY, Counter()).update(changes)


@sa.event.listens_for(Session, "before_commit")
def _write_tallies(session: Session) -> None:
    """The tallies are every board's hottest rows: they are written last, just before the
    commit, and always in one order. A transaction holding them waits for nothing else,
    so no two transactions can each hold what the other waits for."""
    changes = session.info.pop(_TALLY_KEY, None)
    for (community_id, state), n in sorted((changes or {}).items(),
                                           key=lambda change: (change[0][0], change[0][1].value)):
        if n:
            session.execute(
                upsert(WishTally).values(community_id=community_id, state=state, count=n)
                .on_conflict_do_update(index_elements=["community_id", "state"],
                                       set_={"count": WishTally.__table__.c.count + n}))


@sa.event.listens_for(Session, "after_rollback")
def _forget_tallies(session: Session) -> None:
    session.info.pop(_TALLY_KEY, None)


def _transition(wish: Wish, new: WishState, actor: User | None, action: str, *,
                now: datetime, note: str = "", extra_where=(), **values) -> WishState:
    """Move one wish, or raise the refusal naming the state that refused it."""
    old = wish.state
    wish.check_transition(new)
    if not transition_many([wish.id], old, new, actor, action, now=now, note=note,
                           extra_where=extra_where, **values):
        current = db.session.scalar(sa.select(Wish.state).where(Wish.id == wish.id))
        raise state_refusal(current or old)
    db.session.refresh(wish)
    return old


def _beneficiary_user_ids(wish: Wish) -> list[int]:
    return [b.user_id for b in wish.beneficiaries if b.user_id]


def responsibility_letter(wish: Wish, volunteer: User, organization: Organization | None,
                          due_at: datetime, now: datetime) -> str:
    """The 项目责任书 the volunteer signs, published (公示) on the wish page."""
    who = volunteer.name + (f"（{organization.name}）" if organization else "")
    return (
        f"项目责任书\n"
        f"我{who}自愿认领{wish.kind.label}「{wish.title}」（编号{wish.id}），"
        f"为{wish.public_alias}提供服务，承诺于{date_words(due_at)}前完成。\n"
        f"服务中我将尊重服务对象的意愿，保护其个人信息，不收取任何费用；"
        f"如不能按时完成，将及时向社区说明并释放认领。\n"
        f"认领人：{who}    {date_words(now)}"
    )


def default_due_at(wish: Wish, community: Community, now: datetime) -> datetime:
    """The promised date when the volunteer names none: the end of the local day the
    community's claim window reaches (claimed at 01:29 on the 1st with 7 days: the 8th,
    23:59:59 local, as if that date were typed in), but not past the wish's own expiry
    (and at least the end of tomorrow). A service project with an end date runs until it."""
    if wish.kind is WishKind.PROJECT and wish.expires_at and wish.expires_at > now:
        return wish.expires_at
    today = local_day(now)
    due_at = end_of_day(today + timedelta(days=community.claim_window_days))
    if wish.expires_at and wish.expires_at > now:
        due_at = min(due_at, max(wish.expires_at, end_of_day(today + timedelta(days=1))))
    return due_at


def responsibility_letter_preview(wish: Wish, volunteer: User, *,
                                  now: datetime | None = None) -> str:
    """The letter as it will read if ``volunteer`` claims now with the default date."""
    now = now or utcnow()
    community = db.session.get(Community, wish.community_id)
    return responsibility_letter(wish, volunteer, None, default_due_at(wish, community, now), now)


def claim_wish(volunteer: User, wish_id: int, *, accept_letter: bool,
               due_at: datetime | None = None, organization_id: int | None = None,
               now: datetime | None = None) -> Wish:
    """An approved volunteer claims an open wish by signing its responsibility letter."""
    wish = apply_claim(volunteer, wish_id, accept_letter=accept_letter, due_at=due_at,
                       organization_id=organization_id, now=now)
    db.session.commit()
    return wish


def apply_claim(volunteer: User, wish_id: int, *, accept_letter: bool,
                due_at: datetime | None = None, organization_id: int | None = None,
                now: datetime | None = None) -> Wish:
    """The claim itself (see ``claim_wish``), for a use case that claims as one of its steps
    (accepting an invitation, ``wishboard.invitations``). The caller commits."""
    now = now or utcnow()
    wish = get_wish(wish_id)
    refusal = claim_refusal(volunteer, wish, organization_id)
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
    # Their own organisation, approved (``claim_refusal`` said so).
    organization = (db.session.get(Organization, organization_id)
                    if organization_id is not None else None)
    community = db.session.get(Community, wish.community_id)
    if due_at is None:
        due_at = default_due_at(wish, community, now)
    elif due_at <= now:
        raise ValidationFailedError(fields={"due_at": ["完成日期应在今天之后"]})
    elif due_at > now + timedelta(days=366):
        raise ValidationFailedError(fields={"due_at": ["完成日期最多一年以后"]})

    _transition(wish, WishState.CLAIMED, volunteer, "claimed", now=now,
                note=f"承诺于{date_words(due_at)}前完成",
                claimant_id=volunteer.id, claim_organization_id=organization_id,
                claimed_at=now, due_at=due_at)
    _take_claim_slot(volunteer, community)
    claim = Claim(wish_id=wish.id, volunteer_id=volunteer.id, organization_id=organization_id,
                  letter=responsibility_letter(wish, volunteer, organization, due_at, now),
                  claimed_at=now, due_at=due_at, status=ClaimStatus.ACTIVE)
    db.session.add(claim)
    # The partial unique index: one active claim per wish.
    flush_or_conflict(state_refusal(WishState.CLAIMED))
    points.award_claim(claim, wish, now)
    notify(_beneficiary_user_ids(wish), "wish_claimed",
           f"您的心愿「{wish.title}」已由{volunteer.name}认领，"
           f"承诺{date_words(due_at)}前完成。", wish_id=wish.id, now=now)
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
        raise ConflictError(f"您已有{cap}个进行中的认领，完成后再认领新的",
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
    if actor is not None and (refusal := release_refusal(actor, wish)) is not None:
        raise refusal
    claimant_id = wish.claimant_id
    apply_release(wish, actor, reason, now)
    if actor is not None and actor.id == claimant_id:
        _flag_frequent_releases(claimant_id, wish.community_id, now)
    db.session.commit()
    return wish


RELEASE_WINDOW = timedelta(days=30)


def _flag_frequent_releases(volunteer_id: int, community_id: int, now: datetime) -> None:
    """A volunteer who gives back more claims than the community allows in 30 days (and so
    may be collecting the private details of the people served) is flagged to the
    secretary, once per release past the limit."""
    community = db.session.get(Community, community_id)
    released = release_counts([volunteer_id], now=now).get(volunteer_id, 0)
    if released <= community.release_flag_count:
        return
    volunteer = db.session.get(User, volunteer_id)
    audit.record("volunteer_flagged", actor=None, object_type="user", object_id=volunteer_id,
                 community_id=community_id,
                 after={"released_in_30_days": released, "limit": community.release_flag_count},
                 now=now)
    notify(secretary_ids(community_id), "volunteer_flagged",
           f"志愿者{volunteer.name}30天内已有{released}次认领没有做成（释放、逾期或核实未实际服务；"
           f"社区设定提醒线为{community.release_flag_count}次），请留意。", now=now)


OVERDUE_REASON = "逾期"


def release_counts(volunteer_ids: list[int], *, now: datetime | None = None) -> dict[int, int]:
    """How many claims each volunteer gave up in the last 30 days: those they released
    themselves, those they let run past the promised date, and those the staff found were
    never served (a secretary's taking a claim back is not counted against them)."""
    if not volunteer_ids:
        return {}
    now = now or utcnow()
    since = now - RELEASE_WINDOW
    counts = Counter(dict(db.session.execute(
        sa.select(WishEvent.actor_id, sa.func.count()).where(
            WishEvent.actor_id.in_(volunteer_ids), WishEvent.action == "released",
            WishEvent.created_at >= since).group_by(WishEvent.actor_id)).all()))
    counts.update(dict(db.session.execute(
        sa.select(Claim.volunteer_id, sa.func.count()).where(
            Claim.volunteer_id.in_(volunteer_ids), Claim.status == ClaimStatus.RELEASED,
            Claim.end_reason == OVERDUE_REASON, Claim.ended_at >= since)
        .group_by(Claim.volunteer_id)).all()))
    counts.update(dict(db.session.execute(
        sa.select(Claim.volunteer_id, sa.func.count()).where(
            Claim.volunteer_id.in_(volunteer_ids),
            Claim.hours_status == HoursStatus.NOT_SERVED, Claim.hours_confirmed_at >= since)
        .group_by(Claim.volunteer_id)).all()))
    return dict(counts)


def apply_release(wish: Wish, actor: User | None, reason: str, now: datetime) -> None:
    """Reopen one claimed wish (see release_many); raises if it is no longer claimed."""
    if not release_many([wish.id], actor, reason, now,
                        extra_where=(Wish.claimant_id == wish.claimant_id,)):
        current = db.session.scalar(sa.select(Wish.state).where(Wish.id == wish.id))
        raise state_refusal(current)
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
    rows = db.session.execute(sa.select(Wish.id, Wish.title, Wish.community_id)
                              .where(Wish.id.in_(moved))).all()
    titles = {r.id: r.title for r in rows}
    points.reverse_many([(f"claim:{c.id}", f"认领「{titles[c.wish_id]}」未完成：{reason}")
                         for c in claims], now)
    notify_each([(c.volunteer_id, f"您认领的心愿「{titles[c.wish_id]}」已被释放：{reason}",
                  c.wish_id) for c in claims if actor is None or actor.id != c.volunteer_id],
                "claim_released", now=now)
    if actor is None:  # let go for lateness: counts towards the release flag
        places = {r.id: r.community_id for r in rows}
        for volunteer_id, wish_id in {c.volunteer_id: c.wish_id for c in claims}.items():
            _flag_frequent_releases(volunteer_id, places[wish_id], now)
    return moved


def hours_cap(community: Community, claimed_at: datetime, now: datetime) -> tuple[int, int]:
    """(the most hours a claim may carry, the calendar days it spans): the community's
    hours per day times the days from the claim's day to today, in local dates."""
    days = (local_day(now) - local_day(claimed_at)).days + 1
    return community.max_hours_per_day * max(days, 1), max(days, 1)


MAX_STATED_HOURS = Decimal("1000")  # what any one statement may say; the caps are lower


def hours_given(hours: Decimal | float, *, least: Decimal = Decimal("0.1")) -> Decimal:
    """Hours as stated, to a tenth of an hour; fewer than ``least`` is refused (400 on
    ``hours``), whoever calls: the forms check too, the CLI and scripts may not."""
    value = Decimal(str(hours))
    if not value.is_finite() or not least <= value <= MAX_STATED_HOURS:
        raise ValidationFailedError(fields={"hours": [
            f"请填写{least}到{MAX_STATED_HOURS}之间的小时数"]})
    return value.quantize(Decimal("0.1"))


def stated_hours(user_id: int, first_day: date, last_day: date) -> Decimal:
    """The hours one person has stated for the local days ``first_day``..``last_day``:
    completions reported in those days and service logs for them (rejected ones aside).
    The caller holds the person's row lock (``lock_person``)."""
    start, end = day_start(first_day), day_start(last_day + timedelta(days=1))
    completed = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(Claim.hours), 0)).where(
        Claim.volunteer_id == user_id, Claim.status == ClaimStatus.COMPLETED,
        Claim.ended_at >= start, Claim.ended_at < end))
    logged = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(ServiceLog.hours), 0))
                               .where(ServiceLog.user_id == user_id,
                                      ServiceLog.served_on >= first_day,
                                      ServiceLog.served_on <= last_day,
                                      ServiceLog.status != LogStatus.REJECTED))
    return Decimal(completed) + Decimal(logged)


def within_daily_cap(user_id: int, hours: Decimal, community: Community, first_day: date,
                     last_day: date) -> None:
    """One daily cap for a person, whatever they state it in (completions, service logs)
    and whichever community the work was in: the hours stated for the days served
    ``first_day``..``last_day`` may not pass ``community.max_hours_per_day`` a day. Takes
    the person's lock first, so two statements sent at once cannot both slip under it;
    refuses with 400 on ``hours``."""
    days = (last_day - first_day).days + 1
    limit = Decimal(community.max_hours_per_day * days)
    lock_person(user_id)
    already = stated_hours(user_id, first_day, last_day)
    if already + hours <= limit:
        return
    db.session.rollback()
    left = hours_words(max(limit - already, Decimal(0)))
    span = "这一天" if days == 1 else f"这{days}天"
    raise ValidationFailedError(
        f"每天最多填报{community.max_hours_per_day}小时",
        message_en=f"At most {community.max_hours_per_day} hours a day", code="too_many_hours",
        fields={"hours": [f"{span}您已填报{hours_words(already)}小时，每天最多"
                          f"{community.max_hours_per_day}小时，最多还能填{left}小时"]})


def lock_person(user_id: int) -> None:
    """Take one person's hour statements one at a time (a row lock on PostgreSQL, the write
    lock on SQLite), so two sent at once cannot both slip under a day's limit."""
    db.session.execute(sa.update(User).where(User.id == user_id).values(id=User.id)
                       .execution_options(synchronize_session=False))


def complete_wish(volunteer: User, wish_id: int, *, hours: Decimal | float, note: str = "",
                  now: datetime | None = None) -> Wish:
    """The claimant reports the service done, with the hours it took. The completion and
    its hours earn once the person served or the secretary confirms that it took place
    (``apply_hours_confirmation``); until then they are pending (待确认)."""
    now = now or utcnow()
    wish = get_wish(wish_id)
    if (refusal := complete_refusal(volunteer, wish)) is not None:
        raise refusal
    hours = hours_given(hours)
    community = db.session.get(Community, wish.community_id)
    cap, days = hours_cap(community, wish.claimed_at or now, now)
    if hours > cap:
        raise ValidationFailedError(
            f"这次服务最多可填{cap}小时", message_en=f"At most {cap} hours for this claim",
            code="too_many_hours",
            fields={"hours": [f"从认领到今天共{days}天，每天最多{community.max_hours_per_day}"
                              f"小时，最多可填{cap}小时"]})
    within_daily_cap(volunteer.id, hours, community, local_day(wish.claimed_at or now),
                     local_day(now))
    _transition(wish, WishState.COMPLETED, volunteer, "completed", now=now,
                note=f"服务{hours_words(hours)}小时（待确认）。{note}".strip(),
                extra_where=(Wish.claimant_id == volunteer.id,), completed_at=now)
    _end_claim(wish, ClaimStatus.COMPLETED, now, hours=hours, completion_note=note,
               hours_status=HoursStatus.PENDING)
    text = f"心愿「{wish.title}」已由{volunteer.name}完成服务"
    notify(_beneficiary_user_ids(wish), "wish_completed",
           text + f"，说服务了{hours_words(hours)}小时，请您去评价并确认。", wish_id=wish.id, now=now)
    notify(secretary_ids(wish.community_id), "wish_completed",
           text + f"（服务{hours_words(hours)}小时待确认），等待服务对象或社区确认。", wish_id=wish.id,
           now=now)
    db.session.commit()
    return wish


def confirm_hours(actor: User, wish_id: int, *, hours: Decimal | float | None = None,
                  reason: str | None = None, now: datetime | None = None) -> Wish:
    """The person served confirms that the service took place, with the hours stated; the
    secretary confirms or adjusts them (with a reason), or with 0 hours and a reason records
    that no service took place (``apply_not_served``). Only a confirmation makes the
    completion and its hours earn."""
    now = now or utcnow()
    wish = get_wish(wish_id)
    claim = completed_claim(wish)
    if hours is not None:
        hours = hours_given(hours, least=Decimal(0))
    adjusting = hours is not None and claim is not None and claim.hours is not None and (
        hours != claim.hours)
    if (refusal := confirm_hours_refusal(actor, wish, claim, adjusting=adjusting,
                                         now=now)) is not None:
        raise refusal
    if adjusting:
        cap, _ = hours_cap(db.session.get(Community, wish.community_id), claim.claimed_at,
                           claim.ended_at or now)
        if hours > cap:
            raise ValidationFailedError(fields={"hours": [f"这次认领最多{cap}小时"]})
        if not reason:
            raise ValidationFailedError(fields={"reason": [
                "记为未实际服务时请写明原因" if hours == 0 else "调整时长时请写明原因"]})
    if adjusting and hours == 0:
        settled = apply_not_served(claim, wish, actor, reason, now)
    else:
        settled = apply_hours_confirmation(claim, wish, actor, now,
                                           hours=hours if adjusting else None,
                                           reason=reason if adjusting else None)
    if not settled:
        db.session.rollback()  # someone settled them a moment ago
        raise ConflictError("服务时长已经处理过了", message_en="The hours are already settled",
                            code="hours_already_settled")
    db.session.commit()
    return wish


def _settle(claim: Claim, actor: User | None, now: datetime, status: HoursStatus,
            hours: Decimal, reason: str | None) -> bool:
    """Move a claim's pending hours to ``status`` (a conditional UPDATE, so two decisions
    settle once). False if they were already settled."""
    moved = db.session.execute(
        sa.update(Claim).where(Claim.id == claim.id, Claim.hours_status == HoursStatus.PENDING)
        .values(hours_status=status, confirmed_hours=hours, hours_confirmed_at=now,
                hours_confirmed_by_id=actor.id if actor else None, hours_adjust_reason=reason)
        .execution_options(synchronize_session=False)).rowcount == 1
    if moved:
        db.session.refresh(claim)
    return moved


def apply_hours_confirmation(claim: Claim, wish: Wish, actor: User | None, now: datetime, *,
                             hours: Decimal | None = None, reason: str | None = None,
                             status: HoursStatus = HoursStatus.CONFIRMED) -> bool:
    """Settle a claim's pending completion: confirmed, it books the completion's points
    and its hours'; lapsed (nobody confirmed, and the community lets such work go unpaid),
    neither. The caller commits; False if already settled."""
    final = claim.hours if hours is None else hours
    if not _settle(claim, actor, now, status,
                   final if status is HoursStatus.CONFIRMED else Decimal("0"), reason):
        return False
    if status is HoursStatus.CONFIRMED:
        points.award_completion(claim, wish, now)
        points.award_hours(claim, wish, now)
    action = {HoursStatus.CONFIRMED: "hours_adjusted" if reason else "hours_confirmed",
              HoursStatus.LAPSED: "hours_settled"}[status]
    audit.record(action, actor=actor, object_type="claim", object_id=claim.id,
                 community_id=wish.community_id,
                 before={"hours": float(claim.hours or 0)},
                 after={"hours": float(claim.confirmed_hours or 0), "status": status.value,
                        "reason": reason, "wish_id": wish.id}, now=now)
    if status is HoursStatus.CONFIRMED:
        text = (f"您在「{wish.title}」的服务已确认，时长{hours_words(claim.confirmed_hours)}小时"
                + (f"（社区调整：{reason}）" if reason else "") + "，完成和时长已计入积分。")
    else:
        text = f"您在「{wish.title}」的服务在评价期内无人确认，按社区规定完成和时长不计积分。"
    notify([claim.volunteer_id], "hours_confirmed", text, wish_id=wish.id, now=now)
    return True


NOT_SERVED_EVENT = "not_served"


def was_not_served(wish: Wish) -> bool:
    """Whether the staff found that the wish's completed claim was never served."""
    claim = completed_claim(wish)
    return claim is not None and claim.hours_status is HoursStatus.NOT_SERVED


def apply_not_served(claim: Claim, wish: Wish, actor: User, reason: str, now: datetime
                     ) -> bool:
    """The community's staff record that no service took place (未实际服务): the pending
    completion earns nothing, the claim's points are taken back (and, for a completion
    paid before completions waited for a confirmation, its points too), the volunteer is
    told, and it counts toward the release flag (``release_counts``). The caller commits;
    False if already settled."""
    if not _settle(claim, actor, now, HoursStatus.NOT_SERVED, Decimal("0"), reason):
        return False
    why = f"社区核实未实际服务：{reason}"
    points.reverse_many([(f"claim:{claim.id}", f"认领「{wish.title}」{why}"),
                         (f"completion:{claim.id}", f"完成「{wish.title}」{why}"),
                         (f"completion:{claim.id}:hours", f"「{wish.title}」的时长{why}")], now)
    record_event(wish, actor, NOT_SERVED_EVENT, note=reason, now=now)
    audit.record("service_not_served", actor=actor, object_type="claim", object_id=claim.id,
                 community_id=wish.community_id, before={"hours": float(claim.hours or 0)},
                 after={"hours": 0, "status": HoursStatus.NOT_SERVED.value, "reason": reason,
                        "wish_id": wish.id}, now=now)
    notify([claim.volunteer_id], "hours_confirmed",
           f"社区核实您在「{wish.title}」没有实际服务（{reason}），这次认领和完成不计积分，"
           "已计的认领积分已扣回。如有疑问，请联系社区。", wish_id=wish.id, now=now)
    _flag_frequent_releases(claim.volunteer_id, wish.community_id, now)
    return True


def settle_unconfirmed_hours(now: datetime, *, batch_size: int = 500) -> int:
    """Hours nobody confirmed by the end of the rating window (however the wish was closed)
    follow the community's policy: ``queue`` leaves them for the secretary, ``confirm``
    counts them as stated, ``lapse`` lets them go unpaid. Commits per community batch;
    returns how many were settled."""
    settled = 0
    for community in db.session.scalars(sa.select(Community).where(
            Community.unconfirmed_hours_policy != "queue")).all():
        status = (HoursStatus.CONFIRMED if community.unconfirmed_hours_policy == "confirm"
                  else HoursStatus.LAPSED)
        window_end = now - timedelta(days=community.rating_window_days)
        while True:
            rows = db.session.execute(
                sa.select(Claim, Wish).join(Wish, Wish.id == Claim.wish_id)
                .where(Wish.community_id == community.id,
                       Claim.hours_status == HoursStatus.PENDING,
                       Claim.ended_at <= window_end)
                .order_by(Claim.id).limit(batch_size)).all()
            if not rows:
                break
            for claim, wish in rows:
                settled += apply_hours_confirmation(claim, wish, None, now, status=status)
            db.session.commit()
    return settled


def hours_queue(actor: User, community_id: int, *, limit: int = 200) -> list[Claim]:
    """The secretary's queue: completed claims whose hours wait for confirmation."""
    ensure_can_manage_community(actor, community_id)
    return list(db.session.scalars(
        sa.select(Claim).join(Wish, Wish.id == Claim.wish_id)
        .where(Wish.community_id == community_id, Claim.status == ClaimStatus.COMPLETED,
               Claim.hours_status == HoursStatus.PENDING)
        .options(joinedload(Claim.wish), joinedload(Claim.volunteer))
        .order_by(Claim.ended_at, Claim.id).limit(limit)))


def close_wish(actor: User | None, wish_id: int, *, now: datetime | None = None) -> Wish:
    """The secretary (or, with ``actor`` None, the stale-work policy) closes a completed wish."""
    now = now or utcnow()
    wish = get_wish(wish_id)
    if actor is not None and (
            refusal := manage_refusal(actor, wish, (WishState.COMPLETED,))) is not None:
        raise refusal
    apply_close(wish, actor, now)
    db.session.commit()
    return wish


def apply_close(wish: Wish, actor: User | None, now: datetime, note: str = "") -> None:
    """Close a completed wish; its points are final. The caller commits."""
    _transition(wish, WishState.CLOSED, actor, "closed", now=now, note=note, closed_at=now)


def finish_projects(wish_ids: list[int], note: str, now: datetime) -> list[int]:
    """Service projects whose end date has come are completed by the system: the claim ends
    with the confirmed hours, and completion points are booked if the community's staff
    confirmed any of its service (a project nobody served completes unpaid). The caller
    commits."""
    moved = transition_many(wish_ids, WishState.CLAIMED, WishState.COMPLETED, None,
                            "completed", now=now, note=note,
                            extra_where=(Wish.kind == WishKind.PROJECT,), completed_at=now)
    for wish in db.session.scalars(sa.select(Wish).where(Wish.id.in_(moved))):
        # The hours were confirmed log by log, and paid as each was.
        hours = Decimal(wish.confirmed_hours or 0)
        claim = _end_claim(wish, ClaimStatus.COMPLETED, now, note, hours=hours,
                           confirmed_hours=hours, hours_status=HoursStatus.CONFIRMED,
                           hours_confirmed_at=now)
        if claim is not None and hours > 0:
            points.award_completion(claim, wish, now)
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
    if (refusal := manage_refusal(actor, wish, LIVE_STATES)) is not None:
        raise refusal
    claimant_id = wish.claimant_id
    _transition(wish, WishState.CANCELLED, actor, "cancelled", now=now, note=reason,
                cancel_reason=reason, claimant_id=None, claim_organization_id=None)
    if claimant_id is not None:
        claim = _end_claim(wish, ClaimStatus.CANCELLED, now, reason)
        if claim is not None:
            points.reverse_claim(claim, wish, reason, now)
        notify([claimant_id], "wish_cancelled",
               f"您认领的心愿「{wish.title}」已被社区取消：{reason}", wish_id=wish.id, now=now)
    db.session.commit()
    return wish


# Reading -----------------------------------------------------------------------------------

def list_wishes(*, community_id: int | None = None, status: str | None = None,
                category_id: int | None = None, kind: str | None = None,
                grid_id: int | None = None, q: str | None = None, page: int = 1,
                per_page: int = 20, after: tuple[datetime, int] | None = None,
                viewer: User | None = None, people: bool = True) -> Page:
    """The board, newest first, in a fixed number of queries whatever the page size. Each
    filter reads its page off an index in order; a page read ``after`` the cursor of the
    page before costs the same on page 500 as on page 1 (``page`` skips rows, and costs
    more the deeper it goes). A community's whole board is counted by its tallies; a
    filtered one up to ``LIST_COUNT_CAP`` ("1000+"). ``people``: load each wish's
    beneficiaries too (the API shows them, masked; the board's cards do not)."""
    if status:
        states = [WishState(status)]
        if not can_see_state(viewer, states[0], community_id):
            raise ForbiddenError("只有社区书记能看这类心愿", code="not_your_community")
    else:
        states = sorted(PUBLIC_STATES, key=lambda s: s.value)
    query = sa.select(Wish).where(Wish.state.in_(states))
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
        query = query.where(_search(q))

    rows = query.options(joinedload(Wish.category), joinedload(Wish.grid),
                         joinedload(Wish.claimant), joinedload(Wish.claim_organization),
                         *([selectinload(Wish.beneficiaries)] if people else []))
    if after is not None:
        rows = rows.where(sa.tuple_(Wish.published_at, Wish.id) < sa.tuple_(
            sa.literal(after[0], UTCDateTime()), sa.literal(after[1])))
    else:
        rows = rows.offset((page - 1) * per_page)
    found = list(db.session.scalars(
        rows.order_by(Wish.published_at.desc(), Wish.id.desc()).limit(per_page + 1)).unique())
    items = found[:per_page]
    following = cursor_of(items[-1].published_at, items[-1].id) if len(found) > per_page \
        else None

    if community_id and not (category_id or kind or grid_id or q):
        total = db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(WishTally.count), 0))
            .where(WishTally.community_id == community_id, WishTally.state.in_(states)))
        return Page(items, total, following)
    total, capped = count_upto(query, current_app.config["LIST_COUNT_CAP"])
    return Page(items, total, following, capped)


def waiting_for_my_rating(user: User, limit: int = 50) -> list[Wish]:
    """Services done for ``user`` (they are among the people served) that they have not
    rated yet, newest first: 我的心愿's 去评价."""
    rated = sa.select(Rating.wish_id).where(Rating.rater_id == user.id)
    return list(db.session.scalars(
        sa.select(Wish).join(Beneficiary, Beneficiary.wish_id == Wish.id)
        .where(Beneficiary.user_id == user.id, Wish.state == WishState.COMPLETED,
               Wish.id.not_in(rated))
        .order_by(Wish.completed_at.desc(), Wish.id.desc()).limit(limit)).unique())


def merge_targets(community_id: int, limit: int = 50) -> list[Wish]:
    """The wishes a new need may join (open, then claimed; the newest of each), for the
    secretary's picker: one query, no count."""
    return list(db.session.scalars(
        sa.select(Wish).where(Wish.community_id == community_id,
                              Wish.state.in_([WishState.OPEN, WishState.CLAIMED]))
        .order_by(Wish.state.desc(), Wish.published_at.desc(), Wish.id.desc()).limit(limit)))


def _search(q: str):
    """Wishes whose title or description holds ``q``. On PostgreSQL the stored set of every
    character and pair of characters (``search_grams``, migration 5b1e7c9d2a40) and its
    index find the candidates, so a search for a rare word reads a handful of rows, not the
    district's board."""
    exact = sa.or_(contains(Wish.title, q), contains(Wish.description, q))
    if db.session.get_bind().dialect.name != "postgresql":
        return exact
    grams = sa.literal_column("wishes.search_grams")
    return sa.and_(grams.op("@>")(sa.func.wish_query_grams(q)), exact)


def read_wish(viewer: User | None, wish_id: int, *, now: datetime | None = None) -> WishStory:
    """One wish and its story, for ``viewer``; 404 unless they may see it (``can_see_wish``).
    When the viewer may see the private details of the people it serves (and so will), the
    sight is recorded in the audit log first, with the reason they may: claimant, secretary
    or self."""
    story = wish_story(wish_id)
    wish = story.wish
    if not can_see_wish(viewer, wish):
        raise NotFoundError("没有这个心愿", message_en="No such wish")
    reason = private_details_reason(viewer, wish)
    seen = [b.id for b in wish.beneficiaries
            if reason in ("claimant", "secretary") or b.user_id == getattr(viewer, "id", None)]
    if reason is not None and seen:
        audit.record("private_details_viewed", actor=viewer, object_type="wish",
                     object_id=wish.id, community_id=wish.community_id,
                     after={"reason": reason, "beneficiaries": seen}, now=now)
        commit_keeping_what_was_read()
    return story


def public_wish(wish_id: int) -> Wish:
    """A wish as the public sees it, for what is shared beyond its page (the poster, the
    share code): 404 unless anyone may see it, whoever asks."""
    wish = db.session.scalar(sa.select(Wish).where(Wish.id == wish_id).options(
        joinedload(Wish.category), joinedload(Wish.community)))
    if wish is None or not can_see_wish(None, wish):
        raise NotFoundError("没有这个心愿", message_en="No such wish")
    return wish


def wish_story(wish_id: int) -> WishStory:
    """A wish with its story, in four queries. Callers that show it to someone use
    ``read_wish``."""
    wish = db.session.scalar(
        sa.select(Wish).where(Wish.id == wish_id)
        .options(joinedload(Wish.category), joinedload(Wish.grid), joinedload(Wish.claimant),
                 joinedload(Wish.claim_organization), selectinload(Wish.beneficiaries)))
    if wish is None:
        raise NotFoundError("没有这个心愿", message_en="No such wish")
    events = db.session.scalars(
        sa.select(WishEvent).where(WishEvent.wish_id == wish_id)
        .options(joinedload(WishEvent.actor)).order_by(WishEvent.created_at, WishEvent.id))
    claims = db.session.scalars(
        sa.select(Claim).where(Claim.wish_id == wish_id)
        .options(joinedload(Claim.volunteer), joinedload(Claim.organization))
        .order_by(Claim.claimed_at.desc(), Claim.id.desc()))
    ratings = db.session.scalars(
        sa.select(Rating).where(Rating.wish_id == wish_id, Rating.removed_at.is_(None))
        .options(joinedload(Rating.rater), joinedload(Rating.beneficiary))
        .order_by(Rating.created_at, Rating.id))
    return WishStory(wish, list(events), list(claims), list(ratings))


def claims_of(volunteer: User, *, active_only: bool = False) -> list[Claim]:
    query = sa.select(Claim).where(Claim.volunteer_id == volunteer.id)
    if active_only:
        query = query.where(Claim.status == ClaimStatus.ACTIVE)
    return list(db.session.scalars(
        query.options(joinedload(Claim.organization), joinedload(Claim.wish))
        .order_by(sa.case((Claim.status == ClaimStatus.ACTIVE, 0), else_=1), Claim.due_at,
                  Claim.id.desc())))


# Publishing: the secretary's own wish, or a resident's need in the secretary's words.

def _future(expires_at: datetime | None, now: datetime) -> datetime | None:
    if expires_at is not None and expires_at <= now:
        raise ValidationFailedError(fields={"expires_at": ["截止时间应在现在之后"]})
    return expires_at


def _attach_need(wish: Wish, need: Need, actor: User, status: NeedStatus, now: datetime) -> None:
    need.status, need.wish_id = status, wish.id
    need.decided_by_id, need.decided_at = actor.id, now
    db.session.add(Beneficiary(wish_id=wish.id, need_id=need.id, user_id=need.resident_id,
                               name=need.contact_name, phone=need.contact_phone,
                               address=need.address))
    # The need's own words stay with the staff and the requester; the public reads the
    # wish as the secretary wrote it.
    record_event(wish, need.resident or need.submitted_by, "need_submitted",
                 note=need.title, on_behalf=need.on_behalf, is_public=False,
                 now=need.created_at)
    if status is NeedStatus.MERGED:
        record_event(wish, actor, "need_merged", note=f"合并了一条需求：{need.title}",
                     is_public=False, now=now)
    text = (f"您的需求「{need.title}」已发布为心愿「{wish.title}」，等待志愿者认领。"
            if status is NeedStatus.PUBLISHED else
            f"您的需求「{need.title}」已并入心愿「{wish.title}」。")
    notify([need.resident_id], "wish_published", text, wish_id=wish.id, need_id=need.id,
           now=now)


def create_wish(actor: User, *, title: str, description: str, category_id: int,
                kind: str = WishKind.MICRO_WISH.value, grid_id: int | None = None,
                expires_at: datetime | None = None, public_alias: str | None = None,
                beneficiary_name: str | None = None, beneficiary_phone: str = "",
                beneficiary_address: str = "", need_ids: list[int] | None = None,
                community_id: int | None = None, now: datetime | None = None) -> Wish:
    """The secretary publishes a wish (open for claiming) directly, optionally answering
    needs already collected (their residents become its beneficiaries)."""
    now = now or utcnow()
    community_id = community_id or actor.community_id
    if community_id is None:
        raise ValidationFailedError(fields={"community_id": ["请指定社区"]})
    ensure_can_manage_community(actor, community_id)
    active_category(category_id, required=True)
    grid_in(community_id, grid_id)
    _future(expires_at, now)
    needs = [need_for_decision(actor, n) for n in dict.fromkeys(need_ids or [])]
    if any(n.community_id != community_id for n in needs):
        raise ValidationFailedError(fields={"need_ids": ["只能合并本社区的需求"]})
    if not beneficiary_name and not needs:
        raise ValidationFailedError(fields={"beneficiary_name": ["请填写服务对象，或选择需求"]})
    first_name = beneficiary_name or needs[0].contact_name
    wish = Wish(community_id=community_id, kind=WishKind(kind), title=title,
                description=description, category_id=category_id, grid_id=grid_id,
                public_alias=public_alias or mask_name(first_name), state=WishState.OPEN,
                created_by_id=actor.id, created_at=now, published_at=now,
                expires_at=expires_at)
    db.session.add(wish)
    db.session.flush()
    _tally(Counter({(community_id, WishState.OPEN): 1}))
    if beneficiary_name:
        db.session.add(Beneficiary(wish_id=wish.id, name=beneficiary_name,
                                   phone=beneficiary_phone or "",
                                   address=beneficiary_address or ""))
    for need in needs:
        _attach_need(wish, need, actor, NeedStatus.PUBLISHED, now)
    record_event(wish, actor, "published", to_state=WishState.OPEN, now=now)
    # Volunteers who follow its category or its place hear of it, in this same transaction.
    matching.notify_followers(wish, actor, now=now)
    db.session.commit()
    return wish


def publish_need(actor: User, need_id: int, *, wish_id: int | None = None,
                 title: str | None = None, description: str | None = None,
                 category_id: int | None = None, kind: str = WishKind.MICRO_WISH.value,
                 grid_id: int | None = None, expires_at: datetime | None = None,
                 public_alias: str | None = None, now: datetime | None = None) -> Wish:
    """Turn a need into a wish in the secretary's own public words (the need's words stay
    with the staff and the requester), or with ``wish_id`` merge it into an open or claimed
    wish."""
    now = now or utcnow()
    need = need_for_decision(actor, need_id)
    if wish_id is None:
        missing = {name: ["请写公开的标题和说明（居民的原话不公开）"]
                   for name, value in (("title", title), ("description", description))
                   if not value}
        if missing:
            raise ValidationFailedError(fields=missing)
        return create_wish(
            actor, title=title, description=description,
            category_id=category_id or need.category_id, kind=kind,
            grid_id=grid_id or need.grid_id, expires_at=expires_at, public_alias=public_alias,
            need_ids=[need.id], community_id=need.community_id, now=now)
    wish = db.session.get(Wish, wish_id)
    if wish is None or wish.community_id != need.community_id:
        raise ValidationFailedError(fields={"wish_id": ["本社区没有这个心愿"]})
    if wish.state not in LIVE_STATES:
        raise ConflictError("只能并入待认领或已认领的心愿",
                            message_en="Needs merge only into open or claimed wishes",
                            code="wish_not_mergeable")
    _attach_need(wish, need, actor, NeedStatus.MERGED, now)
    db.session.commit()
    return wish
