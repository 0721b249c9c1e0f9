"""Reporting organisations (报到党组织): listing and entering them, 组织报到 and the
secretary's decision, the contact's management, and people joining and leaving."""

from flask import Response
from flask_login import current_user

from wishboard.accounts.models import STAFF
from wishboard.blueprints.api import bp
from wishboard.blueprints.api.helpers import also_answers, responds, use_schema
from wishboard.blueprints.login import login_required, roles_required
from wishboard.core.schemas import PageQuerySchema, ReasonSchema
from wishboard.organizations import services as organizations
from wishboard.organizations.schemas import (
    MembershipRequestCreateSchema, MembershipRequestQuerySchema, MembershipRequestSchema,
    MyOrganizationSchema, OrganizationCreateSchema, OrganizationDetailSchema,
    OrganizationMemberSchema, OrganizationQuerySchema, OrganizationReportSchema,
    OrganizationSchema, OrganizationUpdateSchema,
)


def _viewer():
    return current_user if current_user.is_authenticated else None


@bp.get("/organizations")
@also_answers({403: "status other than approved, asked by someone who is not the "
                    "community's staff"})
@responds(OrganizationSchema, paginated=True)
@use_schema(OrganizationQuerySchema, location="query")
def list_organizations(query):
    """Approved reporting organisations (报到党组织) by name: of one community, or of every
    community found by name or unit (q). status=pending|rejected: the community's staff."""
    return organizations.list_organizations(_viewer(), **query)


@bp.post("/organizations")
@roles_required(*STAFF)
@responds(OrganizationSchema, 201)
@use_schema(OrganizationCreateSchema)
def create_organization(data):
    """Enter a reporting organisation of a community, approved at once (admin, or that
    community's secretary)."""
    return organizations.create_organization(current_user, **data)


@bp.post("/organizations/reports")
@login_required
@also_answers({409: "the community has an organisation of this name (organization_exists), "
                    "or the reporter has three waiting already (too_many_pending_reports)"})
@responds(OrganizationSchema, 201)
@use_schema(OrganizationReportSchema)
def report_organization(data):
    """组织报到: a resident or volunteer reports an organisation to a community and becomes
    its contact (联络员); it waits for the community's secretary, who is told (always: a
    community's automatic approval is for people's 报到, not an organisation's)."""
    return organizations.report_organization(current_user, **data)


@bp.get("/organizations/<int:organization_id>")
@responds(OrganizationDetailSchema)
def get_organization(organization_id):
    """One organisation with its members' number and standing, and what the viewer may do.
    One not (yet) approved: its contact and the community's staff only (404 for others)."""
    return organizations.read_organization(_viewer(), organization_id)


@bp.put("/organizations/<int:organization_id>")
@login_required
@responds(OrganizationDetailSchema)
@use_schema(OrganizationUpdateSchema)
def update_organization(data, organization_id):
    """Change its unit, kind and offer (its contact, or the community's staff); the staff
    may name another contact among its members. A contact's edit of an organisation turned
    back sends it for review again."""
    return organizations.update_organization(current_user, organization_id, **data)


@bp.post("/organizations/<int:organization_id>/approve")
@roles_required(*STAFF)
@also_answers({409: "already approved (organization_already_approved)"})
@responds(OrganizationDetailSchema)
def approve_organization(organization_id):
    """Approve an organisation's 报到 (the community's secretary, or an admin); its contact
    is told, and a contact who is a volunteer in no organisation becomes its member."""
    return organizations.approve_organization(current_user, organization_id)


@bp.post("/organizations/<int:organization_id>/reject")
@roles_required(*STAFF)
@also_answers({409: "not waiting for review (organization_not_pending)"})
@responds(OrganizationDetailSchema)
@use_schema(ReasonSchema)
def reject_organization(data, organization_id):
    """Turn an organisation's 报到 back with a reason its contact reads."""
    return organizations.reject_organization(current_user, organization_id, data["reason"])


@bp.get("/organizations/<int:organization_id>/members")
@login_required
@responds(OrganizationMemberSchema, paginated=True)
@use_schema(PageQuerySchema, location="query")
def list_organization_members(query, organization_id):
    """Its members by name, wherever they live (its contact, the community's staff). Phones
    are masked except for the staff, whose every sight is written to the audit log."""
    return organizations.list_members(current_user, organization_id, **query)


@bp.post("/organizations/<int:organization_id>/members/<int:user_id>/remove")
@login_required
@also_answers({409: "the contact cannot be removed (contact_cannot_leave)"})
@use_schema(ReasonSchema)
def remove_organization_member(data, organization_id, user_id):
    """Take a member off the organisation with a reason, kept in the audit log and told to
    them (its contact, or the community's staff). Not its contact."""
    organizations.remove_member(current_user, organization_id, user_id, data["reason"])
    return Response(status=204)


remove_organization_member.response_schema = (None, 204, False, False)


@bp.get("/organizations/<int:organization_id>/membership-requests")
@login_required
@responds(MembershipRequestSchema, paginated=True)
@use_schema(MembershipRequestQuerySchema, location="query")
def list_membership_requests(query, organization_id):
    """Requests to join it, by status (default pending), oldest first (its contact, the
    community's staff)."""
    return organizations.list_requests(current_user, organization_id, **query)


@bp.post("/organizations/<int:organization_id>/membership-requests")
@login_required
@also_answers({409: "the organisation is not approved (organization_not_approved), the "
                    "person is a member already (already_member) or of another "
                    "organisation (in_another_organization), or has a request waiting "
                    "(membership_request_pending)"})
@responds(MembershipRequestSchema, 201)
@use_schema(MembershipRequestCreateSchema)
def request_membership(data, organization_id):
    """Ask to join an approved organisation (a volunteer of any community: 双报到). Its
    contact, or the community's staff, decide."""
    return organizations.request_membership(current_user, organization_id, **data)


@bp.post("/membership-requests/<int:request_id>/approve")
@login_required
@also_answers({409: "already decided (membership_request_not_pending), or the person is "
                    "in another organisation (in_another_organization)"})
@responds(MembershipRequestSchema)
def approve_membership_request(request_id):
    """Accept a request to join (the organisation's contact, or the community's staff;
    never one's own): the person is a member from now on."""
    return organizations.approve_request(current_user, request_id)


@bp.post("/membership-requests/<int:request_id>/reject")
@login_required
@also_answers({409: "already decided (membership_request_not_pending)"})
@responds(MembershipRequestSchema)
@use_schema(ReasonSchema)
def reject_membership_request(data, request_id):
    """Turn a request to join back, with a reason the person reads."""
    return organizations.reject_request(current_user, request_id, data["reason"])


@bp.post("/membership-requests/<int:request_id>/withdraw")
@login_required
@also_answers({409: "already decided (membership_request_not_pending)"})
@responds(MembershipRequestSchema)
def withdraw_membership_request(request_id):
    """Take my own waiting request back."""
    return organizations.withdraw_request(current_user, request_id)


@bp.get("/me/organization")
@login_required
@responds(MyOrganizationSchema)
def my_organization():
    """我的组织: the organisation I belong to, those I am the contact of, and my latest
    request to join one."""
    return organizations.my_organizations(current_user)


@bp.delete("/me/organization")
@login_required
@also_answers({409: "not a member (not_a_member), or its contact (contact_cannot_leave)"})
def leave_organization():
    """Leave my organisation (not as its contact: the staff name another first)."""
    organizations.leave_organization(current_user)
    return Response(status=204)


leave_organization.response_schema = (None, 204, False, False)
