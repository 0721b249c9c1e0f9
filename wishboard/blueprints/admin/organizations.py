"""报到党组织: a community's organisations by 报到 status, the secretary's decision on those
that reported themselves (组织报到审核, the sibling of the volunteers' 报到审核), and the form
that enters one."""

from flask import flash, redirect, request, url_for
from flask_login import current_user

from wishboard.accounts.models import STAFF
from wishboard.blueprints.admin import bp, community_page, managed_community_id
from wishboard.blueprints.forms import done, handle_form, submit_form
from wishboard.blueprints.login import roles_required
from wishboard.core.schemas import ReasonSchema, load_or_raise
from wishboard.organizations import services as organizations
from wishboard.organizations.schemas import OrganizationCreateSchema, OrganizationQuerySchema
from wishboard.places import services as places
from wishboard.places.models import OrganizationKind, OrganizationStatus


@bp.route("/organizations", methods=["GET", "POST"], endpoint="organizations")
@roles_required(*STAFF)
def organizations_page():
    form, sent = handle_form(
        OrganizationCreateSchema, lambda d: organizations.create_organization(current_user, **d),
        done=lambda o: f"已添加报到党组织：{o.name}",
        then=lambda o: url_for("admin.organizations", community_id=o.community_id,
                               status="approved"))
    if sent:
        return sent
    # (The community is the managed one, read by ``managed_community_id``.)
    query = load_or_raise(OrganizationQuerySchema(), {
        "status": OrganizationStatus.PENDING.value,
        **{k: v for k, v in request.args.items() if k in ("status", "page", "per_page")}})
    community_id = managed_community_id()
    found, total = ([], 0)
    if community_id:
        found, total = organizations.list_organizations(
            current_user, community_id=community_id, status=query["status"],
            page=query["page"], per_page=query["per_page"], shown=True)
    communities = (places.list_communities(level="community", per_page=100)[0]
                   if current_user.is_admin else [current_user.community])
    return community_page(
        "admin/organizations.html", community_id, form=form, organizations=found,
        total=total, status=query["status"], statuses=list(OrganizationStatus),
        page=query["page"], per_page=query["per_page"], community_options=[
            (c.id, c.name) for c in communities if c is not None],
        kind_options=[(k.value, k.label) for k in OrganizationKind])


@bp.post("/organizations/<int:organization_id>/approve")
@roles_required(*STAFF)
def approve_organization(organization_id):
    organization = organizations.approve_organization(current_user, organization_id)
    return done(f"已通过「{organization.name}」的报到", "admin.organizations",
                community_id=organization.community_id)


@bp.post("/organizations/<int:organization_id>/reject")
@roles_required(*STAFF)
def reject_organization(organization_id):
    form = submit_form(ReasonSchema, lambda d: organizations.reject_organization(
        current_user, organization_id, d["reason"]))
    if form.ok:
        flash(f"已退回「{form.result.name}」的报到", "success")
    else:
        flash("退回时请写明原因（最多200字）", "error")
    return redirect(url_for("admin.organizations", community_id=managed_community_id()))
