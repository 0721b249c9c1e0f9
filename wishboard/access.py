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

from wishboard.accounts.models import AccountLink, ReportStatus, Role, User
from wishboard.audit.models import AuditEntry
from wishboard.core.clock import utcnow
from wishboard.errors import (
    ConflictError, ForbiddenError, NotFoundError, UnauthorizedError, ValidationFailedError,
    WishboardError,
)
from wishboard.extensions import db
from wishboard.grid.models import GridContact
from wishboard.honours.models import (
    MIN_PUBLICITY_DAYS, PUBLIC_SELECTION_STATES, Certificate, Nominee, Objection, Selection,
    SelectionState,
)
from wishboard.invitations.models import Invitation, InvitationStatus
from wishboard.places.models import Community, Organization
from wishboard.projects.models import ProjectMember
from wishboard.ratings.models import Rating
from wishboard.wishes.models import Claim, ClaimStatus, HoursStatus, Wish, WishKind
from wishboard.wishes.states import (
    LIVE_STATES, PUBLIC_STATES, SERVED_STATES, WishState, state_refusal,
)


def same_person(a_id: int | None, b_id: int | None) -> bool:
    """Whether two accounts are one person: the same account, or a secretary and her
    volunteer hat (``accounts.hats``). "Nobody approves their own work" asks this, not
    whether the ids are equal."""
    if a_id is None or b_id is None:
        return False
    if a_id == b_id:
        return True
    return db.session.scalar(sa.select(AccountLink.persona_id).where(sa.or_(
        sa.and_(AccountLink.persona_id == a_id, AccountLink.owner_id == b_id),
        sa.and_(AccountLink.persona_id == b_id, AccountLink.owner_id == a_id)))) is not None


def runs_community_id(user: User | None) -> int | None:
    """For a volunteer hat, the community its person runs as secretary: the hat keeps out
    of that community's organisations (whose work she would confirm)."""
    if user is None or user.role is not Role.VOLUNTEER:
        return None
    return db.session.scalar(sa.select(User.community_id).join(
        AccountLink, AccountLink.owner_id == User.id).where(AccountLink.persona_id == user.id))


def can_manage_community(actor: User | None, community_id: int | None) -> bool:
    """Admins manage every community; a secretary only their own, grid included (the ids
    compared exactly: a 街道/区 account manages none of the communities under it, nor its
    own street or district, which is no community: ``is_rollup_account``)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if actor.role is Role.ADMIN:
        return True
    return actor.role is Role.SECRETARY and community_id is not None and (
        actor.community_id == community_id
    ) and not is_rollup_account(actor)


def is_rollup_account(user: User | None) -> bool:
    """A secretary's account placed at a street or district (街道/区, or 镇/县), not at a
    community: it reads the roll-up of the communities under it (``rollup_refusal``) and
    manages nothing."""
    return (user is not None and getattr(user, "is_authenticated", False)
            and user.role is Role.SECRETARY and user.community is not None
            and not user.community.is_community)


def places_above(place_id: int | None) -> list[int]:
    """The place and every place above it, nearest first (a building's courtyard, ...,
    its district): a few primary-key reads, most from the session."""
    found: list[int] = []
    while place_id is not None and place_id not in found and len(found) < 12:
        found.append(place_id)
        place = db.session.get(Community, place_id)
        place_id = place.parent_id if place is not None else None
    return found


def rollup_refusal(viewer: User | None, place: Community) -> WishboardError | None:
    """Who reads the roll-up of a place (its communities side by side, its leaderboards):
    admins, every place; a secretary, the places on their own line of the tree: the place
    their account is at and everything under it (a street account, its street and each
    community in it), and the places above it (a community's secretary compares with the
    neighbours of their own street and district; every figure there is public anyway).
    Another street's is refused."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return UnauthorizedError()
    if viewer.role is Role.ADMIN:
        return None
    if viewer.role is Role.SECRETARY and viewer.community_id is not None and (
            viewer.community_id in places_above(place.id)
            or place.id in places_above(viewer.community_id)):
        return None
    return ForbiddenError("只能查看本街道、本区的汇总",
                          message_en="Only the roll-up of your own street or district",
                          code="not_your_place")


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


def is_neighbour(user: User | None, community_id: int | None = None) -> bool:
    """Someone who lives in the community (their own when ``community_id`` is None): a
    resident, or a volunteer whose home community it is (``User.community_id``: a volunteer
    living there is a resident there too). They post needs for themselves and rate the
    services done there."""
    return (user is not None and getattr(user, "is_authenticated", False)
            and user.role in (Role.RESIDENT, Role.VOLUNTEER) and user.is_active
            and user.community_id is not None
            and (community_id is None or user.community_id == community_id))


def known_neighbours() -> sa.ColumnElement[bool]:
    """The neighbours the community knows, as a condition on ``User``: residents the
    secretary has verified and volunteers whose 报到 a person approved, not the community's
    automatic approval (``User.report_approved_by_person``; ``User.is_trusted_rater`` for
    these two roles)."""
    return sa.or_(sa.and_(User.role == Role.RESIDENT, User.verified_at.is_not(None)),
                  sa.and_(User.role == Role.VOLUNTEER, User.report_approved_by_person))


def need_refusal(actor: User | None) -> WishboardError | None:
    """Who posts a need (需求征集): someone who lives in the community, for themselves and
    in their own community (a resident, or a volunteer living there: ``is_neighbour``); or
    the community's secretary, who records one for a resident without a phone (代录)."""
    if is_neighbour(actor) or (actor is not None and actor.role is Role.SECRETARY
                               and not is_rollup_account(actor)):
        return None
    return ForbiddenError("需求由住在本社区的居民和志愿者提出，或由社区书记代录",
                          message_en="Needs come from the people of the community or their "
                                     "secretary", code="residents_only")


def _took_part(actor: User, wish: Wish) -> bool:
    """A volunteer who worked on this wish without completing it: a member who joined the
    project, or someone who held a claim on it before (released it, had it taken back, or
    let it run late). Their stars would judge a colleague's or a successor's work."""
    if actor.role is not Role.VOLUNTEER:
        return False
    joined = sa.select(ProjectMember.id).where(ProjectMember.wish_id == wish.id,
                                               ProjectMember.user_id == actor.id)
    claimed = sa.select(Claim.id).where(Claim.wish_id == wish.id,
                                        Claim.volunteer_id == actor.id)
    return bool(db.session.scalar(sa.select(sa.or_(joined.exists(), claimed.exists()))))


# What ended a membership, in the audit log (``organizations.leave_organization`` and
# ``remove_member`` write the person's id in ``before``).
MEMBERSHIP_ENDINGS = ("member_left", "member_removed")
# How long someone who left an organisation still stands with it (``organization_tie``).
TIE_DAYS = 30


def _organizations_behind(wish: Wish, claim: Claim | None = None) -> set[int]:
    """The organisations behind the work on ``wish`` (its ``claim``, or the wish's latest
    claim): the one the claim was made for, and the claimant's own organisation. A
    personal claim records no organisation, so for it the claimant's membership is
    today's, not the one they had when they claimed."""
    organization_id = claim.organization_id if claim is not None else wish.claim_organization_id
    claimant_id = claim.volunteer_id if claim is not None else wish.claimant_id
    claimant = db.session.get(User, claimant_id) if claimant_id is not None else None
    return {o for o in (organization_id, claimant.organization_id if claimant else None)
            if o is not None}


def organization_tie(user: User, wish: Wish, claim: Claim | None = None) -> bool:
    """Whether ``user`` stands with an organisation behind the work on ``wish``
    (``_organizations_behind``), so that their word on it (stars, a confirmation of hours)
    would be the organisation's own: a member of it (colleagues of one organisation rate
    nothing of each other's), its contact (联络员, a member or not), or someone who left it
    or was taken off in the ``TIE_DAYS`` before the claim (leaving to rate a colleague's
    claim does not help). What ended a membership
    is read from the audit log (``MEMBERSHIP_ENDINGS``), which nobody edits."""
    organizations = _organizations_behind(wish, claim)
    if not organizations:
        return False
    if user.organization_id in organizations:
        return True
    contacts = db.session.scalars(sa.select(Organization.contact_user_id).where(
        Organization.id.in_(organizations), Organization.contact_user_id.is_not(None)))
    if any(same_person(user.id, contact) for contact in contacts):
        return True
    claimed_at = (claim.claimed_at if claim is not None else wish.claimed_at) or utcnow()
    community = wish.community or db.session.get(Community, wish.community_id)
    since = claimed_at - timedelta(days=max(TIE_DAYS, community.rating_trust_days or 0))
    endings = db.session.scalars(sa.select(AuditEntry.before).where(
        AuditEntry.object_type == "organization", AuditEntry.object_id.in_(organizations),
        AuditEntry.action.in_(MEMBERSHIP_ENDINGS), AuditEntry.created_at >= since))
    return any((before or {}).get("user_id") == user.id for before in endings)


def rating_refusal(actor: User | None, wish: Wish) -> WishboardError | None:
    """Why ``actor`` may not rate ``wish`` for themselves. Nobody rates their own (or their
    organisation's: ``organization_tie``) work, nor a service they took part in
    (``_took_part``); the people served and the people who live in the community
    (residents, and volunteers whose home community it is: ``is_neighbour``) may. Whose
    stars count at once: ``is_trusted_rater``."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return ForbiddenError("请先登录", code="unauthorized")
    if same_person(actor.id, wish.claimant_id) or (
            wish.claim_organization_id and actor.organization_id == wish.claim_organization_id):
        return _own_organization_work()
    if _took_part(actor, wish):
        return ForbiddenError("您参与过这个心愿的服务，不能评价",
                              message_en="You took part in this service and cannot rate it",
                              code="cannot_rate_own_work")
    if not (_is_beneficiary(actor, wish) or is_neighbour(actor, wish.community_id)):
        return ForbiddenError("只有服务对象和住在本社区的居民、志愿者可以评价",
                              message_en="Only the people served and the people of the "
                                         "community may rate",
                              code="residents_only")
    if organization_tie(actor, wish):
        return _own_organization_work()
    return None


def _own_organization_work() -> ForbiddenError:
    return ForbiddenError("不能评价自己或本组织完成的服务（包括您联络的组织、刚退出的组织）",
                          message_en="You cannot rate your own or your organisation's work",
                          code="cannot_rate_own_work")


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


def is_trusted_rater(user: User, community: Community, now: datetime) -> bool:
    """Whose word counts (stars, a confirmation of hours): verified residents, volunteers
    whose 报到 a person approved, staff (``User.is_trusted_rater``); and, only where the
    community opted in (``rating_trust_days``, off by default: time alone is nobody's
    check), anyone whose account is older than that."""
    return user.is_trusted_rater or (
        community.rating_trust_days is not None
        and user.created_at <= now - timedelta(days=community.rating_trust_days))


def may_join(user: User | None, wish: Wish) -> bool:
    """Approved members of the organisation that claimed a running project, wherever they
    report as volunteers themselves (双报到: a member living in another community serves
    on the projects of the community the organisation reports to)."""
    return (user is not None and getattr(user, "is_authenticated", False)
            and user.is_approved_volunteer and wish.kind is WishKind.PROJECT
            and wish.state is WishState.CLAIMED and wish.claim_organization_id is not None
            and user.organization_id == wish.claim_organization_id
            and wish.claim_organization is not None and wish.claim_organization.is_approved)


def log_refusal(user: User | None, wish: Wish, *, joined: bool) -> WishboardError | None:
    """Who logs service on a running project: someone who joined it (``joined``) and is
    still a member of the organisation that claimed it. A member who left or was taken
    off keeps what they logged before, and logs no more for it."""
    if not joined:
        return ForbiddenError("请先加入这个项目", message_en="Join the project first",
                              code="not_joined")
    if (user is None or wish.claim_organization_id is None
            or user.organization_id != wish.claim_organization_id):
        return ForbiddenError("您已不是认领这个项目的组织的成员，不能再登记服务",
                              message_en="Only members of the claiming organisation log service",
                              code="not_a_member_of_claimant")
    return None


def organization_contact_id(organization_id: int | None) -> int | None:
    if organization_id is None:
        return None
    return db.session.scalar(sa.select(Organization.contact_user_id).where(
        Organization.id == organization_id))


def _earns_from(actor: User, organization_id: int | None) -> bool:
    """Whether ``actor`` stands with the organisation that earns from a project's logs: a
    member of it (either of their hats) or its contact."""
    if organization_id is None:
        return False
    if actor.organization_id == organization_id or same_person(
            actor.id, organization_contact_id(organization_id)):
        return True
    other_hats = sa.select(AccountLink.persona_id).where(AccountLink.owner_id == actor.id) \
        .union(sa.select(AccountLink.owner_id).where(AccountLink.persona_id == actor.id))
    return db.session.scalar(sa.select(User.id).where(
        User.id.in_(other_hats), User.organization_id == organization_id).limit(1)) is not None


def can_confirm_logs(actor: User | None, wish: Wish) -> bool:
    """The staff of the community where the service took place, never anyone of the
    organisation that earns from it (its contact included: ``_earns_from``), nor the one
    who served (``log_confirm_refusal``)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    return can_manage_community(actor, wish.community_id) and not _earns_from(
        actor, wish.claim_organization_id)


def confirmable_logs(actor: User | None, wish: Wish, logs) -> set[int]:
    """The pending service logs ``actor`` may confirm (never their own)."""
    if not can_confirm_logs(actor, wish):
        return set()
    return {log.id for log in logs if log.status.value == "pending"
            and not same_person(log.user_id, actor.id)}


def log_confirm_refusal(actor: User, wish: Wish, log_user_id: int) -> WishboardError | None:
    if same_person(actor.id, log_user_id):
        return ForbiddenError("不能确认自己的服务记录，请由社区书记确认",
                              message_en="Nobody confirms their own service log",
                              code="cannot_confirm_own_work")
    if not can_confirm_logs(actor, wish):
        if _earns_from(actor, wish.claim_organization_id):
            return ForbiddenError("服务记录由服务所在社区的工作人员确认，认领组织的联络员和成员不能确认",
                                  message_en="The community's staff confirm service logs, "
                                             "never the organisation that earns from them",
                                  code="cannot_confirm_own_work")
        return ForbiddenError("只有服务所在社区的工作人员可以确认",
                              message_en="Only the staff of the community where the service "
                                         "took place",
                              code="not_confirmer")
    return None


def attendance_earns(actor: User, person: User, activity) -> bool:
    """Whether this check-in is someone independent saying ``person`` took part. Nobody
    approves their own participation: the organiser's own check-in earns only when another
    organiser (the secretary) checks them in. And an organisation does not vouch for
    itself: its members' attendance at the activity it organises earns (for them and for
    it) only when the community's staff check them in from the list, not with the code its
    contact shows or the contact's own check-in."""
    if person.id == activity.organizer_id and same_person(actor.id, person.id):
        return False
    if activity.organization_id is not None \
            and person.organization_id == activity.organization_id:
        return can_manage_community(actor, activity.community_id) and not same_person(
            actor.id, person.id) and actor.organization_id != activity.organization_id
    return True


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


def _may_claim_for(user: User | None, organization: Organization) -> bool:
    """An approved, active volunteer who is a member of ``organization``: someone who could
    claim its community's wishes on its behalf (双报到: wherever they live)."""
    return (user is not None and user.role is Role.VOLUNTEER and user.is_active
            and user.report_status is ReportStatus.APPROVED
            and user.organization_id == organization.id)


def invitee_refusal(wish: Wish, *, user: User | None = None,
                    organization: Organization | None = None) -> WishboardError | None:
    """Who may be invited to claim ``wish`` (else a 400 naming the field): an approved,
    active volunteer of its community; or an approved reporting organisation of its
    community whose contact person, who answers for it, could claim for it (an approved
    volunteer and a member of the organisation, wherever they live: 双报到).
    ``user``/``organization`` None with its id given: no such person or organisation."""
    if organization is None:
        if _may_claim_in(user, wish.community_id) and not _is_beneficiary(user, wish):
            return None
        message = ("这个心愿是为这位志愿者发布的，请邀请别人" if _is_beneficiary(user, wish)
                   else "只能邀请本社区已通过报到的志愿者")
        field = "user_id"
    elif organization.community_id != wish.community_id:
        message, field = "只能邀请本社区的报到党组织", "organization_id"
    elif not organization.is_approved:
        message, field = "这个组织的报到还没有通过审核，不能邀请", "organization_id"
    elif organization.contact_user_id is None:
        message, field = "这个报到党组织还没有联系人，请先设置联系人", "organization_id"
    elif not _may_claim_for(organization.contact, organization):
        message = "这个报到党组织的联系人还不能代表组织认领（须是已通过报到的志愿者，并且是组织成员）"
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


def invitation_answerer_ids(invitees: list[tuple[int | None, int | None]]
                            ) -> list[int | None]:
    """``invitation_answerer_id`` for many invitations at once, given each one's
    ``(user_id, organization_id)``: one query however many organisations."""
    organization_ids = {org for _, org in invitees if org is not None}
    contacts = dict(db.session.execute(
        sa.select(Organization.id, Organization.contact_user_id)
        .where(Organization.id.in_(organization_ids))).all()) if organization_ids else {}
    return [user_id if org is None else contacts.get(org) for user_id, org in invitees]


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


# Organisations: 组织报到 and their members (wishboard.organizations) ----------------------

def organization_not_approved() -> ConflictError:
    return ConflictError("这个组织的报到还没有通过社区审核",
                         message_en="This organisation's report has not been approved",
                         code="organization_not_approved")


def in_another_organization() -> ConflictError:
    return ConflictError("已经是另一个报到党组织的成员，须先退出那个组织",
                         message_en="Already a member of another organisation: leave it first",
                         code="in_another_organization")


def is_organization_contact(user: User | None, organization: Organization) -> bool:
    return (user is not None and getattr(user, "is_authenticated", False)
            and organization.contact_user_id == user.id)


def can_manage_organization(user: User | None, organization: Organization) -> bool:
    """The organisation's contact (联络员), or the staff of the community it reports to."""
    return is_organization_contact(user, organization) or can_manage_community(
        user, organization.community_id)


def organization_manage_refusal(user: User | None, organization: Organization
                                ) -> WishboardError | None:
    if can_manage_organization(user, organization):
        return None
    return ForbiddenError("只有组织的联络员或社区书记可以这样做",
                          message_en="Only the organisation's contact or the community's "
                                     "secretary may do this", code="not_organization_manager")


def can_see_organization(viewer: User | None, organization: Organization) -> bool:
    """An approved organisation is public; one waiting for review, or turned back, only
    its contact and the community's staff see."""
    return organization.is_approved or can_manage_organization(viewer, organization)


def report_organization_refusal(user: User | None, community_id: int | None = None
                                ) -> WishboardError | None:
    """Who reports an organisation to a community (组织报到), becoming its contact: an active
    resident or volunteer. Staff add organisations on the management page instead; a
    secretary's volunteer hat reports none to the community she runs."""
    if user is None or user.role not in (Role.RESIDENT, Role.VOLUNTEER) or not user.is_active:
        return ForbiddenError("社区工作人员请在管理页面添加报到党组织",
                              message_en="Residents and volunteers report organisations; staff "
                                         "add them", code="residents_and_volunteers_only")
    if community_id is not None and community_id == runs_community_id(user):
        return _own_community_organization()
    return None


def _own_community_organization() -> ForbiddenError:
    return ForbiddenError("您是这个社区的书记，不能以志愿者身份在本社区报到组织或加入组织",
                          message_en="A secretary's volunteer hat keeps out of the "
                                     "organisations of the community she runs",
                          code="own_community")


def joins_organizations(user: User | None) -> bool:
    """Whether ``user`` is someone who joins organisations at all: an active volunteer."""
    return (user is not None and getattr(user, "is_authenticated", False)
            and user.role is Role.VOLUNTEER and user.is_active)


def membership_request_refusal(user: User | None, organization: Organization
                               ) -> WishboardError | None:
    """Who may ask to join ``organization``: an active volunteer of any community (双报到),
    in no organisation yet (one at a time: leave the other first), and only an approved
    organisation."""
    if not joins_organizations(user):
        return ForbiddenError("只有志愿者可以申请加入报到党组织",
                              message_en="Only volunteers join organisations",
                              code="volunteers_only")
    if not organization.is_approved:
        return organization_not_approved()
    if organization.community_id == runs_community_id(user):
        return _own_community_organization()
    if user.organization_id == organization.id:
        return ConflictError("您已经是这个组织的成员", message_en="Already a member",
                             code="already_member")
    if user.organization_id is not None:
        return in_another_organization()
    return None


def membership_decision_refusal(actor: User | None, request, organization: Organization
                                ) -> WishboardError | None:
    """The contact, or the staff of the organisation's community, approve or turn back a
    request to join, once; never their own (a contact asking to join their own
    organisation is decided by the staff)."""
    if (refusal := organization_manage_refusal(actor, organization)) is not None:
        return refusal
    if same_person(actor.id, request.user_id):
        return ForbiddenError("不能审核自己的申请，请由社区书记审核",
                              message_en="Nobody decides their own request",
                              code="cannot_decide_own_request")
    if request.status.value != "pending":
        return ConflictError("这份申请已经处理过了", message_en="Already decided",
                             code="membership_request_not_pending")
    return None


def leave_refusal(user: User, organization: Organization | None) -> WishboardError | None:
    """A member may leave, except the contact, who answers for the organisation (the staff
    name another contact first)."""
    if organization is None or user.organization_id != organization.id:
        return ConflictError("您还没有加入报到党组织", message_en="Not a member",
                             code="not_a_member")
    if organization.contact_user_id == user.id:
        return ConflictError("您是这个组织的联络员，请先请社区书记更换联络员",
                             message_en="The contact cannot leave: the secretary names "
                                        "another contact first", code="contact_cannot_leave")
    return None


def member_phone_reason(viewer: User | None, organization: Organization) -> str | None:
    """Why ``viewer`` sees the full phone numbers of an organisation's members: ``staff``
    (the secretary of the community it reports to, or an admin). The contact sees them
    masked, like everyone else (``privacy.shown_member``); each list shown in full is
    written to the audit log."""
    return "staff" if can_manage_community(viewer, organization.community_id) else None


@dataclass(frozen=True)
class OrganizationRights:
    """What a viewer may do with an organisation, for its page and its API answers."""

    manage: bool = False  # edit, see members and requests, decide, remove (contact, staff)
    decide_report: bool = False  # approve or turn back its 报到 (staff)
    change_contact: bool = False  # name another contact among the members (staff)
    see_status: bool = False
    see_phones: bool = False
    is_contact: bool = False
    is_member: bool = False
    request: bool = False  # ask to join now
    request_refusal: WishboardError | None = None  # why not, for a volunteer looking
    leave: bool = False


def organization_rights(viewer: User | None, organization: Organization) -> OrganizationRights:
    if viewer is not None and not getattr(viewer, "is_authenticated", False):
        viewer = None
    manage = can_manage_organization(viewer, organization)
    staff = can_manage_community(viewer, organization.community_id)
    request = membership_request_refusal(viewer, organization) if viewer is not None else None
    is_member = viewer is not None and viewer.organization_id == organization.id
    return OrganizationRights(
        manage=manage, decide_report=staff, change_contact=staff, see_status=manage,
        see_phones=member_phone_reason(viewer, organization) is not None,
        is_contact=is_organization_contact(viewer, organization), is_member=is_member,
        request=viewer is not None and request is None,
        request_refusal=request if viewer is not None and viewer.role is Role.VOLUNTEER
        and not is_member else None,
        leave=is_member and leave_refusal(viewer, organization) is None,
    )


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


# The year-end selection (年度评选) and its certificates (wishboard.honours) ------------------

def can_see_selection(viewer: User | None, selection: Selection) -> bool:
    """The public sees a selection from its 公示 on; before that (waiting for the cut-off,
    the list being drawn up) only the community's staff do."""
    return selection.state in PUBLIC_SELECTION_STATES or can_manage_community(
        viewer, selection.community_id)


# Why a step refuses, by the state the selection is in.
SELECTION_STATE_REFUSALS: dict[SelectionState, tuple[str, str, str]] = {
    SelectionState.OPEN: ("selection_not_frozen", "截止日后冻结积分，才能进行这一步",
                          "The standings are not frozen yet"),
    SelectionState.NOMINATING: ("selection_not_in_publicity", "候选名单还在调整，还没有公示",
                                "The list is not in its publicity period"),
    SelectionState.PUBLICITY: ("selection_in_publicity", "名单正在公示，这一步现在不能做",
                               "The list is in its publicity period"),
    SelectionState.PUBLISHED: ("selection_published", "评选结果已经公布，不能再改",
                               "The results are published"),
}


def selection_state_refusal(selection: Selection) -> ConflictError:
    code, message, english = SELECTION_STATE_REFUSALS[selection.state]
    return ConflictError(message, message_en=english, code=code)


def publicity_over_refusal() -> ConflictError:
    return ConflictError("公示期已经结束", message_en="The publicity period is over",
                         code="publicity_over")


def objection_refusal(user: User | None, selection: Selection, now: datetime
                      ) -> WishboardError | None:
    """Who raises an objection to a nominee: anyone logged in (an active account), while
    the 公示 runs."""
    if user is None or not getattr(user, "is_authenticated", False):
        return UnauthorizedError("登录后才能提出异议", message_en="Log in to object")
    if not user.is_active:
        return ForbiddenError("这个账号已停用", message_en="This account is disabled",
                              code="account_disabled")
    if selection.state is not SelectionState.PUBLICITY:
        return selection_state_refusal(selection)
    if not selection.publicity_running(now):
        return publicity_over_refusal()
    return None


def end_publicity_refusal(actor: User | None) -> WishboardError | None:
    """Ending a 公示 before its time is an admin's call (a correction round), never the
    secretary's, who would otherwise shorten the public's time to object."""
    if actor is None or actor.role is not Role.ADMIN:
        return ForbiddenError("只有管理员可以提前结束公示", message_en="Admins only",
                              code="admin_only")
    return None


def after_cutoff_refusal(actor: User, selection_cutoff_at: datetime, now: datetime,
                         reason: str | None, *, opening: bool) -> WishboardError | None:
    """The cut-off and the rules are set before the year's results are known: a selection
    is opened, and its rules changed, before the end of its cut-off day. Later only an
    admin may, with a written reason (recorded, and shown on the 公示 page)."""
    if now < selection_cutoff_at:
        return None
    if actor.role is Role.ADMIN:
        if reason:
            return None
        return ValidationFailedError(fields={"reason": [
            "截止日已过，请写明为什么现在才" + ("开启评选" if opening else "修改评选规则")]})
    if opening:
        return ValidationFailedError(fields={"cutoff": [
            "截止日已过：评选要在截止日结束前开启，规则不能等结果出来再定；"
            "确需补开，请管理员开启并写明原因"]})
    return ConflictError("截止日已过，评选规则不能再改；确需修改，请管理员修改并写明原因",
                         message_en="The cut-off day is over: the rules are fixed",
                         code="cutoff_passed")


def publicity_days_refusal(actor: User, days: int, reason: str | None
                           ) -> WishboardError | None:
    """A 公示 runs at least ``MIN_PUBLICITY_DAYS`` whole days: the public's time to object
    is not the secretary's to shorten. A shorter one is an admin's call, with a written
    reason (recorded, and shown on the 公示 page)."""
    if days >= MIN_PUBLICITY_DAYS:
        return None
    if actor.role is not Role.ADMIN:
        return ValidationFailedError(fields={"days": [
            f"公示至少{MIN_PUBLICITY_DAYS}天；更短的公示只能由管理员决定，并写明原因"]})
    if not reason:
        return ValidationFailedError(fields={"reason": [
            f"公示少于{MIN_PUBLICITY_DAYS}天，请写明原因"]})
    return None


def objection_blocks(user: User | None, community: Community, raised_at: datetime) -> bool:
    """Whose objection holds the results back until it is answered: someone whose word
    counts in the community (``is_trusted_rater``) when they raised it. Anyone else's is
    recorded and shown to the staff, who may answer it, but does not hold the results (a
    flood of fresh accounts cannot stop a selection)."""
    return user is not None and is_trusted_rater(user, community, raised_at)


def sees_nominee_name(viewer: User | None, nominee: Nominee, community_id: int) -> bool:
    """A 公示 shows names; but a volunteer who has since chosen to keep their name off the
    boards is shown to the public as the boards show them (anonymous). The volunteer and
    the community's staff read the name."""
    if nominee.user_id is None or nominee.user is None or nominee.user.show_on_boards:
        return True
    return viewer is not None and getattr(viewer, "is_authenticated", False) and (
        viewer.id == nominee.user_id or can_manage_community(viewer, community_id))


def sees_certificate_name(viewer: User | None, certificate: Certificate) -> bool:
    """The name on a certificate, as its page, its PDF and its verification show it: the
    holder's paper names them, but a volunteer who keeps their name off the boards is not
    named to the public (the verification shows the family name only); the holder and the
    community's staff read it in full."""
    if certificate.user_id is None or certificate.user is None \
            or certificate.user.show_on_boards:
        return True
    return is_certificate_holder(viewer, certificate) or can_manage_community(
        viewer, certificate.community_id)


def can_see_objector(viewer: User | None, objection: Objection, community_id: int) -> bool:
    """An objector's name is never public: the objector and the community's staff (who
    answer it) see it."""
    return viewer is not None and getattr(viewer, "is_authenticated", False) and (
        viewer.id == objection.user_id or can_manage_community(viewer, community_id))


def is_certificate_holder(viewer: User | None, certificate: Certificate) -> bool:
    """The volunteer honoured, or the contact of the organisation honoured."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return False
    if certificate.user_id is not None:
        return viewer.id == certificate.user_id
    return viewer.id == organization_contact_id(certificate.organization_id)


def can_see_withdrawal_reason(viewer: User | None, certificate: Certificate) -> bool:
    """Why an honour was withdrawn may be a private matter: the public verification says
    only that it was, and when; the holder and the community's staff read why."""
    return is_certificate_holder(viewer, certificate) or can_manage_community(
        viewer, certificate.community_id)


@dataclass(frozen=True)
class SelectionRights:
    """What a viewer may do with a selection now, for its pages and its API answer."""

    manage: bool = False  # the community's staff: every step but ending a 公示 early
    object: bool = False  # raise an objection now
    log_in_to_object: bool = False  # a visitor, while the 公示 runs
    end_early: bool = False  # an admin, while the 公示 runs
    publish: bool = False
    reopen: bool = False


def selection_rights(viewer: User | None, selection: Selection, *, open_objections: int,
                     now: datetime) -> SelectionRights:
    if viewer is not None and not getattr(viewer, "is_authenticated", False):
        viewer = None
    manage = can_manage_community(viewer, selection.community_id)
    running = selection.publicity_running(now)
    settled = manage and selection.publicity_over(now) and open_objections == 0
    return SelectionRights(
        manage=manage,
        object=viewer is not None and objection_refusal(viewer, selection, now) is None,
        log_in_to_object=viewer is None and running,
        end_early=running and end_publicity_refusal(viewer) is None,
        publish=settled, reopen=settled,
    )
