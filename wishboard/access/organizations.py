"""Organisations (报到党组织, ``wishboard.organizations``): who reports one (组织报到), who
manages it (its contact, 联络员, or the staff of the community it reports to), who joins
and leaves it, who sees its members' phones, and what a viewer may do with it
(``organization_rights``). Claiming a wish on an organisation's behalf (双报到) is a claim:
``access.wishes.claim_refusal`` with ``organization_id``."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from wishboard.accounts.models import Role, User
from wishboard.access.core import can_manage_community, runs_community_id, same_person
from wishboard.errors import ConflictError, ForbiddenError, WishboardError
from wishboard.extensions import db
from wishboard.places.models import Organization


def organization_not_approved() -> ConflictError:
    return ConflictError("这个组织的报到还没有通过社区审核",
                         message_en="This organisation's report has not been approved",
                         code="organization_not_approved")


def in_another_organization() -> ConflictError:
    return ConflictError("已经是另一个报到党组织的成员，须先退出那个组织",
                         message_en="Already a member of another organisation: leave it first",
                         code="in_another_organization")


def organization_contact_id(organization_id: int | None) -> int | None:
    if organization_id is None:
        return None
    return db.session.scalar(sa.select(Organization.contact_user_id).where(
        Organization.id == organization_id))


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
