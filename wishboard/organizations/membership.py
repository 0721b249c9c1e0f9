"""Membership of an organisation (报到党组织): a volunteer of any community (双报到) asks
to join (``MembershipRequest``); the contact or the staff of the organisation's community
decide, never the person asking; a member leaves, or is taken off, and the claims they
held for it are released; the contact's lists (members, requests) and 我的组织.

Membership is ``User.organization_id``: one organisation per person. Approving sets it with
a conditional UPDATE (``organization_id IS NULL``, ``join_member``) in the decision's own
transaction, so two approvals racing, or a person who joined elsewhere meanwhile, end with
one membership and a 409 for the other. Re-exported by ``organizations.services``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from wishboard.access import (
    in_another_organization, leave_refusal, member_phone_reason, membership_decision_refusal,
    membership_request_refusal, organization_manage_refusal, organization_not_approved,
)
from wishboard.accounts.models import Role, User
from wishboard.audit import services as audit
from wishboard.core.clock import utcnow
from wishboard.core.db import flush_or_conflict, page_of
from wishboard.errors import ConflictError, ForbiddenError, NotFoundError
from wishboard.extensions import db
from wishboard.notifications.services import notify, secretary_ids
from wishboard.organizations.models import MembershipRequest, MembershipStatus
from wishboard.organizations.reading import get_organization
from wishboard.places.models import Organization
from wishboard.privacy import shown_member
from wishboard.wishes.models import Wish
from wishboard.wishes.services import release_many
from wishboard.wishes.states import WishState


# Joining and leaving ------------------------------------------------------------------------

def join_member(user_id: int, organization: Organization, now: datetime) -> bool:
    """Make a volunteer in no organisation a member of ``organization`` (the conditional
    UPDATE); any request of theirs still waiting elsewhere ends, as they are in one now.
    Returns whether they joined. Takes the person's row before their requests' (the order
    every use case keeps). The caller commits."""
    joined = db.session.execute(
        sa.update(User).where(User.id == user_id, User.role == Role.VOLUNTEER,
                              User.organization_id.is_(None))
        .values(organization_id=organization.id, organization_since=now)
        .execution_options(synchronize_session=False)).rowcount == 1
    if joined:
        db.session.execute(
            sa.update(MembershipRequest).where(MembershipRequest.user_id == user_id,
                                               MembershipRequest.status == MembershipStatus.PENDING,
                                               MembershipRequest.organization_id != organization.id)
            .values(status=MembershipStatus.WITHDRAWN, decided_at=now,
                    reason=f"已加入{organization.name}"[:200])
            .execution_options(synchronize_session=False))
    return joined


def _request_waiting() -> ConflictError:
    return ConflictError("您已有一份加入组织的申请在等待审核，请等审核结果或先撤回",
                         message_en="You already have a request waiting",
                         code="membership_request_pending")


def add_membership_request(user: User, organization: Organization, *, note: str = "",
                           now: datetime) -> MembershipRequest:
    """File ``user``'s request to join ``organization`` and tell who decides: its contact,
    or, when it has none (or the contact is the one asking), the secretaries of its
    community. For a use case that files one as a step (signing up); the caller commits."""
    if (refusal := membership_request_refusal(user, organization)) is not None:
        raise refusal
    request = MembershipRequest(organization_id=organization.id, user_id=user.id, note=note,
                                status=MembershipStatus.PENDING, created_at=now)
    db.session.add(request)
    # The partial unique index: one request waiting per person.
    flush_or_conflict(_request_waiting())
    audit.record("membership_requested", actor=user, object_type="membership_request",
                 object_id=request.id, community_id=organization.community_id,
                 after={"organization_id": organization.id, "user_id": user.id, "note": note},
                 now=now)
    deciders = [organization.contact_user_id] if organization.contact_user_id not in (
        None, user.id) else secretary_ids(organization.community_id)
    place = f"（{user.community.name}）" if user.community is not None else ""
    notify(deciders, "membership_requested",
           f"{user.name}{place}申请加入「{organization.name}」"
           f"{'：' + note if note else ''}，请审核。", now=now)
    return request


def request_membership(user: User, organization_id: int, *, note: str = "",
                       now: datetime | None = None) -> MembershipRequest:
    """A volunteer of any community (双报到) asks to join an approved organisation (one
    waiting for review, or turned back: 409 ``organization_not_approved``)."""
    now = now or utcnow()
    organization = get_organization(organization_id)
    request = add_membership_request(user, organization, note=note, now=now)
    db.session.commit()
    return request


def get_request(request_id: int) -> MembershipRequest:
    request = db.session.get(MembershipRequest, request_id)
    if request is None:
        raise NotFoundError("没有这份申请", message_en="No such request")
    return request


def _decide_request(request: MembershipRequest, status: MembershipStatus, actor: User | None,
                    now: datetime, reason: str | None = None) -> None:
    """Move a waiting request to ``status`` (a conditional UPDATE: decided once)."""
    if db.session.execute(
            sa.update(MembershipRequest).where(MembershipRequest.id == request.id,
                                               MembershipRequest.status == MembershipStatus.PENDING)
            .values(status=status, decided_at=now, decided_by_id=actor.id if actor else None,
                    reason=reason)
            .execution_options(synchronize_session=False)).rowcount != 1:
        db.session.rollback()
        raise _already_decided()


def _already_decided() -> ConflictError:
    return ConflictError("这份申请已经处理过了", message_en="Already decided",
                         code="membership_request_not_pending")


def approve_request(actor: User, request_id: int, *,
                    now: datetime | None = None) -> MembershipRequest:
    """The contact, or the staff of the organisation's community, accept a request: the
    person is a member from now on. Someone already in another organisation must leave it
    first (409 ``in_another_organization``)."""
    now = now or utcnow()
    request = get_request(request_id)
    organization = request.organization
    if (refusal := membership_decision_refusal(actor, request, organization)) is not None:
        raise refusal
    if not organization.is_approved:
        raise organization_not_approved()
    # The person's row first, then the request's: every use case that touches both takes
    # them in this order (``join_member``), so two of them racing wait, never deadlock.
    if not join_member(request.user_id, organization, now):
        db.session.rollback()
        db.session.refresh(request)
        person = db.session.get(User, request.user_id)
        if request.status is not MembershipStatus.PENDING:
            raise _already_decided()
        if person is not None and person.organization_id == organization.id:
            raise ConflictError("这位志愿者已经是本组织的成员", message_en="Already a member",
                                code="already_member")
        raise in_another_organization()
    _decide_request(request, MembershipStatus.APPROVED, actor, now)
    audit.record("membership_approved", actor=actor, object_type="membership_request",
                 object_id=request.id, community_id=organization.community_id,
                 after={"organization_id": organization.id, "user_id": request.user_id},
                 now=now)
    notify([request.user_id], "membership_decided",
           f"您加入「{organization.name}」的申请已通过。现在可以代表组织认领心愿，"
           f"参加组织认领的服务项目。", now=now)
    db.session.commit()
    db.session.refresh(request)
    return request


def reject_request(actor: User, request_id: int, reason: str, *,
                   now: datetime | None = None) -> MembershipRequest:
    """The contact or the staff turn a request back, with a reason the person reads."""
    now = now or utcnow()
    request = get_request(request_id)
    organization = request.organization
    if (refusal := membership_decision_refusal(actor, request, organization)) is not None:
        raise refusal
    _decide_request(request, MembershipStatus.REJECTED, actor, now, reason)
    audit.record("membership_rejected", actor=actor, object_type="membership_request",
                 object_id=request.id, community_id=organization.community_id,
                 after={"organization_id": organization.id, "user_id": request.user_id,
                        "reason": reason}, now=now)
    notify([request.user_id], "membership_decided",
           f"您加入「{organization.name}」的申请没有通过：{reason}。", now=now)
    db.session.commit()
    db.session.refresh(request)
    return request


def withdraw_request(user: User, request_id: int, *,
                     now: datetime | None = None) -> MembershipRequest:
    """The person who asked takes a waiting request back."""
    now = now or utcnow()
    request = get_request(request_id)
    if request.user_id != user.id:
        raise ForbiddenError("只能撤回自己的申请", message_en="Only your own request",
                             code="not_your_request")
    _decide_request(request, MembershipStatus.WITHDRAWN, user, now)
    audit.record("membership_withdrawn", actor=user, object_type="membership_request",
                 object_id=request.id, community_id=request.organization.community_id,
                 after={"organization_id": request.organization_id}, now=now)
    db.session.commit()
    db.session.refresh(request)
    return request


def _end_membership(person: User, organization: Organization, actor: User, reason: str,
                    now: datetime) -> list[int]:
    """End a membership, and with it the person's open claims made for the organisation:
    they were its commitments (the 责任书 names it), which someone no longer its member
    cannot keep for it, nor earn it points by completing. They are released through the
    wish state machine (``wishes.services.release_many``: the wishes reopen for its
    members and everyone, the claim points are reversed) with ``reason``, in the caller's
    transaction. Returns the wishes released. Work done and completed stays its work.
    The wishes' rows are taken before the person's, the order a claim takes them in."""
    claims_for_it = (Wish.claimant_id == person.id,
                     Wish.claim_organization_id == organization.id)
    wish_ids = list(db.session.scalars(sa.select(Wish.id).where(
        *claims_for_it, Wish.state == WishState.CLAIMED).order_by(Wish.id)))
    released = release_many(wish_ids, actor, reason[:200], now, extra_where=claims_for_it)
    if db.session.execute(
            sa.update(User).where(User.id == person.id,
                                  User.organization_id == organization.id)
            .values(organization_id=None, organization_since=None)
            .execution_options(synchronize_session=False)).rowcount != 1:
        db.session.rollback()
        raise ConflictError("已经不是这个组织的成员了", message_en="Not a member",
                            code="not_a_member")
    return released


def leave_organization(user: User, *, now: datetime | None = None) -> None:
    """A member leaves their organisation (not its contact: the staff name another first).
    What they did for it stays its work; the wishes they hold for it are released
    (``_end_membership``); its contact is told."""
    now = now or utcnow()
    organization = user.organization
    if (refusal := leave_refusal(user, organization)) is not None:
        raise refusal
    released = _end_membership(user, organization, user,
                               f"{user.name}已退出「{organization.name}」，代表组织的认领随之释放", now)
    audit.record("member_left", actor=user, object_type="organization",
                 object_id=organization.id, community_id=organization.community_id,
                 before={"user_id": user.id},
                 after={"released_wish_ids": released} if released else None, now=now)
    notify([organization.contact_user_id], "member_left",
           f"{user.name}退出了「{organization.name}」"
           + (f"，代表组织认领的{len(released)}个心愿已释放，可以由其他成员重新认领。"
              if released else "。"), now=now)
    db.session.commit()


def remove_member(actor: User, organization_id: int, user_id: int, reason: str, *,
                  now: datetime | None = None) -> None:
    """The contact or the staff take someone off the organisation, with a reason (kept in
    the audit log and told to the person). The wishes they hold for it are released with
    that reason (``_end_membership``)."""
    now = now or utcnow()
    organization = get_organization(organization_id)
    if (refusal := organization_manage_refusal(actor, organization)) is not None:
        raise refusal
    person = db.session.get(User, user_id)
    if person is None or person.organization_id != organization.id:
        raise NotFoundError("这个人不是本组织的成员", message_en="Not a member of this organisation",
                            code="not_a_member")
    if (refusal := leave_refusal(person, organization)) is not None:
        raise refusal
    released = _end_membership(person, organization, actor,
                               f"已不再是「{organization.name}」的成员：{reason}", now)
    audit.record("member_removed", actor=actor, object_type="organization",
                 object_id=organization.id, community_id=organization.community_id,
                 before={"user_id": person.id, "name": person.name},
                 after={"reason": reason, **({"released_wish_ids": released} if released else {})},
                 now=now)
    notify([person.id], "member_removed",
           f"您已不再是「{organization.name}」的成员：{reason}。如有疑问，请联系组织的联络员。",
           now=now)
    db.session.commit()


# The contact's lists ------------------------------------------------------------------------

def list_members(actor: User, organization_id: int, *, page: int = 1, per_page: int = 20,
                 now: datetime | None = None) -> tuple[list[dict], int]:
    """An organisation's members, wherever they live, by name (the contact and the staff).
    Phones are masked except for the staff of its community (``access.member_phone_reason``),
    whose every such list is written to the audit log."""
    organization = get_organization(organization_id)
    if (refusal := organization_manage_refusal(actor, organization)) is not None:
        raise refusal
    people, total = page_of(sa.select(User).where(User.organization_id == organization.id),
                            page, per_page, User.name, User.id,
                            options=(joinedload(User.community),))
    in_full = member_phone_reason(actor, organization) is not None
    if in_full and people:
        audit.record("organization_members_viewed", actor=actor, object_type="organization",
                     object_id=organization.id, community_id=organization.community_id,
                     after={"user_ids": [p.id for p in people]}, now=now)
        db.session.commit()
    return [shown_member(p, in_full=in_full, contact_id=organization.contact_user_id)
            for p in people], total


def list_requests(actor: User, organization_id: int, *,
                  status: str = MembershipStatus.PENDING.value, page: int = 1,
                  per_page: int = 20) -> tuple[list[MembershipRequest], int]:
    """Requests to join an organisation in one status, oldest first (the contact and the
    staff)."""
    organization = get_organization(organization_id)
    if (refusal := organization_manage_refusal(actor, organization)) is not None:
        raise refusal
    query = sa.select(MembershipRequest).where(
        MembershipRequest.organization_id == organization.id,
        MembershipRequest.status == MembershipStatus(status))
    return page_of(query, page, per_page, MembershipRequest.id,
                   options=(joinedload(MembershipRequest.user).joinedload(User.community),
                            joinedload(MembershipRequest.organization)))


@dataclass
class MyOrganizations:
    """我的组织: the organisation I belong to, those I am the contact of, and my latest
    request to join one."""

    member_of: Organization | None
    contact_of: list[Organization] = field(default_factory=list)
    request: MembershipRequest | None = None

    @property
    def all(self) -> list[Organization]:
        seen = [self.member_of] if self.member_of is not None else []
        return seen + [o for o in self.contact_of if o not in seen]


def my_organizations(user: User) -> MyOrganizations:
    contact_of = list(db.session.scalars(
        sa.select(Organization).where(Organization.contact_user_id == user.id)
        .options(joinedload(Organization.community)).order_by(Organization.id)))
    request = db.session.scalar(
        sa.select(MembershipRequest).where(MembershipRequest.user_id == user.id)
        .options(joinedload(MembershipRequest.organization))
        .order_by(MembershipRequest.id.desc()).limit(1))
    return MyOrganizations(user.organization, contact_of, request)


