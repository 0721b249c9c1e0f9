"""Invitations: 社区请您帮忙 (``wishboard.invitations``): who invites (the community's
staff, while the wish is open), who may be invited (an approved volunteer of the
community, or an approved organisation whose contact could claim for it), who answers
(the invitee, or the organisation's contact) and until when."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from wishboard.accounts.models import ReportStatus, Role, User
from wishboard.access.core import _is_beneficiary, _staff_on_open_wish
from wishboard.access.organizations import organization_contact_id
from wishboard.errors import ConflictError, ForbiddenError, ValidationFailedError, WishboardError
from wishboard.extensions import db
from wishboard.invitations.models import Invitation, InvitationStatus
from wishboard.places.models import Organization
from wishboard.wishes.models import Wish


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
