"""Organisations (报到党组织) and their members: 组织报到, the secretary's decision, joining
and leaving, the contact's management, and the lists the pages and the API read.

An organisation is entered by the staff of the community it reports to, or reports itself:
a resident or volunteer (its contact person, 联络员) files it and the community's secretary
approves it (always a person: a community's automatic approval is for people's 报到, never
an organisation's). Only an approved
organisation is claimed for, takes members, is invited, organises activities and stands on
the boards (the rules are in ``wishboard.access``).

Membership is ``User.organization_id``: one organisation per person. A volunteer of any
community (双报到) asks to join (a ``MembershipRequest``); the contact or the staff of the
organisation's community decide, never the person asking. Approving sets the membership
with a conditional UPDATE (``organization_id IS NULL``) in the decision's own transaction,
so two approvals racing, or a person who joined elsewhere meanwhile, end with one
membership and a 409 for the other.

This module holds entering, reporting and deciding an organisation's 报到, editing it, and
its page; reading it and its lists are in ``reading.py``, joining and leaving in
``membership.py``, both re-exported here, so ``organizations.services.<name>`` reaches
every use case of the feature.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from wishboard.access import (
    OrganizationRights, ensure_can_manage_community, organization_manage_refusal,
    organization_rights, report_organization_refusal, same_person,
)
from wishboard.accounts.models import User
from wishboard.audit import services as audit
from wishboard.core.clock import utcnow
from wishboard.core.db import flush_or_conflict
from wishboard.errors import ConflictError, ForbiddenError, ValidationFailedError
from wishboard.extensions import db
from wishboard.notifications.services import notify, secretary_ids
from wishboard.organizations.membership import (  # noqa: F401  (re-exported)
    MyOrganizations, add_membership_request, approve_request, get_request, join_member,
    leave_organization, list_members, list_requests, my_organizations, reject_request,
    remove_member, request_membership, withdraw_request,
)
from wishboard.organizations.models import MembershipRequest, MembershipStatus
from wishboard.organizations.reading import (  # noqa: F401  (re-exported)
    NEARBY_LIMIT, SEARCH_LIMIT, community_organizations, get_organization, list_organizations,
    member_count, read_organization, registration_choices,
)
from wishboard.places.models import Community, Organization, OrganizationKind, OrganizationStatus
from wishboard.points import services as points
from wishboard.projects.models import LogStatus, ServiceLog
from wishboard.wishes.models import Wish, WishKind
from wishboard.wishes.states import WishState

# One person may have this many organisations waiting for the secretary at once.
MAX_PENDING_REPORTS = 3
# The organisation page shows at most this many of each list.
PAGE_LIMIT = 100


# Entering and reporting ---------------------------------------------------------------------

def _organization_exists() -> ConflictError:
    return ConflictError("本社区已有同名的报到党组织", message_en="Organisation exists",
                         code="organization_exists", fields={"name": ["已存在"]})


def _reporting_community(community_id: int) -> Community:
    community = db.session.get(Community, community_id)
    if community is None or not community.is_community:
        raise ValidationFailedError(fields={"community_id": ["没有这个社区"]})
    return community


def _check_name_free(community: Community, name: str) -> None:
    if db.session.scalar(sa.select(Organization.id).where(
            Organization.community_id == community.id, Organization.name == name)) is not None:
        raise _organization_exists()


def create_organization(actor: User | None, *, name: str, community_id: int,
                        contact_user_id: int | None = None, kind: str = "other",
                        unit: str = "", description: str = "") -> Organization:
    """The staff of a community (or an admin; ``actor`` None: the CLI) enter an
    organisation: approved at once, since they enter what they know."""
    community = _reporting_community(community_id)
    if actor is not None:
        ensure_can_manage_community(actor, community.id)
    if contact_user_id is not None:
        contact = db.session.get(User, contact_user_id)
        if contact is None or contact.community_id != community.id:
            raise ValidationFailedError(fields={"contact_user_id": ["联系人应是本社区的用户"]})
    _check_name_free(community, name)
    organization = Organization(name=name, community_id=community.id,
                                contact_user_id=contact_user_id, kind=OrganizationKind(kind),
                                unit=unit, description=description,
                                report_status=OrganizationStatus.APPROVED)
    db.session.add(organization)
    flush_or_conflict(_organization_exists())
    audit.record("organization_created", actor=actor, object_type="organization",
                 object_id=organization.id, community_id=community.id,
                 after={"name": name, "contact_user_id": contact_user_id, "kind": kind,
                        "unit": unit})
    flush_or_conflict(_organization_exists(), commit=True)
    return organization


def report_organization(reporter: User, *, name: str, unit: str, kind: str,
                        community_id: int, description: str = "",
                        now: datetime | None = None) -> Organization:
    """组织报到: a resident or volunteer reports an organisation to a community and becomes
    its contact. It always waits for the community's secretary, who is told: a community
    that approves people's 报到 automatically (``auto_approve_reports``) still has a person
    decide on an organisation, which claims wishes for its members wherever they live
    (双报到: they then see the private details of the people served), takes members on its
    contact's word, organises activities and stands on the boards."""
    now = now or utcnow()
    if (refusal := report_organization_refusal(reporter, community_id)) is not None:
        raise refusal
    community = _reporting_community(community_id)
    _check_name_free(community, name)
    waiting = db.session.scalar(sa.select(sa.func.count()).select_from(Organization).where(
        Organization.contact_user_id == reporter.id,
        Organization.report_status == OrganizationStatus.PENDING))
    if waiting >= MAX_PENDING_REPORTS:
        raise ConflictError(f"您已有{waiting}个组织在等待社区审核，审核后再报到新的",
                            message_en="Too many organisations waiting for review",
                            code="too_many_pending_reports")
    organization = Organization(
        name=name, community_id=community.id, contact_user_id=reporter.id,
        kind=OrganizationKind(kind), unit=unit, description=description, created_at=now,
        report_status=OrganizationStatus.PENDING)
    db.session.add(organization)
    flush_or_conflict(_organization_exists())
    audit.record("organization_reported", actor=reporter, object_type="organization",
                 object_id=organization.id, community_id=community.id,
                 after={"name": name, "unit": unit, "kind": kind,
                        "report_status": organization.report_status.value}, now=now)
    notify(secretary_ids(community.id), "organization_reported",
           f"{reporter.name}为「{name}」（{unit}）向社区报到，请在“报到党组织”里审核。", now=now)
    flush_or_conflict(_organization_exists(), commit=True)
    return organization


# The secretary decides ----------------------------------------------------------------------

def _staff_decision(actor: User, organization_id: int) -> Organization:
    organization = get_organization(organization_id)
    ensure_can_manage_community(actor, organization.community_id)
    if same_person(actor.id, organization.contact_user_id):
        raise ForbiddenError("不能审核自己报到的组织，请由管理员审核",
                             message_en="Nobody decides their own organisation's 报到",
                             code="cannot_decide_own_request")
    return organization


def approve_organization(actor: User, organization_id: int, *,
                         now: datetime | None = None) -> Organization:
    """The secretary of the community accepts an organisation's 报到 (also one turned back
    earlier, on second thought). Its contact is told; a contact who is a volunteer in no
    organisation becomes its member."""
    now = now or utcnow()
    organization = _staff_decision(actor, organization_id)
    if organization.is_approved:
        raise ConflictError("这个组织已经通过报到", message_en="Already approved",
                            code="organization_already_approved")
    before = organization.report_status.value
    moved = db.session.execute(
        sa.update(Organization).where(Organization.id == organization.id,
                                      Organization.report_status != OrganizationStatus.APPROVED)
        .values(report_status=OrganizationStatus.APPROVED, report_reviewed_at=now,
                report_reject_reason=None)
        .execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        db.session.rollback()
        raise ConflictError("这个组织已经通过报到", message_en="Already approved",
                            code="organization_already_approved")
    joined = organization.contact_user_id is not None and join_member(
        organization.contact_user_id, organization, now)
    audit.record("organization_approved", actor=actor, object_type="organization",
                 object_id=organization.id, community_id=organization.community_id,
                 before={"report_status": before},
                 after={"report_status": "approved", "contact_joined": joined}, now=now)
    notify([organization.contact_user_id], "organization_decided",
           f"「{organization.name}」向{organization.community.name}的报到已通过审核"
           f"{'，您已是它的成员' if joined else ''}。现在可以接收成员、代表组织认领心愿了。",
           now=now)
    db.session.commit()
    db.session.refresh(organization)
    return organization


def reject_organization(actor: User, organization_id: int, reason: str, *,
                        now: datetime | None = None) -> Organization:
    """The secretary turns an organisation's 报到 back, with a reason its contact reads."""
    now = now or utcnow()
    organization = _staff_decision(actor, organization_id)
    moved = db.session.execute(
        sa.update(Organization).where(Organization.id == organization.id,
                                      Organization.report_status == OrganizationStatus.PENDING)
        .values(report_status=OrganizationStatus.REJECTED, report_reviewed_at=now,
                report_reject_reason=reason)
        .execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        db.session.rollback()
        raise ConflictError("只能退回待审核的组织报到", message_en="Only pending reports",
                            code="organization_not_pending")
    audit.record("organization_rejected", actor=actor, object_type="organization",
                 object_id=organization.id, community_id=organization.community_id,
                 before={"report_status": "pending"},
                 after={"report_status": "rejected", "reason": reason}, now=now)
    notify([organization.contact_user_id], "organization_decided",
           f"「{organization.name}」向{organization.community.name}的报到没有通过：{reason}。"
           f"可以修改组织信息后再次提交，或联系社区工作人员。", now=now)
    db.session.commit()
    db.session.refresh(organization)
    return organization


UPDATABLE = ("unit", "kind", "description", "contact_user_id")


def update_organization(actor: User, organization_id: int, *, now: datetime | None = None,
                        **changes) -> Organization:
    """The contact or the staff change what the organisation is (所在单位, kind, 服务承诺);
    the staff may name another contact among its members. A contact who edits an
    organisation the secretary turned back sends it for review again."""
    now = now or utcnow()
    organization = get_organization(organization_id)
    if (refusal := organization_manage_refusal(actor, organization)) is not None:
        raise refusal
    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise ValidationFailedError(fields={name: ["不认识这个字段"] for name in unknown})
    staff = organization_rights(actor, organization).change_contact
    if "contact_user_id" in changes:
        contact_id = changes["contact_user_id"]
        if contact_id == organization.contact_user_id:
            changes.pop("contact_user_id")
        elif not staff:
            raise ForbiddenError("只有社区书记可以更换联络员",
                                 message_en="Only the secretary names another contact",
                                 code="secretary_changes_contact")
        else:
            contact = db.session.get(User, contact_id) if contact_id is not None else None
            if contact is None or contact.organization_id != organization.id \
                    or not contact.is_active:
                raise ValidationFailedError(fields={"contact_user_id": ["联络员须是本组织的成员"]})
    if "kind" in changes:
        changes["kind"] = OrganizationKind(changes["kind"])
    before, after = audit.changes(organization, UPDATABLE, **changes)
    resubmitted = (organization.report_status is OrganizationStatus.REJECTED and not staff
                   and bool(after))
    if resubmitted:
        before["report_status"], after["report_status"] = "rejected", "pending"
    if after:
        audit.record("organization_updated", actor=actor, object_type="organization",
                     object_id=organization.id, community_id=organization.community_id,
                     before=before, after=after, now=now)
    for name, value in changes.items():
        setattr(organization, name, value)
    if resubmitted:
        organization.report_status = OrganizationStatus.PENDING
        organization.report_reject_reason = None
        notify(secretary_ids(organization.community_id), "organization_reported",
               f"{actor.name}修改了「{organization.name}」的信息，重新提交报到，请审核。",
               now=now)
    db.session.commit()
    return organization


@dataclass
class OrganizationPage:
    """Everything the organisation's page shows ``viewer``: for everyone, what it is and
    where it stands; for its contact and the staff, its members, the requests waiting,
    its live claims and the service logs waiting for confirmation."""

    organization: Organization
    rights: OrganizationRights
    member_count: int
    standing: points.Standing
    my_request: MembershipRequest | None = None
    members: list[dict] = field(default_factory=list)
    requests: list[MembershipRequest] = field(default_factory=list)
    claims: list[Wish] = field(default_factory=list)
    pending_logs: list[ServiceLog] = field(default_factory=list)


def organization_page(viewer: User | None, organization_id: int) -> OrganizationPage:
    organization = read_organization(viewer, organization_id)
    rights = organization_rights(viewer, organization)
    page = OrganizationPage(organization, rights, member_count(organization),
                            points.organization_standing(organization))
    if viewer is not None and viewer.is_authenticated:
        page.my_request = db.session.scalar(
            sa.select(MembershipRequest).where(
                MembershipRequest.user_id == viewer.id,
                MembershipRequest.organization_id == organization.id,
                MembershipRequest.status == MembershipStatus.PENDING))
    if not rights.manage:
        return page
    page.members, _ = list_members(viewer, organization.id, per_page=PAGE_LIMIT)
    page.requests, _ = list_requests(viewer, organization.id, per_page=PAGE_LIMIT)
    # What is claimed for it now: the claims of its members (claimant_id is indexed; a
    # member who leaves gives back what they held for it: ``_end_membership``; a wish
    # completed for it by someone who has left since shows on the wish, not here).
    members = sa.select(User.id).where(User.organization_id == organization.id)
    page.claims = list(db.session.scalars(
        sa.select(Wish).where(Wish.claimant_id.in_(members),
                              Wish.claim_organization_id == organization.id,
                              Wish.state.in_([WishState.CLAIMED, WishState.COMPLETED]))
        .order_by(Wish.due_at, Wish.id).limit(PAGE_LIMIT)))
    projects = [w.id for w in page.claims if w.kind is WishKind.PROJECT]
    if projects:
        page.pending_logs = list(db.session.scalars(
            sa.select(ServiceLog).where(ServiceLog.wish_id.in_(projects),
                                        ServiceLog.status == LogStatus.PENDING)
            .options(joinedload(ServiceLog.user))
            .order_by(ServiceLog.served_on, ServiceLog.id).limit(PAGE_LIMIT)))
    return page
