"""报到党组织 on the pages: 组织报到 (a resident or volunteer reports their organisation),
an organisation's page (what it is and where it stands for everyone; for its contact and
the community's staff, its details to edit, its members, the requests waiting, its live
claims and the service logs to confirm), 我的组织, and the forms that join and leave."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from wishboard.access import joins_organizations, report_organization_refusal
from wishboard.blueprints.forms import FIXABLE, done, handle_form, submit_form
from wishboard.blueprints.login import login_required
from wishboard.blueprints.web import bp, viewer
from wishboard.core.schemas import ReasonSchema, form_data
from wishboard.organizations import services as organizations
from wishboard.organizations.schemas import (
    MembershipRequestCreateSchema, OrganizationReportSchema, OrganizationUpdateSchema,
)
from wishboard.places import services as places
from wishboard.places.models import OrganizationKind

KIND_OPTIONS = [(k.value, k.label) for k in OrganizationKind]


@bp.route("/organizations/report", methods=["GET", "POST"])
@login_required
def report_organization():
    """组织报到: a few big fields; the organisation waits for the community's secretary."""
    form, sent = handle_form(
        OrganizationReportSchema,
        lambda d: organizations.report_organization(current_user, **d),
        done=lambda o: f"「{o.name}」已向社区报到，社区书记审核后会通知您。",
        then=lambda o: url_for("web.organization_detail", organization_id=o.id))
    if sent:
        return sent
    communities, _ = places.list_communities(level="community", per_page=100)
    villages, _ = places.list_communities(level="village", per_page=100)
    return render_template(
        "web/organization_report.html", form=form, kind_options=KIND_OPTIONS,
        community_options=[(c.id, c.name) for c in communities + villages],
        community_id=current_user.community_id)


def _render_organization(organization_id: int, form=None, status: int = 200):
    page = organizations.organization_page(viewer(), organization_id)
    return render_template("web/organization.html", page=page, org=page.organization,
                           rights=page.rights, form=form, kind_options=KIND_OPTIONS,
                           contact_options=[(m["id"], m["name"]) for m in page.members]
                           ), status


@bp.get("/organizations/<int:organization_id>")
def organization_detail(organization_id):
    return _render_organization(organization_id)


@bp.post("/organizations/<int:organization_id>/edit")
@login_required
def edit_organization(organization_id):
    values = form_data(request.form)
    if "description" in request.form:  # a blank 服务承诺 clears it
        values["description"] = request.form["description"].strip()
    form = submit_form(OrganizationUpdateSchema, lambda d: organizations.update_organization(
        current_user, organization_id, **d), values=values)
    if not form.ok:
        return _render_organization(organization_id, form, 400)
    # (A contact's edit of an organisation turned back sends it for review again: the page
    # says so in its status.)
    return done("组织信息已保存。", "web.organization_detail", organization_id=organization_id)


@bp.post("/organizations/<int:organization_id>/join")
@login_required
def join_organization(organization_id):
    form = submit_form(MembershipRequestCreateSchema, lambda d: organizations.request_membership(
        current_user, organization_id, **d))
    if not form.ok:
        return _render_organization(organization_id, form, 400)
    return done("申请已提交，组织的联络员或社区书记审核后会通知您。", "web.organization_detail",
                organization_id=organization_id)


def _or_say_why(action, back: str, **values):
    """Run a one-button action; when the state refuses it (decided a moment ago, in
    another organisation), say why on the page it came from instead of an error page."""
    try:
        return action()
    except FIXABLE as error:
        flash(error.message, "error")
        return redirect(url_for(back, **values))


@bp.post("/membership-requests/<int:request_id>/approve")
@login_required
def approve_membership(request_id):
    organization_id = organizations.get_request(request_id).organization_id

    def approve():
        request_ = organizations.approve_request(current_user, request_id)
        return done(f"{request_.user.name}已加入组织。", "web.organization_detail",
                    organization_id=organization_id, _anchor="requests")

    return _or_say_why(approve, "web.organization_detail", organization_id=organization_id,
                       _anchor="requests")


@bp.post("/membership-requests/<int:request_id>/reject")
@login_required
def reject_membership(request_id):
    request_ = organizations.get_request(request_id)
    form = submit_form(ReasonSchema, lambda d: organizations.reject_request(
        current_user, request_id, d["reason"]))
    if not form.ok:
        return _render_organization(request_.organization_id, form, 400)
    return done(f"已退回{form.result.user.name}的申请。", "web.organization_detail",
                organization_id=request_.organization_id, _anchor="requests")


@bp.post("/membership-requests/<int:request_id>/withdraw")
@login_required
def withdraw_membership(request_id):
    organization_id = organizations.get_request(request_id).organization_id

    def withdraw():
        organizations.withdraw_request(current_user, request_id)
        return done("申请已撤回。", "web.organization_detail", organization_id=organization_id)

    return _or_say_why(withdraw, "web.organization_detail", organization_id=organization_id)


@bp.post("/organizations/<int:organization_id>/members/<int:user_id>/remove")
@login_required
def remove_member(organization_id, user_id):
    form = submit_form(ReasonSchema, lambda d: organizations.remove_member(
        current_user, organization_id, user_id, d["reason"]))
    if not form.ok:
        return _render_organization(organization_id, form, 400)
    return done("已将这位成员移出组织。", "web.organization_detail",
                organization_id=organization_id, _anchor="members")


@bp.get("/me/organization")
@login_required
def my_organization():
    """我的组织: the organisation I belong to and those I am the contact of; with none, how
    to find one to join (by name or unit, any community) or report my own."""
    mine = organizations.my_organizations(current_user)
    if len(mine.all) == 1 and request.args.get("q") is None:
        return _render_organization(mine.all[0].id)
    q = (request.args.get("q") or "").strip()[:50]
    found = organizations.list_organizations(q=q, per_page=30)[0] if q else []
    return render_template("web/my_organization.html", mine=mine, q=q, found=found,
                           may_join=joins_organizations(current_user),
                           may_report=report_organization_refusal(current_user) is None)


@bp.post("/me/organization/leave")
@login_required
def leave_organization():
    def leave():
        organizations.leave_organization(current_user)
        return done("您已退出组织。", "web.my_organization")

    return _or_say_why(leave, "web.my_organization")
