"""Activity pages (list, page, sign-up, the organiser's check-in screen with its QR code,
the page a scanned code opens) and the service-project actions on a wish page."""

import io

import segno
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from wishboard.accounts.login import login_required
from wishboard.activities import services as activities
from wishboard.activities.schemas import ActivityCreateSchema
from wishboard.blueprints.forms import FIXABLE, done, handle_form, place_choices, submit_form
from wishboard.blueprints.web import bp
from wishboard.blueprints.web.views import viewer
from wishboard.core.schemas import ReasonSchema
from wishboard.places import services as places
from wishboard.projects import services as projects
from wishboard.projects.schemas import ServiceLogCreateSchema


@bp.get("/communities/<int:community_id>/activities")
def activity_list(community_id):
    community = places.get_community(community_id)
    items, total = activities.list_activities(community_id=community.id, per_page=50)
    return render_template("web/activities.html", community=community, activities=items,
                           total=total, can_publish=activities.can_publish(viewer(), community.id))


@bp.route("/activities/new", methods=["GET", "POST"])
@login_required
def new_activity():
    form, sent = handle_form(
        ActivityCreateSchema, lambda d: activities.create_activity(current_user, **d),
        done="活动已发布", then=lambda a: url_for("web.activity_detail", activity_id=a.id))
    if sent:
        return sent
    if not current_user.community_id:
        abort(403)
    return render_template("web/activity_form.html", form=form,
                           **place_choices(current_user.community))


@bp.get("/activities/<int:activity_id>")
def activity_detail(activity_id):
    activity = activities.get_activity(activity_id)
    me = viewer()
    return render_template("web/activity_detail.html", activity=activity,
                           signup=activities.my_signup(me, activity.id),
                           organizer=activities.can_organize(me, activity))


@bp.post("/activities/<int:activity_id>/signup")
@login_required
def activity_signup(activity_id):
    try:
        signup = activities.sign_up(current_user, activity_id)
    except FIXABLE as error:
        flash(error.message, "error")
    else:
        flash("报名成功!" if signup.position is None
              else f"名额已满,您是候补第{signup.position}号,有人取消时会自动递补并通知您。",
              "success")
    return redirect(url_for("web.activity_detail", activity_id=activity_id))


@bp.post("/activities/<int:activity_id>/cancel")
@login_required
def activity_cancel(activity_id):
    activities.cancel_signup(current_user, activity_id)
    return done("已取消报名", "web.activity_detail", activity_id=activity_id)


@bp.get("/activities/<int:activity_id>/checkin-screen")
@login_required
def activity_checkin_screen(activity_id):
    """The organiser's screen: a QR code big enough to scan from a metre, and the list."""
    roster = activities.roster(current_user, activity_id)
    _, code, expires_at = activities.checkin_for_organizer(current_user, activity_id)
    return render_template("web/checkin_screen.html", roster=roster, code=code,
                           expires_at=expires_at)


@bp.get("/activities/<int:activity_id>/qr.svg")
@login_required
def activity_qr(activity_id):
    activity, code, _ = activities.checkin_for_organizer(current_user, activity_id)
    target = url_for("web.activity_checkin", activity_id=activity.id, code=code,
                     _external=True)
    out = io.BytesIO()
    segno.make(target, error="m").save(out, kind="svg", scale=10, border=2,
                                       title=f"{activity.title} 签到码")
    return Response(out.getvalue(), mimetype="image/svg+xml",
                    headers={"Cache-Control": "no-store"})


@bp.route("/activities/<int:activity_id>/checkin", methods=["GET", "POST"])
@login_required
def activity_checkin(activity_id):
    """What a scanned code opens: one big button to check in."""
    activity = activities.get_activity(activity_id)
    code = request.values.get("code", "")
    if request.method == "POST":
        user_id = request.form.get("user_id", type=int)
        try:
            activities.check_in(current_user, activity_id, code=None if user_id else code,
                                user_id=user_id)
        except FIXABLE as error:
            flash(error.message, "error")
        else:
            flash("签到成功,谢谢参加!" if not user_id else "已为其签到", "success")
        if user_id:
            return redirect(url_for("web.activity_checkin_screen", activity_id=activity_id))
        return redirect(url_for("web.activity_detail", activity_id=activity_id))
    return render_template("web/checkin.html", activity=activity, code=code)


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
        flash("服务已登记,等待确认", "success")
    else:
        flash("登记失败:" + ";".join(m for msgs in form.errors.values() for m in msgs), "error")
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
