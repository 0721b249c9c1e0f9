"""Invitations: the secretary asks one volunteer, or one reporting organisation, to claim an
open wish (社区请您帮忙); the invitee accepts by claiming it or declines; an invitation
nobody answers expires.

How an invitation ends, and where:

- **accepted**: the invitee claims the wish, through the one claim path
  (``wishes.services.apply_claim``: the same state machine, the same responsibility letter,
  the same race safety). The change of the wish's state answers the invitation
  (``_end_invitations``, this module's listener on the wishes' ``left_open`` hook,
  ``wishes/events.py``), so a claim made on the wish page by the person invited, or for
  the organisation invited, counts as accepting too.
- **lapsed**: the wish left ``open`` some other way (someone else claimed it, the
  secretary cancelled it, it expired): ended by that same change (the same listener), in
  its transaction, which also tells the invitee why (``invitation_lapsed``; not a
  volunteer whose own claim ended it).
  Ending them eagerly, at the one place every state change passes, keeps ``pending`` true
  in the database; ending them lazily would need every reader (my list, the wish page,
  the unique index) to ask about the wish too, and a wish released back to ``open`` would
  bring old invitations back to life.
- **declined**: the invitee says no (``decline_invitation``); whoever invited is told.
- **expired**: nobody answered by ``expires_at`` (the community's ``invitation_hours``
  after it was sent): the stale-work policy (``jobs/sweeps.py``) ends it and tells whoever
  invited, and the invitee (``invitee_invitation_expired``), once. Until the sweep runs,
  an invitation past its time is treated as expired everywhere
  (``access.invitation_state_refusal``, the lists).

Locks, for PostgreSQL: every use case that changes a wish's state and its invitations
takes the wish's row first, then the invitations' (``transition_many`` moves the wishes,
then calls the ``left_open`` hook); inviting does the same (``_lock_open_wish``), so no
two transactions wait on each other in a circle.

The wishes module does not know this one: importing it registers ``_end_invitations`` on
``wishes.events.left_open``. ``wishboard.hooks``, imported by ``create_app``, imports it, so
the listener is in place before any wish moves.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from wishboard.access import (
    answer_refusal, ensure_can_manage_community, invitation_answerer_ids,
    invitation_state_refusal, invite_refusal, invitee_refusal,
)
from wishboard.accounts.models import User
from wishboard.audit import services as audit
from wishboard.core.clock import deadline_words, utcnow
from wishboard.core.db import flush_or_conflict
from wishboard.errors import ConflictError, NotFoundError, ValidationFailedError
from wishboard.extensions import db
from wishboard.invitations.models import Invitation, InvitationStatus
from wishboard.notifications.services import notify, notify_each, secretary_ids
from wishboard.places.models import Community, Organization
from wishboard.wishes import services as wishes
from wishboard.wishes.events import on_left_open
from wishboard.wishes.models import Wish
from wishboard.wishes.states import WishState

LIST_LIMIT = 50


def _already_invited() -> ConflictError:
    return ConflictError("已经邀请过了，正在等对方答复", message_en="Already invited; waiting "
                         "for the answer", code="already_invited")


def _lock_open_wish(wish: Wish) -> None:
    """Take the wish's row (PostgreSQL) and check it is still open: a claim that committed
    meanwhile has ended its invitations already and would not see this one. SQLite runs a
    transaction's reads before its first write outside it (``wishboard._configure_engine``),
    so ``invite`` asks again once it has written."""
    state = db.session.scalar(sa.select(Wish.state).where(Wish.id == wish.id)
                              .with_for_update())
    if state is not WishState.OPEN:
        db.session.rollback()
        raise ConflictError(f"只有待认领的心愿才能邀请（这个心愿{(state or wish.state).label}）",
                            message_en="Invitations are for open wishes only",
                            code="wish_not_open")


def invite(actor: User, wish_id: int, *, user_id: int | None = None,
           organization_id: int | None = None, now: datetime | None = None) -> Invitation:
    """The community's secretary (or an admin) asks one approved volunteer of the community,
    or one of its reporting organisations (whose contact answers), to claim an open wish.
    One live invitation per wish and invitee; it waits the community's
    ``invitation_hours``. The invitee is told."""
    now = now or utcnow()
    wish = wishes.get_wish(wish_id)
    if (refusal := invite_refusal(actor, wish)) is not None:
        raise refusal
    if (user_id is None) == (organization_id is None):
        message = "请选择邀请一位志愿者或一个报到党组织（只选一个）"
        raise ValidationFailedError(fields={"user_id": [message], "organization_id": [message]})
    person = db.session.get(User, user_id) if user_id is not None else None
    organization = (db.session.get(Organization, organization_id)
                    if organization_id is not None else None)
    if organization_id is not None and organization is None:
        raise ValidationFailedError(fields={"organization_id": ["没有这个报到党组织"]})
    if (refusal := invitee_refusal(wish, user=person, organization=organization)) is not None:
        raise refusal
    community = db.session.get(Community, wish.community_id)

    _lock_open_wish(wish)
    # One whose time is up but that the sweep has not reached yet no longer counts.
    invitee = (Invitation.user_id == user_id if user_id is not None
               else Invitation.organization_id == organization_id)
    db.session.execute(
        sa.update(Invitation)
        .where(Invitation.wish_id == wish.id, invitee,
               Invitation.status == InvitationStatus.PENDING, Invitation.expires_at <= now)
        .values(status=InvitationStatus.EXPIRED, ended_at=now)
        .execution_options(synchronize_session=False))
    invitation = Invitation(wish_id=wish.id, user_id=user_id, organization_id=organization_id,
                            status=InvitationStatus.PENDING, invited_by_id=actor.id,
                            created_at=now,
                            expires_at=now + timedelta(hours=community.invitation_hours))
    db.session.add(invitation)
    flush_or_conflict(_already_invited())  # the partial unique index: one live per invitee
    _lock_open_wish(wish)

    answerer = person if organization is None else organization.contact
    whom = "您" if organization is None else organization.name
    notify([answerer.id], "invited",
           f"{actor.name}请{whom}帮忙：{wish.title}。"
           f"请在{deadline_words(invitation.expires_at, now=now)}答复。",
           wish_id=wish.id, now=now)
    audit.record("invitation_sent", actor=actor, object_type="invitation",
                 object_id=invitation.id, community_id=wish.community_id,
                 after={"wish_id": wish.id, "user_id": user_id,
                        "organization_id": organization_id,
                        "expires_at": invitation.expires_at.isoformat()}, now=now)
    db.session.commit()
    return invitation


def get_invitation(invitation_id: int) -> Invitation:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None:
        raise NotFoundError("没有这份邀请", message_en="No such invitation")
    return invitation


def accept_invitation(user: User, invitation_id: int, *, accept_letter: bool,
                      due_at: datetime | None = None, organization_id: int | None = None,
                      now: datetime | None = None) -> Invitation:
    """The invitee claims the wish, signing its responsibility letter: the claim is the one
    claim path (``wishes.apply_claim``), and the claim answers the invitation. An
    organisation's invitation is claimed for that organisation. If someone else claimed
    first, the claim is refused (409) and the invitation has lapsed with that claim."""
    now = now or utcnow()
    invitation = get_invitation(invitation_id)
    if (refusal := answer_refusal(user, invitation, now)) is not None:
        raise refusal
    if invitation.organization_id is not None:
        if organization_id not in (None, invitation.organization_id):
            raise ValidationFailedError(fields={"organization_id": [
                f"这份邀请是请{invitation.organization.name}认领的"]})
        organization_id = invitation.organization_id
    wishes.apply_claim(user, invitation.wish_id, accept_letter=accept_letter, due_at=due_at,
                       organization_id=organization_id, now=now)
    db.session.commit()
    return invitation


def decline_invitation(user: User, invitation_id: int, *, reason: str | None = None,
                       now: datetime | None = None) -> Invitation:
    """The invitee says no (婉拒), with a reason if they like; whoever invited, and the
    community's secretaries, are told."""
    now = now or utcnow()
    invitation = get_invitation(invitation_id)
    if (refusal := answer_refusal(user, invitation, now)) is not None:
        raise refusal
    reason = (reason or "").strip() or None
    moved = db.session.execute(
        sa.update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.status == InvitationStatus.PENDING,
               Invitation.expires_at > now)
        .values(status=InvitationStatus.DECLINED, ended_at=now, answered_by_id=user.id,
                decline_reason=reason)
        .execution_options(synchronize_session=False)).rowcount
    if moved != 1:  # answered, expired or lapsed a moment ago
        db.session.rollback()
        db.session.refresh(invitation)
        raise invitation_state_refusal(invitation, now) or ConflictError()
    wish = invitation.wish
    who = user.name + (f"（{invitation.organization.name}）" if invitation.organization_id
                       else "")
    notify(_staff_to_tell(invitation, wish), "invitation_declined",
           f"{who}婉拒了邀请：{wish.title}" + (f"（{reason}）" if reason else "")
           + "。可以再请别人帮忙。", wish_id=wish.id, now=now)
    db.session.commit()
    db.session.refresh(invitation)
    return invitation


def _staff_to_tell(invitation: Invitation, wish: Wish) -> list[int]:
    return [*secretary_ids(wish.community_id), invitation.invited_by_id]


def expire_many(invitation_ids: list[int], now: datetime) -> list[int]:
    """The stale-work policy ends invitations nobody answered in time and tells whoever
    invited (and the community's secretaries), and the invitee (an organisation's
    contact), once: only the rows this UPDATE moved are told. The caller commits; returns
    the ids that expired."""
    if not invitation_ids:
        return []
    rows = db.session.execute(
        sa.update(Invitation)
        .where(Invitation.id.in_(invitation_ids),
               Invitation.status == InvitationStatus.PENDING, Invitation.expires_at <= now)
        .values(status=InvitationStatus.EXPIRED, ended_at=now)
        .returning(Invitation.id)
        .execution_options(synchronize_session=False)).scalars().all()
    if not rows:
        return []
    expired = db.session.scalars(
        sa.select(Invitation).where(Invitation.id.in_(rows))
        .options(joinedload(Invitation.wish), joinedload(Invitation.user),
                 joinedload(Invitation.organization))).all()
    secretaries: dict[int, list[int]] = {}
    messages = []
    for invitation in expired:
        wish = invitation.wish
        if wish.community_id not in secretaries:
            secretaries[wish.community_id] = secretary_ids(wish.community_id)
        text = (f"请{invitation.invitee_name}帮忙的心愿「{wish.title}」到期没有答复，"
                f"邀请已过期。可以再请别人帮忙。")
        for user_id in {*secretaries[wish.community_id], invitation.invited_by_id} - {None}:
            messages.append((user_id, text, wish.id))
    notify_each(messages, "invitation_expired", now=now)
    # The invitee hears it too. The wish is still open (else the invitation would have
    # lapsed with it), so they may still claim it on its page.
    answerers = invitation_answerer_ids([(i.user_id, i.organization_id) for i in expired])
    notify_each(sorted({(person, f"您受邀的心愿「{i.wish.title}」邀请已过答复期限。"
                                 f"心愿还在等人认领，您方便的话仍可以认领。", i.wish_id)
                        for person, i in zip(answerers, expired) if person is not None}),
                "invitee_invitation_expired", now=now)
    return list(rows)


# Ending with the wish ------------------------------------------------------------------------

@on_left_open
def _end_invitations(wish_ids: list[int], new: WishState, now: datetime, *,
                     claimant_id: int | None, organization_id: int | None) -> None:
    """Wishes have just left ``open``: their live invitations end with them, in the same
    transaction (after the wishes' rows, the order every such change takes its locks in).
    A claim by the person invited, or for the organisation invited, answers that
    invitation (``accepted``); every other one ``lapsed``, and its invitee is told why
    (``_tell_lapsed``). The wishes' ``left_open`` hook calls it (``wishes/events.py``,
    from ``wishes.services.transition_many``), registered when this module is imported
    (``wishboard.hooks`` does, at app start); it writes, the wishes' use case commits."""
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


# Reading ------------------------------------------------------------------------------------

def _live(now: datetime):
    return (Invitation.status == InvitationStatus.PENDING, Invitation.expires_at > now)


def _mine(user: User):
    """Invitations ``user`` answers: their own, and those of organisations they are the
    contact of."""
    organizations = sa.select(Organization.id).where(Organization.contact_user_id == user.id)
    return sa.or_(Invitation.user_id == user.id,
                  Invitation.organization_id.in_(organizations))


def my_invitations(user: User, *, now: datetime | None = None) -> list[Invitation]:
    """My live invitations (社区请您帮忙), newest first: 我的 shows them first."""
    now = now or utcnow()
    return list(db.session.scalars(
        sa.select(Invitation).where(*_live(now), _mine(user))
        .options(joinedload(Invitation.wish), joinedload(Invitation.invited_by),
                 joinedload(Invitation.organization))
        .order_by(Invitation.created_at.desc(), Invitation.id.desc()).limit(LIST_LIMIT)))


def live_invitation_for(user: User | None, wish_id: int, *,
                        now: datetime | None = None) -> Invitation | None:
    """The live invitation ``user`` may answer on this wish's page, if any (the newest)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    now = now or utcnow()
    return db.session.scalar(
        sa.select(Invitation).where(Invitation.wish_id == wish_id, *_live(now), _mine(user))
        .options(joinedload(Invitation.invited_by), joinedload(Invitation.organization))
        .order_by(Invitation.created_at.desc(), Invitation.id.desc()).limit(1))


def wish_invitations(actor: User, wish_id: int) -> list[Invitation]:
    """Every invitation of a wish with how it ended, newest first (the community's staff)."""
    wish = wishes.get_wish(wish_id)
    ensure_can_manage_community(actor, wish.community_id)
    return list(db.session.scalars(
        sa.select(Invitation).where(Invitation.wish_id == wish.id)
        .options(joinedload(Invitation.user), joinedload(Invitation.organization),
                 joinedload(Invitation.invited_by))
        .order_by(Invitation.created_at.desc(), Invitation.id.desc()).limit(200)))

