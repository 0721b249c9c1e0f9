"""People: the 报到 queue of volunteers, 居民核实 (verifying residents), and the admin's
secretaries."""

from types import SimpleNamespace

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from wishboard.accounts import services as accounts
from wishboard.accounts.models import STAFF, ReportStatus, Role
from wishboard.accounts.schemas import (
    RejectReportSchema, ResidentQuerySchema, StaffUserCreateSchema, VolunteerQuerySchema,
)
from wishboard.blueprints.admin import bp, community_page, managed_community_id
from wishboard.blueprints.forms import done, handle_form, submit_form
from wishboard.blueprints.login import roles_required
from wishboard.core.schemas import load_or_raise
from wishboard.places import services as place_services
from wishboard.serviceid import services as serviceid
from wishboard.wishes import services as wishes


@bp.get("/reports")
@roles_required(*STAFF)
def reports():
    query = load_or_raise(VolunteerQuerySchema(), request.args.to_dict())
    query["community_id"] = managed_community_id()
    volunteers, total = ([], 0)
    if query["community_id"]:
        volunteers, total = accounts.list_volunteers(current_user, shown=True, **query)
    return community_page("admin/reports.html", query["community_id"], volunteers=volunteers,
                          total=total, releases=wishes.release_counts([v.id for v in volunteers]),
                          status=query["status"], statuses=REPORT_TABS,
                          page=query["page"], per_page=query["per_page"])


# The queue's tabs: each report status, and the automatic approvals nobody has checked.
REPORT_TABS = [*ReportStatus, SimpleNamespace(value="unchecked", label="自动通过待核实")]


@bp.post("/reports/<int:user_id>/approve")
@roles_required(*STAFF)
def approve_report(user_id):
    user = accounts.approve_report(current_user, user_id)
    return done(f"已通过 {user.name} 的报到", "admin.reports", community_id=user.community_id)


@bp.post("/reports/<int:user_id>/reject")
@roles_required(*STAFF)
def reject_report(user_id):
    form = submit_form(RejectReportSchema,
                       lambda d: accounts.reject_report(current_user, user_id, d["reason"]))
    if form.ok:
        flash(f"已退回 {form.result.name} 的报到", "success")
    else:
        flash("退回时请写明原因（最多200字）", "error")
    return redirect(url_for("admin.reports", community_id=managed_community_id()))


@bp.post("/people/<int:user_id>/service-card/revoke")
@roles_required(*STAFF)
def revoke_service_card(user_id):
    """作废 a volunteer's service-ID codes (a lost phone, a card shown to the wrong person)."""
    card = serviceid.revoke(current_user, user_id)
    return done("这位志愿者之前出示过的服务标识二维码都已作废", "admin.reports",
                community_id=managed_community_id(), status="approved",
                _anchor=f"volunteer-{card.user_id}")


@bp.get("/residents")
@roles_required(*STAFF)
def residents():
    """居民核实: the secretary vouches for residents they know, so their ratings count."""
    query = load_or_raise(ResidentQuerySchema(), {"verified": "false", **request.args.to_dict()})
    query["community_id"] = managed_community_id()
    people, total = ([], 0)
    if query["community_id"]:
        people, total = accounts.list_residents(current_user, shown=True, **query)
    return community_page("admin/residents.html", query["community_id"], residents=people,
                          total=total, verified=query["verified"], page=query["page"],
                          per_page=query["per_page"])


@bp.post("/people/<int:user_id>/password-reset")
@roles_required(*STAFF)
def issue_reset_code(user_id):
    """A one-time code for a resident or volunteer who cannot log in, shown once."""
    person, code, expires_at = accounts.issue_reset_code(current_user, user_id)
    return render_template("admin/reset_code.html", person=person, code=code,
                           expires_at=expires_at)


@bp.post("/residents/<int:user_id>/verify")
@roles_required(*STAFF)
def verify_resident(user_id):
    user = accounts.verify_resident(current_user, user_id)
    return done(f"已核实居民 {user.name}，他的评价从现在起计入积分", "admin.residents",
                community_id=user.community_id)


@bp.route("/secretaries", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def secretaries():
    form, sent = handle_form(StaffUserCreateSchema,
                             lambda d: accounts.create_staff_user(current_user, **d),
                             # 社区书记账号, or 汇总账号 at a street or district
                             done=lambda u: f"已创建{u.role_label.removesuffix('账号')}账号："
                                            f"{u.username}")
    # A secretary runs a community; placed at a street or district, the account reads the
    # roll-up of the communities under it (汇总账号).
    places_to_choose = place_services.list_communities(per_page=100)[0]
    return sent or community_page("admin/secretaries.html", None, form=form,
                                  secretaries=accounts.list_staff(Role.SECRETARY),
                                  places=places_to_choose)
