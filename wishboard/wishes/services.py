"""The wish lifecycle: publishing, claiming, releasing, completing, closing, cancelling.

Every change of a wish's state goes through ``transition_many`` (``_transition`` for one
wish): a conditional UPDATE that only succeeds from the state the state machine allows,
checked by its row count, so two people racing for one wish cannot both win, on SQLite or
PostgreSQL. A wish that leaves ``open`` there (claimed, cancelled, expired) tells the
``left_open`` hook (``wishes/events.py``) in the same transaction: the invitations feature
listens and ends the wish's live invitations (``invitations.services``); this module writes
no other feature's rows for it. One public function is one use case and commits once.

The rest of the wishes package:

- ``records.py``: ``get_wish``, ``record_event`` (the timeline), ``release_counts`` and the
  release flag, which every module here stands on;
- ``hours.py``: the hours policy (caps, confirmation, what nobody confirmed);
- ``board.py``: reading (the board, search, one wish's story) and the tallies per state;
- ``events.py``: the hooks the features above listen to.

Re-exports: the public names of ``records``, ``hours`` and ``board`` are imported here too,
so the many callers that write ``from wishboard.wishes import services as wishes`` and then
``wishes.list_wishes`` or ``wishes.confirm_hours`` keep working unchanged. New code imports
from the module that holds the name (``from wishboard.wishes.hours import hours_given``).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from wishboard.access import (
    claim_refusal, complete_refusal, ensure_can_manage_community, manage_refusal,
    release_refusal,
)
from wishboard.accounts.models import User
from wishboard.core.clock import date_words, end_of_day, hours_words, local_day, utcnow
from wishboard.core.db import flush_or_conflict
from wishboard.errors import ConflictError, ValidationFailedError
from wishboard.extensions import db
from wishboard.matching import services as matching
from wishboard.needs.models import Need, NeedStatus
from wishboard.needs.services import need_for_decision
from wishboard.notifications.services import notify, notify_each, secretary_ids
from wishboard.places.models import Community, Organization
from wishboard.places.services import active_category, grid_in
from wishboard.points import services as points
from wishboard.privacy import mask_name
from wishboard.wishes import events
from wishboard.wishes.board import (  # noqa: F401  (re-exported: see the docstring)
    claims_of, list_wishes, merge_targets, public_wish, read_wish, tally,
    waiting_for_my_rating, wish_story,
)
from wishboard.wishes.hours import (  # noqa: F401  (re-exported: see the docstring)
    MAX_STATED_HOURS, NOT_SERVED_EVENT, apply_hours_confirmation, apply_not_served,
    confirm_hours, hours_cap, hours_given, hours_queue, lock_person, settle_unconfirmed_hours,
    stated_hours, was_not_served, within_daily_cap,
)
from wishboard.wishes.models import (
    Beneficiary, Claim, ClaimStatus, HoursStatus, Wish, WishEvent, WishKind,
)
from wishboard.wishes.records import (  # noqa: F401  (re-exported: see the docstring)
    OVERDUE_REASON, RELEASE_WINDOW, beneficiary_user_ids, flag_frequent_releases, get_wish,
    record_event, release_counts,
)
from wishboard.wishes.states import LIVE_STATES, TRANSITIONS, WishState, state_refusal


def transition_many(wish_ids: list[int], old: WishState, new: WishState, actor: User | None,
                    action: str, *, now: datetime, note: str = "", extra_where=(),
                    **values) -> list[int]:
    """Move every wish of ``wish_ids`` that is, at this instant in the database, still in
    ``old`` to ``new`` (one conditional UPDATE), and write their timeline lines. Returns the
    ids that moved; the others were moved by someone else first and are left alone.
    Wishes that left ``open`` are announced to the ``left_open`` listeners
    (``wishes/events.py``), after the wishes' rows: the order every such change takes its
    locks in. The caller commits."""
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
        tally(changes)
        if old is WishState.OPEN:
            events.left_open(moved, new, now, claimant_id=values.get("claimant_id"),
                             organization_id=values.get("claim_organization_id"))
    return moved


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
    notify(beneficiary_user_ids(wish), "wish_claimed",
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
        flag_frequent_releases(claimant_id, wish.community_id, now)
    db.session.commit()
    return wish


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
            flag_frequent_releases(volunteer_id, places[wish_id], now)
    return moved


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
    notify(beneficiary_user_ids(wish), "wish_completed",
           text + f"，说服务了{hours_words(hours)}小时，请您去评价并确认。", wish_id=wish.id, now=now)
    notify(secretary_ids(wish.community_id), "wish_completed",
           text + f"（服务{hours_words(hours)}小时待确认），等待服务对象或社区确认。", wish_id=wish.id,
           now=now)
    db.session.commit()
    return wish


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
    tally(Counter({(community_id, WishState.OPEN): 1}))
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