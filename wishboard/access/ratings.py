"""Ratings and whose word counts (``wishboard.ratings``): who rates a service
(``rating_refusal``: never one's own, one's organisation's, or a service one took part
in), who stands with the organisation behind a piece of work (``organization_tie``, also
asked before the person served confirms hours), and whose word counts at once
(``is_trusted_rater``)."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from wishboard.accounts.models import Role, User
from wishboard.access.core import _is_beneficiary, same_person
from wishboard.access.people import is_neighbour
from wishboard.audit.models import AuditEntry
from wishboard.core.clock import utcnow
from wishboard.errors import ForbiddenError, WishboardError
from wishboard.extensions import db
from wishboard.places.models import Community, Organization
from wishboard.projects.models import ProjectMember
from wishboard.wishes.models import Claim, Wish


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


def is_trusted_rater(user: User, community: Community, now: datetime) -> bool:
    """Whose word counts (stars, a confirmation of hours): verified residents, volunteers
    whose 报到 a person approved, staff (``User.is_trusted_rater``); and, only where the
    community opted in (``rating_trust_days``, off by default: time alone is nobody's
    check), anyone whose account is older than that."""
    return user.is_trusted_rater or (
        community.rating_trust_days is not None
        and user.created_at <= now - timedelta(days=community.rating_trust_days))
