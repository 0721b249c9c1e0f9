"""Activity pages: the list, the page, publishing one, sign-up, the organiser's check-in
screen with its QR code, and the page a scanned code opens."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from wishboard.activities import services as activities
from wishboard.activities.schemas import ActivityCreateSchema
from wishboard.blueprints import id_arg
from wishboard.blueprints.forms import FIXABLE, done, handle_form, place_choices
from wishboard.blueprints.login import login_required
from wishboard.blueprints.qr import qr_image
from wishboard.blueprints.web import bp, viewer
from wishboard.places import services as places


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
        flash("报名成功！" if signup.position is None
              else f"名额已满，您是候补第{signup.position}号，有人取消时会自动递补并通知您。",
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
    return qr_image(target, title=f"{activity.title} 签到码",
                    headers={"Cache-Control": "no-store"})


@bp.route("/activities/<int:activity_id>/checkin", methods=["GET", "POST"])
@login_required
def activity_checkin(activity_id):
    """What a scanned code opens: one big button to check in."""
    activity = activities.get_activity(activity_id)
    code = request.values.get("code", "")
    if request.method == "POST":
        user_id = id_arg(request.form, "user_id")
        try:
            activities.check_in(current_user, activity_id, code=None if user_id else code,
                                user_id=user_id)
        except FIXABLE as error:
            flash(error.message, "error")
        else:
            flash("签到成功，谢谢参加！" if not user_id else "已为其签到", "success")
        if user_id:
            return redirect(url_for("web.activity_checkin_screen", activity_id=activity_id))
        return redirect(url_for("web.activity_detail", activity_id=activity_id))
    return render_template("web/checkin.html", activity=activity, code=code)
