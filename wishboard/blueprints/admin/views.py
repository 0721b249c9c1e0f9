from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from wishboard.auth import roles_required
from wishboard.blueprints.admin import bp
from wishboard.blueprints.forms import submit_form
from wishboard.models import PlaceLevel, ReportStatus, Role
from wishboard.schemas import load_or_raise
from wishboard.schemas.places import (
    CategoryCreateSchema, CommunityCreateSchema, OrganizationCreateSchema,
)
from wishboard.schemas.users import RejectReportSchema, StaffUserCreateSchema, VolunteerQuerySchema
from wishboard.services import accounts, places

STAFF = (Role.SECRETARY, Role.ADMIN)


def _managed_community_id() -> int | None:
    """A secretary manages their own community; an admin picks one with ?community_id=."""
    if current_user.role is Role.SECRETARY:
        return current_user.community_id
    return request.values.get("community_id", type=int)


@bp.get("/")
@roles_required(*STAFF)
def dashboard():
    pending = 0
    if current_user.community_id:
        _, pending = accounts.list_volunteers(current_user, per_page=1)
    return render_template("admin/dashboard.html", pending=pending)


@bp.get("/reports")
@roles_required(*STAFF)
def reports():
    query = load_or_raise(VolunteerQuerySchema(), request.args.to_dict())
    query["community_id"] = _managed_community_id()
    volunteers, total = ([], 0)
    if query["community_id"]:
        volunteers, total = accounts.list_volunteers(current_user, **query)
    return render_template("admin/reports.html", volunteers=volunteers, total=total,
                           status=query["status"], statuses=list(ReportStatus),
                           community_id=query["community_id"], page=query["page"],
                           per_page=query["per_page"],
                           communities=places.list_communities(level="community",
                                                               per_page=100)[0])


@bp.post("/reports/<int:user_id>/approve")
@roles_required(*STAFF)
def approve_report(user_id):
    user = accounts.approve_report(current_user, user_id)
    flash(f"已通过 {user.name} 的报到", "success")
    return redirect(url_for("admin.reports", community_id=user.community_id))


@bp.post("/reports/<int:user_id>/reject")
@roles_required(*STAFF)
def reject_report(user_id):
    form = submit_form(RejectReportSchema,
                       lambda d: accounts.reject_report(current_user, user_id, d["reason"]))
    if form.ok:
        flash(f"已退回 {form.result.name} 的报到", "success")
    else:
        flash("退回时请写明原因(最多200字)", "error")
    return redirect(url_for("admin.reports", community_id=_managed_community_id()))


@bp.route("/places", methods=["GET", "POST"])
@roles_required(*STAFF)
def manage_places():
    form = None
    if request.method == "POST":
        form = submit_form(CommunityCreateSchema,
                           lambda d: places.create_community(current_user, **d))
        if form.ok:
            flash(f"已添加{form.result.level.label}:{form.result.name}", "success")
            return redirect(url_for("admin.manage_places"))
    if current_user.role is Role.SECRETARY:
        mine = current_user.community
        roots = [mine]
        tree = {mine.id: places.community_grid(mine)}
    else:
        roots, _ = places.list_communities(per_page=100)
        tree = {c.id: places.community_grid(c) for c in roots if c.is_community}
    return render_template("admin/places.html", form=form, roots=roots, tree=tree,
                           levels=list(PlaceLevel))


@bp.route("/organizations", methods=["GET", "POST"])
@roles_required(*STAFF)
def organizations():
    form = None
    if request.method == "POST":
        form = submit_form(OrganizationCreateSchema,
                           lambda d: places.create_organization(current_user, **d))
        if form.ok:
            flash(f"已添加报到党组织:{form.result.name}", "success")
            return redirect(url_for("admin.organizations",
                                    community_id=form.result.community_id))
    community_id = _managed_community_id()
    communities = (places.list_communities(level="community", per_page=100)[0]
                   if current_user.is_admin else [current_user.community])
    return render_template(
        "admin/organizations.html", form=form, community_id=community_id,
        communities=communities,
        organizations=places.list_organizations(community_id) if community_id else [],
    )


@bp.route("/secretaries", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def secretaries():
    form = None
    if request.method == "POST":
        form = submit_form(StaffUserCreateSchema,
                           lambda d: accounts.create_staff_user(current_user, **d))
        if form.ok:
            flash(f"已创建社区书记账号:{form.result.username}", "success")
            return redirect(url_for("admin.secretaries"))
    return render_template("admin/secretaries.html", form=form,
                           communities=places.list_communities(level="community",
                                                               per_page=100)[0],
                           secretaries=accounts.list_staff(Role.SECRETARY))


@bp.route("/categories", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def categories():
    form = None
    if request.method == "POST":
        form = submit_form(CategoryCreateSchema,
                           lambda d: places.create_category(current_user, **d))
        if form.ok:
            flash(f"已添加类别:{form.result.name}", "success")
            return redirect(url_for("admin.categories"))
    return render_template("admin/categories.html", form=form,
                           categories=places.list_categories(include_inactive=True))
