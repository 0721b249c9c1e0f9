"""Wishes (``wishboard.wishes``): who sees a wish and the private details of the people it
serves, the refusals of each move (claim, also on an organisation's behalf: 双报到;
complete, release, close and cancel), who confirms a claim's hours, and everything a
viewer may do with a wish at once (``wish_rights``, read by the pages and the API)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from wishboard.accounts.models import ReportStatus, Role, User
from wishboard.access.core import _is_beneficiary, can_manage_community, same_person
from wishboard.access.invitations import invite_refusal
from wishboard.access.organizations import organization_not_approved
from wishboard.access.people import suggestions_refusal
from wishboard.access.projects import can_confirm_logs, log_refusal, may_join
from wishboard.access.ratings import is_trusted_rater, organization_tie, rating_refusal
from wishboard.core.clock import utcnow
from wishboard.errors import ConflictError, ForbiddenError, WishboardError
from wishboard.extensions import db
from wishboard.places.models import Organization
from wishboard.projects.models import ProjectMember
from wishboard.ratings.models import Rating
from wishboard.wishes.models import Claim, ClaimStatus, HoursStatus, Wish, WishKind
from wishboard.wishes.states import (
    LIVE_STATES, PUBLIC_STATES, SERVED_STATES, WishState, state_refusal,
)


# Who sees a wish, and the private details of the people it serves -------------------------

def private_details_reason(viewer: User | None, wish: Wish) -> str | None:
    """Why ``viewer`` may see the real name, phone and address of the people a wish serves:
    ``claimant`` (while claiming and after), ``secretary`` (the community's staff), ``self``
    (the people served); None: they may not."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return None
    if wish.claimant_id is not None and viewer.id == wish.claimant_id:
        return "claimant"
    if can_manage_community(viewer, wish.community_id):
        return "secretary"
    if _is_beneficiary(viewer, wish):
        return "self"
    return None


def can_see_private_details(viewer: User | None, wish: Wish) -> bool:
    return private_details_reason(viewer, wish) is not None


def can_see_state(viewer: User | None, state: WishState, community_id: int | None) -> bool:
    """Anyone may see wishes in a published state (``PUBLIC_STATES``, as on the board);
    those pending review or rejected only the community's staff. ``viewer`` None: the
    public (a poster, a share code). (Nothing creates those two states today: wishes are
    published as they are made; the rule guards data changed by hand and what may come.)"""
    return state in PUBLIC_STATES or (
        viewer is not None and bool(community_id)
        and can_manage_community(viewer, community_id))


def can_see_wish(viewer: User | None, wish: Wish) -> bool:
    return can_see_state(viewer, wish.state, wish.community_id)


# Refusals, one per action: None means "allowed now". ------------------------------------

def _not_claimant() -> ForbiddenError:
    return ForbiddenError("只有认领人可以这样做", message_en="Only the claimant may do this",
                          code="not_claimant")


def claim_refusal(user: User | None, wish: Wish, organization_id: int | None = None
                  ) -> WishboardError | None:
    """Why ``user`` may not claim ``wish`` now, for themselves or (``organization_id``) on
    behalf of their organisation. An approved volunteer claims the wishes of the community
    they report to as a volunteer; 双报到: a member of an organisation that reports to
    another community may also claim that community's wishes, but only on the
    organisation's behalf. Only their own organisation, and only an approved one."""
    if user is None or user.role is not Role.VOLUNTEER:
        return ForbiddenError("只有志愿者可以认领心愿", message_en="Only volunteers claim wishes",
                              code="not_a_volunteer")
    if user.report_status is not ReportStatus.APPROVED:
        return ForbiddenError("您的报到通过审核后，就可以认领心愿",
                              message_en="Your report has not been approved yet",
                              code="report_not_approved")
    organization = None
    if organization_id is not None:
        if organization_id != user.organization_id:
            return ForbiddenError("只能代表自己所在的报到党组织认领",
                                  message_en="You may claim only for your own organisation",
                                  code="not_your_organization")
        organization = db.session.get(Organization, organization_id)
        if organization is None or not organization.is_approved:
            return organization_not_approved()
    if user.community_id != wish.community_id and (
            organization is None or organization.community_id != wish.community_id):
        return ForbiddenError("只能认领本社区的心愿，或代表您的组织认领它报到社区的心愿",
                              message_en="Claim wishes of your community, or of the community "
                                         "your organisation reports to on its behalf",
                              code="not_your_community")
    if _is_beneficiary(user, wish):  # a volunteer's own need, published as a wish
        return ForbiddenError("这个心愿是为您发布的，请由其他志愿者认领",
                              message_en="This wish serves you: someone else claims it",
                              code="own_wish")
    if wish.state is not WishState.OPEN:
        return state_refusal(wish.state)
    return None


def claim_organization_needed(user: User | None, wish: Wish) -> int | None:
    """The organisation ``user`` may claim ``wish`` for although it is not in their own
    community (双报到: their organisation reports there), or None."""
    if (user is None or user.organization_id is None
            or user.community_id == wish.community_id):
        return None
    if claim_refusal(user, wish, user.organization_id) is not None:
        return None
    return user.organization_id


def complete_refusal(user: User | None, wish: Wish) -> WishboardError | None:
    if wish.state is not WishState.CLAIMED:
        return state_refusal(wish.state)
    if user is None or wish.claimant_id != user.id:
        return ForbiddenError("只有认领人可以标记完成", message_en="Only the claimant may complete",
                              code="not_claimant")
    return None


def release_refusal(user: User | None, wish: Wish) -> WishboardError | None:
    if wish.state is not WishState.CLAIMED:
        return state_refusal(wish.state)
    if user is None or (user.id != wish.claimant_id
                        and not can_manage_community(user, wish.community_id)):
        return ForbiddenError("只有认领人或社区书记可以释放认领",
                              message_en="Only the claimant or the secretary may release",
                              code="not_claimant")
    return None


def manage_refusal(user: User | None, wish: Wish, allowed: tuple[WishState, ...]
                   ) -> WishboardError | None:
    """Closing (from completed) and cancelling (from open or claimed): staff only."""
    if not can_manage_community(user, wish.community_id):
        return ForbiddenError("只有本社区的书记或管理员可以这样做",
                              message_en="Only this community's secretary or an admin may do this",
                              code="not_your_community")
    if wish.state not in allowed:
        return state_refusal(wish.state)
    return None


# Hours: the claim that completed a wish, and who confirms its hours -----------------------

def completed_claim(wish: Wish) -> Claim | None:
    """The claim that completed this wish (the latest one), if any."""
    if wish.state not in SERVED_STATES:
        return None
    return db.session.scalar(sa.select(Claim).where(
        Claim.wish_id == wish.id, Claim.status == ClaimStatus.COMPLETED)
        .order_by(Claim.id.desc()).limit(1))


def confirm_hours_refusal(user: User | None, wish: Wish, claim: Claim | None, *,
                          adjusting: bool = False, now: datetime | None = None
                          ) -> WishboardError | None:
    """The person served confirms the hours as stated, during the rating window and once
    the secretary knows them (or they have waited the community's period, as for their
    stars), unless they stand with the organisation behind the work (``organization_tie``:
    a colleague of the claimant, the claiming organisation's contact), whose hours then go
    to the secretary; the community's secretary confirms or adjusts them at any time.
    Never the one who served."""
    if claim is None:
        return ConflictError("这个心愿还没有完成服务", message_en="Nothing to confirm yet",
                             code="nothing_to_confirm")
    if claim.hours_status is not HoursStatus.PENDING:
        return ConflictError("服务时长已经处理过了", message_en="The hours are already settled",
                             code="hours_already_settled")
    if user is None or same_person(user.id, claim.volunteer_id):
        return ForbiddenError("不能确认自己的服务时长", message_en="You cannot confirm your own hours",
                              code="cannot_confirm_own_work")
    if can_manage_community(user, wish.community_id):
        return None
    if _is_beneficiary(user, wish):
        if adjusting:
            return ForbiddenError("只有社区书记可以调整服务时长",
                                  message_en="Only the secretary may adjust the hours",
                                  code="secretary_adjusts")
        now = now or utcnow()
        community = wish.community
        if claim.ended_at and claim.ended_at + timedelta(days=community.rating_window_days) < now:
            return ForbiddenError("评价期已过，服务时长由社区书记确认",
                                  message_en="The rating window is over; the secretary confirms",
                                  code="confirmation_window_over")
        if not is_trusted_rater(user, community, now):
            return ForbiddenError("社区核实您的身份后，您就可以确认服务时长；也可以请社区书记确认",
                                  message_en="Once the secretary has verified you",
                                  code="not_verified")
        if organization_tie(user, wish, claim):
            return ForbiddenError("您和服务人员同属一个报到党组织（或是它的联络员），服务时长由社区书记确认",
                                  message_en="Your organisation did this work: the secretary "
                                             "confirms its hours",
                                  code="cannot_confirm_own_work")
        return None
    return ForbiddenError("由服务对象或社区书记确认服务时长",
                          message_en="The person served or the secretary confirms the hours",
                          code="not_confirmer")


# What this viewer may do with this wish, all at once ------------------------------------

@dataclass(frozen=True)
class WishRights:
    claim: bool = False
    claim_refusal: WishboardError | None = None  # why not, for a volunteer looking
    # 双报到: the viewer lives elsewhere and may claim only on behalf of this organisation.
    claim_organization_id: int | None = None
    complete: bool = False
    release: bool = False
    confirm_hours: bool = False
    adjust_hours: bool = False
    rate: bool = False
    record_rating: bool = False  # 代录 for a person served without a phone
    remove_rating: bool = False
    close: bool = False
    cancel: bool = False
    join: bool = False
    log: bool = False
    confirm_logs: bool = False
    see_private: bool = False  # some of the people served in full (privacy.shown_*)
    private_reason: str | None = None  # claimant, secretary, self
    viewer_id: int | None = None
    see_audit: bool = False  # who saw the private details
    is_claimant: bool = False
    is_member: bool = False
    share: bool = False  # a public page: its share code and poster exist
    suggest: bool = False  # 可以请谁来帮忙: the volunteers to ask (staff, open wishes)
    invite: bool = False  # 邀请: ask a volunteer or an organisation (staff, open wishes)
    see_invitations: bool = False  # the wish's invitations and their answers (staff)
    # For a visitor who is not logged in: what logging in would let them do here ("claim"
    # an open wish, "rate" a served one), so the page can offer it.
    log_in_to: str | None = None


def wish_rights(viewer: User | None, wish: Wish, *, claim: Claim | None = None,
                already_rated: bool | None = None) -> WishRights:
    """Everything ``viewer`` may do with ``wish`` now. ``claim`` is the completing claim if
    the caller has it; ``already_rated`` whether the viewer has rated (looked up if None)."""
    if viewer is not None and not getattr(viewer, "is_authenticated", False):
        viewer = None
    staff = can_manage_community(viewer, wish.community_id)
    reason = private_details_reason(viewer, wish)
    refusal = claim_refusal(viewer, wish) if wish.state is WishState.OPEN else None
    claim_for = None
    if refusal is not None and refusal.code == "not_your_community":
        claim_for = claim_organization_needed(viewer, wish)
        refusal = None if claim_for is not None else refusal
    if claim is None and wish.state in SERVED_STATES:
        claim = completed_claim(wish)
    can_rate = False
    if viewer is not None and wish.state is WishState.COMPLETED and rating_refusal(
            viewer, wish) is None:
        if already_rated is None:
            already_rated = db.session.scalar(sa.select(Rating.id).where(
                Rating.wish_id == wish.id, Rating.rater_id == viewer.id).limit(1)) is not None
        can_rate = not already_rated
    is_member = viewer is not None and wish.kind is WishKind.PROJECT and db.session.scalar(
        sa.select(ProjectMember.id).where(ProjectMember.wish_id == wish.id,
                                          ProjectMember.user_id == viewer.id)) is not None
    running_project = wish.kind is WishKind.PROJECT and wish.state is WishState.CLAIMED
    return WishRights(
        claim=viewer is not None and wish.state is WishState.OPEN and refusal is None,
        claim_refusal=refusal if viewer is not None and viewer.role is Role.VOLUNTEER else None,
        claim_organization_id=claim_for,
        complete=complete_refusal(viewer, wish) is None,
        release=viewer is not None and release_refusal(viewer, wish) is None,
        confirm_hours=confirm_hours_refusal(viewer, wish, claim) is None,
        adjust_hours=staff and confirm_hours_refusal(viewer, wish, claim, adjusting=True) is None,
        rate=can_rate,
        record_rating=staff and wish.state is WishState.COMPLETED and bool(wish.beneficiaries),
        remove_rating=staff,
        close=manage_refusal(viewer, wish, (WishState.COMPLETED,)) is None,
        cancel=manage_refusal(viewer, wish, LIVE_STATES) is None,
        join=may_join(viewer, wish) and not is_member,
        log=running_project and log_refusal(viewer, wish, joined=is_member) is None,
        confirm_logs=wish.kind is WishKind.PROJECT and can_confirm_logs(viewer, wish),
        see_private=reason is not None,
        private_reason=reason,
        viewer_id=viewer.id if viewer is not None else None,
        see_audit=staff,
        is_claimant=viewer is not None and viewer.id == wish.claimant_id,
        is_member=is_member,
        share=can_see_wish(None, wish),
        suggest=staff and suggestions_refusal(viewer, wish) is None,
        invite=invite_refusal(viewer, wish) is None,
        see_invitations=staff,
        log_in_to=None if viewer is not None else {
            WishState.OPEN: "claim", WishState.COMPLETED: "rate"}.get(wish.state),
    )
