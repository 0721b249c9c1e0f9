"""The rule book: who may act on which community, and what a viewer may do with a wish.

Services raise the refusals found here; the API and the pages show what ``wish_rights``
allows, and templates never test states or roles themselves. What a viewer *sees* of the
people a wish serves is decided once too, in ``wishboard.privacy``, from
``can_see_private_details`` below.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from wishboard.accounts.models import ReportStatus, Role, User
from wishboard.core.clock import utcnow
from wishboard.errors import (
    ConflictError, ForbiddenError, NotFoundError, ValidationFailedError, WishboardError,
)
from wishboard.extensions import db
from wishboard.grid.models import GridContact
from wishboard.invitations.models import Invitation, InvitationStatus
from wishboard.places.models import Community, Organization
from wishboard.projects.models import ProjectMember
from wishboard.ratings.models import Rating
from wishboard.wishes.models import Claim, ClaimStatus, HoursStatus, Wish, WishKind
from wishboard.wishes.states import (
    LIVE_STATES, PUBLIC_STATES, SERVED_STATES, WishState, state_refusal,
)


def can_manage_community(actor: User | None, community_id: int | None) -> bool:
    """Admins manage every community; a secretary only their own, grid included."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if actor.role is Role.ADMIN:
        return True
    return actor.role is Role.SECRETARY and community_id is not None and (
        actor.community_id == community_id
    )


def ensure_can_manage_community(actor: User, community: Community | int | None) -> None:
    community_id = community.owning_community_id if isinstance(community, Community) else community
    if not can_manage_community(actor, community_id):
        raise ForbiddenError("只有本社区的书记或管理员可以这样做",
                             message_en="Only this community's secretary or an admin may do this",
                             code="not_your_community")


def ensure_admin(actor: User) -> None:
    if actor.role is not Role.ADMIN:
        raise ForbiddenError("只有管理员可以这样做", message_en="Admins only", code="admin_only")


def reset_code_refusal(actor: User, person: User) -> WishboardError | None:
    """Why ``actor`` may not give ``person`` a password reset code: an admin may for anyone;
    a secretary for the residents and volunteers of their own community, never for staff
    (whose account would then be theirs to open)."""
    if not person.has_own_password:  # a volunteer hat: its person logs in as themselves
        return ValidationFailedError("这是社区书记账号下的志愿者身份，没有单独的密码；请为本人的账号发重置码",
                                     message_en="A volunteer hat has no password of its own",
                                     code="hat_has_no_password")
    if actor.role is Role.ADMIN:
        return None
    if not can_manage_community(actor, person.community_id) or person.role not in (
            Role.RESIDENT, Role.VOLUNTEER):
        return ForbiddenError("书记只能为本社区的居民和志愿者发重置码",
                              message_en="A secretary resets residents and volunteers of "
                                         "their own community", code="not_your_person")
    return None


def volunteer_hat_refusal(owner: User | None, community: Community | None
                          ) -> WishboardError | None:
    """Who may also report as a volunteer (``accounts.hats``): a community secretary, in a
    community that is not the one they run (nobody approves their own 报到, or confirms
    their own work)."""
    if owner is None or owner.role is not Role.SECRETARY or not owner.is_active:
        return ForbiddenError("社区书记可以在居住的社区另外报到做志愿者；居民和志愿者请直接使用本账号",
                              message_en="Only community secretaries add a volunteer hat",
                              code="secretaries_only")
    if community is None or not community.is_community:
        return ValidationFailedError(fields={"community_id": ["请选择一个社区或村"]})
    if community.id == owner.community_id:
        return ValidationFailedError(
            "您在本社区是书记，请选择您居住的另一个社区",
            message_en="Volunteer in another community than the one you run",
            code="own_community", fields={"community_id": ["不能是您任书记的社区"]})
    return None


def _is_beneficiary(viewer: User | None, wish: Wish) -> bool:
    return viewer is not None and any(b.user_id == viewer.id for b in wish.beneficiaries)


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


def claim_refusal(user: User | None, wish: Wish) -> WishboardError | None:
    """Why ``user`` may not claim ``wish`` now."""
    if user is None or user.role is not Role.VOLUNTEER:
        return ForbiddenError("只有志愿者可以认领心愿", message_en="Only volunteers claim wishes",
                              code="not_a_volunteer")
    if user.report_status is not ReportStatus.APPROVED:
        return ForbiddenError("您的报到通过审核后，就可以认领心愿",
                              message_en="Your report has not been approved yet",
                              code="report_not_approved")
    if user.community_id != wish.community_id:
        return ForbiddenError("只能认领本社区的心愿", message_en="Claim wishes of your community",
                              code="not_your_community")
    if wish.state is not WishState.OPEN:
        return state_refusal(wish.state)
    return None


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


def rating_refusal(actor: User | None, wish: Wish) -> WishboardError | None:
    """Why ``actor`` may not rate ``wish`` for themselves. Nobody rates their own (or their
    organisation's) work; the people served and the community's residents may."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return ForbiddenError("请先登录", code="unauthorized")
    if actor.id == wish.claimant_id or (
            wish.claim_organization_id and actor.organization_id == wish.claim_organization_id):
        return ForbiddenError("不能评价自己或本组织完成的服务",
                              message_en="You cannot rate your own or your organisation's work",
                              code="cannot_rate_own_work")
    is_resident_here = actor.role is Role.RESIDENT and actor.community_id == wish.community_id
    if not (_is_beneficiary(actor, wish) or is_resident_here):
        return ForbiddenError("只有服务对象和本社区居民可以评价",
                              message_en="Only the people served and residents may rate",
                              code="residents_only")
    return None


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
    stars); the community's secretary confirms or adjusts them at any time. Never the one
    who served."""
    if claim is None:
        return ConflictError("这个心愿还没有完成服务", message_en="Nothing to confirm yet",
                             code="nothing_to_confirm")
    if claim.hours_status is not HoursStatus.PENDING:
        return ConflictError("服务时长已经处理过了", message_en="The hours are already settled",
                             code="hours_already_settled")
    if user is None or user.id == claim.volunteer_id:
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
        return None
    return ForbiddenError("由服务对象或社区书记确认服务时长",
                          message_en="The person served or the secretary confirms the hours",
                          code="not_confirmer")


def is_trusted_rater(user: User, community: Community, now: datetime) -> bool:
    """Whose word counts (stars, a confirmation of hours): verified residents, approved
    volunteers, staff; and residents whose accounts are older than the community's
    waiting period."""
    return user.is_trusted_rater or (
        user.created_at <= now - timedelta(days=community.rating_trust_days))


def may_join(user: User | None, wish: Wish) -> bool:
    """Approved members of the organisation that claimed a running project."""
    return (user is not None and getattr(user, "is_authenticated", False)
            and user.is_approved_volunteer and wish.kind is WishKind.PROJECT
            and wish.state is WishState.CLAIMED and wish.claim_organization_id is not None
            and user.organization_id == wish.claim_organization_id)


def organization_contact_id(organization_id: int | None) -> int | None:
    if organization_id is None:
        return None
    return db.session.scalar(sa.select(Organization.contact_user_id).where(
        Organization.id == organization_id))


def can_confirm_logs(actor: User | None, wish: Wish) -> bool:
    """The community's secretary, or the claiming organisation's contact (never for their
    own logs: see ``log_confirm_refusal``)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if can_manage_community(actor, wish.community_id):
        return True
    contact = organization_contact_id(wish.claim_organization_id)
    return contact is not None and actor.id == contact


def confirmable_logs(actor: User | None, wish: Wish, logs) -> set[int]:
    """The pending service logs ``actor`` may confirm (never their own)."""
    if not can_confirm_logs(actor, wish):
        return set()
    return {log.id for log in logs if log.status.value == "pending" and log.user_id != actor.id}


def log_confirm_refusal(actor: User, wish: Wish, log_user_id: int) -> WishboardError | None:
    if not can_confirm_logs(actor, wish):
        return ForbiddenError("只有社区书记或认领组织的联系人可以确认",
                              message_en="Only the secretary or the organisation's contact",
                              code="not_confirmer")
    if actor.id == log_user_id:
        return ForbiddenError("不能确认自己的服务记录，请由社区书记确认",
                              message_en="Nobody confirms their own service log",
                              code="cannot_confirm_own_work")
    return None


# Reaching the right hands (wishboard.matching) ------------------------------------------

def profile_refusal(user: User | None) -> WishboardError | None:
    """Skills, a service card and follows are a volunteer's (whatever their 报到 status:
    they may fill them in while they wait)."""
    if user is None or user.role is not Role.VOLUNTEER:
        return ForbiddenError("只有志愿者可以填写特长和服务",
                              message_en="Only volunteers keep a service profile",
                              code="volunteers_only")
    return None


def _staff_on_open_wish(user: User | None, wish: Wish, *, deed: str,
                        deed_en: str) -> WishboardError | None:
    """Finding hands for a wish (suggestions, invitations): the community's staff, while
    the wish is open."""
    if not can_manage_community(user, wish.community_id):
        return ForbiddenError(f"只有本社区的书记或管理员可以{deed}",
                              message_en=f"Only this community's secretary or an admin may "
                                         f"{deed_en}", code="not_your_community")
    if wish.state is not WishState.OPEN:
        return ConflictError(f"只有待认领的心愿才能{deed}（这个心愿{wish.state.label}）",
                             message_en=f"Only open wishes: {deed_en}", code="wish_not_open")
    return None


def suggestions_refusal(user: User | None, wish: Wish) -> WishboardError | None:
    """Who to ask for help with a wish: the community's staff, while the wish is open."""
    return _staff_on_open_wish(user, wish, deed="推荐志愿者", deed_en="ask for suggestions")


# Grid contacts: 楼栋长, 院落长, 网格员 (wishboard.grid) ------------------------------------

def grid_duty_refusal(person: User | None, place: Community) -> WishboardError | None:
    """Who may be given a duty on a grid place: an active resident or volunteer of the
    place's community (they keep their own role: a duty is not an account role). Staff run
    the grid already and are not its contacts. (Who *gives* the duty: the community's staff,
    ``ensure_can_manage_community``.)"""
    if person is None or not person.is_active or person.role not in (
            Role.RESIDENT, Role.VOLUNTEER) or person.community_id != place.owning_community_id:
        return ValidationFailedError("只能指派本社区的居民或志愿者",
                                     message_en="Only residents and volunteers of this "
                                                "community can be grid contacts",
                                     code="not_a_neighbour",
                                     fields={"user_id": ["只能指派本社区的居民或志愿者"]})
    return None


def contact_phone_reason(viewer: User | None, contact: GridContact,
                         home_line: Collection[int] = ()) -> str | None:
    """Why ``viewer`` may see a grid contact's full phone number: ``self`` (the contact),
    ``staff`` (the community's secretary or an admin), ``neighbour`` (a resident the
    secretary has verified, or a volunteer whose 报到 is approved, of the same community,
    whose home place is the contact's place or lies inside it: ``home_line`` is their home
    place and every place above it). None: everyone else, the public above all, sees it
    masked (``privacy.shown_contact``). A home place is what a person says of themselves,
    so it opens a number only to someone the community knows; each such sight is written
    to the audit log."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return None
    if viewer.id == contact.user_id:
        return "self"
    if can_manage_community(viewer, contact.community_id):
        return "staff"
    if (viewer.role in (Role.RESIDENT, Role.VOLUNTEER) and viewer.is_active
            and viewer.community_id == contact.community_id and viewer.is_trusted_rater
            and contact.place_id in home_line):
        return "neighbour"
    return None


def grid_contact_places(user: User | None) -> list[int]:
    """The grid places whose needs ``user`` follows as their 楼栋长, 院落长 or 网格员 (the
    service adds the places inside them). What they see of each need is
    ``privacy.shown_grid_need``: title, state, when, where and the resident's name masked;
    never the resident's words, phone or address, which stay with the community's staff
    and the resident (DOMAIN.md gives grid contacts no more)."""
    if user is None or not getattr(user, "is_authenticated", False) or user.role not in (
            Role.RESIDENT, Role.VOLUNTEER):
        return []
    return list(db.session.scalars(sa.select(GridContact.place_id).where(
        GridContact.user_id == user.id, GridContact.community_id == user.community_id)
        .distinct()))


# Invitations: 社区请您帮忙 (wishboard.invitations) ------------------------------------------

def invite_refusal(user: User | None, wish: Wish) -> WishboardError | None:
    """Who may ask someone to claim a wish: the community's staff, while the wish is open."""
    return _staff_on_open_wish(user, wish, deed="邀请", deed_en="invite")


def _may_claim_in(user: User | None, community_id: int) -> bool:
    """An approved, active volunteer of the community: someone who could claim its wishes."""
    return (user is not None and user.role is Role.VOLUNTEER and user.is_active
            and user.report_status is ReportStatus.APPROVED
            and user.community_id == community_id)


def invitee_refusal(wish: Wish, *, user: User | None = None,
                    organization: Organization | None = None) -> WishboardError | None:
    """Who may be invited to claim ``wish`` (else a 400 naming the field): an approved,
    active volunteer of its community; or a reporting organisation of its community whose
    contact person, who answers for it, could claim for it (an approved volunteer of the
    community and a member of the organisation). ``user``/``organization`` None with its
    id given: no such person or organisation."""
    if organization is None:
        if _may_claim_in(user, wish.community_id):
            return None
        message, field = "只能邀请本社区已通过报到的志愿者", "user_id"
    elif organization.community_id != wish.community_id:
        message, field = "只能邀请本社区的报到党组织", "organization_id"
    elif organization.contact_user_id is None:
        message, field = "这个报到党组织还没有联系人，请先设置联系人", "organization_id"
    elif not (_may_claim_in(organization.contact, wish.community_id)
              and organization.contact.organization_id == organization.id):
        message = "这个报到党组织的联系人还不能代表组织认领（须是本社区已通过报到的组织成员）"
        field = "organization_id"
    else:
        return None
    return ValidationFailedError(message, message_en="This person or organisation cannot be "
                                 "invited to this wish", code="not_invitable",
                                 fields={field: [message]})


def invitation_answerer_id(invitation: Invitation) -> int | None:
    """Who answers an invitation: the volunteer invited, or the organisation's contact."""
    if invitation.organization_id is None:
        return invitation.user_id
    return organization_contact_id(invitation.organization_id)


# Why an invitation can no longer be answered, by its status.
INVITATION_REFUSALS: dict[InvitationStatus, tuple[str, str, str]] = {
    InvitationStatus.ACCEPTED: ("invitation_answered", "这份邀请已经答复过了",
                                "This invitation is already answered"),
    InvitationStatus.DECLINED: ("invitation_answered", "这份邀请已经答复过了",
                                "This invitation is already answered"),
    InvitationStatus.EXPIRED: ("invitation_expired", "这份邀请已过答复期限",
                               "This invitation has expired"),
    InvitationStatus.LAPSED: ("invitation_lapsed", "这个心愿已有人认领或已结束，邀请已失效",
                              "The wish is no longer open; the invitation has lapsed"),
}


def invitation_state_refusal(invitation: Invitation, now: datetime) -> ConflictError | None:
    """The 409 for an invitation that is no longer live (answered, expired, lapsed), or
    whose time is up though the sweep has not marked it yet."""
    status = invitation.status
    if status is InvitationStatus.PENDING:
        if invitation.expires_at > now:
            return None
        status = InvitationStatus.EXPIRED
    code, zh, en = INVITATION_REFUSALS[status]
    return ConflictError(zh, message_en=en, code=code)


def answer_refusal(user: User | None, invitation: Invitation, now: datetime
                   ) -> WishboardError | None:
    """Only the invitee (for an organisation, its contact) answers, and only while the
    invitation is live."""
    if user is None or user.id != invitation_answerer_id(invitation):
        return ForbiddenError("只有被邀请的人可以答复这份邀请",
                              message_en="Only the person invited may answer",
                              code="not_invitee")
    return invitation_state_refusal(invitation, now)


# 服务标识: the service card a volunteer holds up at the door (wishboard.serviceid) -------

def service_card_refusal(user: User | None) -> WishboardError | None:
    """Who has a service card, and whose card checks as valid: an active volunteer whose
    报到 is approved."""
    if user is None or not user.is_active or not user.is_approved_volunteer:
        return ForbiddenError("报到通过审核的志愿者才有服务标识",
                              message_en="Only approved volunteers have a service ID",
                              code="no_service_card")
    return None


def service_card_revoke_refusal(actor: User | None, person: User | None
                                ) -> WishboardError | None:
    """Who voids a volunteer's codes (作废): the volunteer, or their community's staff."""
    if person is None or person.role is not Role.VOLUNTEER:
        return NotFoundError("没有这位志愿者", message_en="No such volunteer")
    if actor is None or (actor.id != person.id
                         and not can_manage_community(actor, person.community_id)):
        return ForbiddenError("只有志愿者本人或本社区的书记可以作废服务标识",
                              message_en="Only the volunteer or their secretary",
                              code="not_your_card")
    return None


# What this viewer may do with this wish, all at once ------------------------------------

@dataclass(frozen=True)
class WishRights:
    claim: bool = False
    claim_refusal: WishboardError | None = None  # why not, for a volunteer looking
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
        log=running_project and is_member,
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
