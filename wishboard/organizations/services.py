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
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from wishboard.access import (
    OrganizationRights, can_see_organization, ensure_can_manage_community,
    in_another_organization, leave_refusal, member_phone_reason, membership_decision_refusal,
    membership_request_refusal, organization_manage_refusal, organization_not_approved,
    organization_rights, report_organization_refusal, same_person,
)
from wishboard.accounts.models import Role, User
from wishboard.audit import services as audit
from wishboard.core.clock import utcnow
from wishboard.core.db import commit_keeping_what_was_read, contains, flush_or_conflict, page_of
from wishboard.errors import ConflictError, ForbiddenError, NotFoundError, ValidationFailedError
from wishboard.extensions import db
from wishboard.notifications.services import notify, secretary_ids
from wishboard.organizations.models import MembershipRequest, MembershipStatus
from wishboard.places.models import Community, Organization, OrganizationKind, OrganizationStatus
from wishboard.points import services as points
from wishboard.privacy import shown_member
from wishboard.projects.models import LogStatus, ServiceLog
from wishboard.wishes.models import Wish, WishKind
from wishboard.wishes.services import release_many
from wishboard.wishes.states import WishState

# One person may have this many organisations waiting for the secretary at once.
MAX_PENDING_REPORTS = 3
# The registration form lists at most this many organisations of the neighbouring
# communities, and this many search results.
NEARBY_LIMIT = 200
SEARCH_LIMIT = 30
# The organisation page shows at most this many of each list.
PAGE_LIMIT = 100


# Reading ------------------------------------------------------------------------------------

def get_organization(organization_id: int) -> Organization:
    organization = db.session.get(Organization, organization_id)
    if organization is None:
        raise _no_such_organization()
    return organization


def _no_such_organization() -> NotFoundError:
    return NotFoundError("没有这个报到党组织", message_en="No such organisation")


def read_organization(viewer: User | None, organization_id: int) -> Organization:
    """One organisation, for ``viewer``: 404 unless it is approved, or the viewer is its
    contact or the staff of its community (``access.can_see_organization``)."""
    organization = get_organization(organization_id)
    if not can_see_organization(viewer, organization):
        raise _no_such_organization()
    return organization


def list_organizations(viewer: User | None = None, *, community_id: int | None = None,
                       status: str = OrganizationStatus.APPROVED.value, q: str | None = None,
                       page: int = 1, per_page: int = 20, shown: bool = False
                       ) -> tuple[list[Organization], int]:
    """Organisations by name: the approved ones for anyone (of one community, or of every
    community, found by name or unit with ``q``); those waiting for review or turned back
    for the staff of their community only (a secretary's own community by default).
    ``shown``: the list goes to the staff's screen with each contact's full phone (the
    management page), for the staff of the community only, and the sight is recorded in
    the audit log (``organization_contacts_viewed``, whose numbers)."""
    status_ = OrganizationStatus(status)
    if shown:
        ensure_can_manage_community(viewer, community_id)
    if status_ is not OrganizationStatus.APPROVED:
        if community_id is None and viewer is not None and viewer.role is Role.SECRETARY:
            community_id = viewer.community_id
        if community_id is None:
            raise ValidationFailedError(fields={"community_id": ["请指定社区"]})
        ensure_can_manage_community(viewer, community_id)
    query = sa.select(Organization).where(Organization.report_status == status_)
    if community_id is not None:
        query = query.where(Organization.community_id == community_id)
    if q:
        query = query.where(sa.or_(contains(Organization.name, q),
                                   contains(Organization.unit, q)))
    found, total = page_of(query, page, per_page, Organization.name, Organization.id,
                           options=(joinedload(Organization.community),
                                    joinedload(Organization.contact)))
    seen = [o for o in found if o.contact is not None and o.contact.phone]
    if shown and seen:
        audit.record("organization_contacts_viewed", actor=viewer, object_type="user",
                     object_id=None, community_id=community_id,
                     after={"user_ids": sorted({o.contact_user_id for o in seen}),
                            "organization_ids": [o.id for o in seen]})
        commit_keeping_what_was_read()
    return found, total


def community_organizations(community_id: int, *,
                            status: OrganizationStatus = OrganizationStatus.APPROVED
                            ) -> list[Organization]:
    """A community's organisations in one status (approved: the ones that may act), by
    name, with their contacts: for pickers and the board."""
    return list(db.session.scalars(
        sa.select(Organization).where(Organization.community_id == community_id,
                                      Organization.report_status == status)
        .options(joinedload(Organization.contact))
        .order_by(Organization.name, Organization.id)))


def registration_choices(community: Community, q: str | None = None
                         ) -> list[tuple[str, list[tuple[int, str]]]]:
    """What the sign-up form offers to join, grouped by community: what ``q`` finds first
    (approved organisations of any community, by name or unit), then those of the
    person's own community, then those of the communities beside it (the same street or
    town), since members often live near the unit they belong to (双报到)."""
    groups: list[tuple[str, list[tuple[int, str]]]] = []
    shown: set[int] = set()

    def add(label: str, organizations: list[Organization]) -> None:
        choices = [(o.id, o.name) for o in organizations if o.id not in shown]
        shown.update(o.id for o in organizations)
        if choices:
            groups.append((label, choices))

    approved = Organization.report_status == OrganizationStatus.APPROVED
    if q:
        found = list(db.session.scalars(
            sa.select(Organization).where(approved, sa.or_(contains(Organization.name, q),
                                                           contains(Organization.unit, q)))
            .options(joinedload(Organization.community))
            .order_by(Organization.name, Organization.id).limit(SEARCH_LIMIT)))
        add(f"搜索“{q}”的结果", found)
        if not found:
            groups.append((f"没有找到“{q}”", []))
    add(f"{community.name}（本社区）", community_organizations(community.id))
    if community.parent_id is not None:
        nearby = db.session.scalars(
            sa.select(Organization).join(Community, Community.id == Organization.community_id)
            .where(approved, Community.parent_id == community.parent_id,
                   Community.id != community.id)
            .options(joinedload(Organization.community))
            .order_by(Community.name, Community.id, Organization.name, Organization.id)
            .limit(NEARBY_LIMIT))
        by_community: dict[str, list[Organization]] = {}
        for organization in nearby:
            by_community.setdefault(organization.community.name, []).append(organization)
        for name, organizations in by_community.items():
            add(name, organizations)
    return groups


def member_count(organization: Organization) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User).where(
        User.organization_id == organization.id))


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


def _join(user_id: int, organization: Organization, now: datetime) -> bool:
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
    joined = organization.contact_user_id is not None and _join(
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


# Joining and leaving ------------------------------------------------------------------------

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
    # them in this order (``_join``), so two of them racing wait, never deadlock.
    if not _join(request.user_id, organization, now):
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
