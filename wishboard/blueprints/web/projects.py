"""Service projects on a wish's page: members join, log their service, and the secretary
or the organisation's contact confirms or declines each log."""

from flask import flash, redirect, request, url_for
from flask_login import current_user

from wishboard.blueprints.forms import FIXABLE, done, submit_form
from wishboard.blueprints.login import login_required
from wishboard.blueprints.web import bp
from wishboard.core.schemas import ReasonSchema
from wishboard.projects import services as projects
from wishboard.projects.schemas import ServiceLogCreateSchema


@bp.post("/wishes/<int:wish_id>/join")
@login_required
def project_join(wish_id):
    try:
        projects.join_project(current_user, wish_id)
    except FIXABLE as error:
        flash(error.message, "error")
    else:
        flash("已加入项目", "success")
    return redirect(url_for("web.wish_detail", wish_id=wish_id))


@bp.post("/wishes/<int:wish_id>/service-log")
@login_required
def project_log(wish_id):
    form = submit_form(ServiceLogCreateSchema,
                       lambda d: projects.log_service(current_user, wish_id, **d))
    if form.ok:
        flash("服务已登记，等待确认", "success")
    else:
        flash("登记失败：" + "；".join(m for msgs in form.errors.values() for m in msgs), "error")
    return redirect(url_for("web.wish_detail", wish_id=wish_id))


@bp.post("/service-logs/<int:log_id>/confirm")
@login_required
def service_log_confirm(log_id):
    log = projects.confirm_log(current_user, log_id)
    return done("已确认", "web.wish_detail", wish_id=log.wish_id)


@bp.post("/service-logs/<int:log_id>/reject")
@login_required
def service_log_reject(log_id):
    form = submit_form(ReasonSchema,
                       lambda d: projects.reject_log(current_user, log_id, d["reason"]))
    flash("已退回" if form.ok else "请写明原因", "success" if form.ok else "error")
    return redirect(request.referrer or url_for("web.index"))
