"""My inbox."""


from flask import abort, redirect, render_template, url_for
from flask_login import current_user

from wishboard.accounts.models import STAFF
from wishboard.blueprints.forms import done
from wishboard.blueprints.login import login_required
from wishboard.blueprints.web import bp
from wishboard.notifications import services as notifications


@bp.get("/inbox")
@login_required
def inbox():
    items, total = notifications.list_notifications(current_user, per_page=50)
    return render_template("web/inbox.html", items=items, total=total)


@bp.post("/inbox/read")
@login_required
def inbox_read_all():
    notifications.mark_read(current_user)
    return done("已全部标为已读", "web.inbox")


@bp.get("/inbox/<int:notification_id>")
@login_required
def inbox_open(notification_id):
    note = notifications.open_notification(current_user, notification_id)
    if note.wish_id:
        return redirect(url_for("web.wish_detail", wish_id=note.wish_id))
    # A 楼栋长, 院落长 or 网格员 told of a need in their places, or of a new duty.
    if note.kind == "grid_contact_assigned" or (
            note.kind == "need_submitted" and current_user.role not in STAFF):
        return redirect(url_for("web.my_grid"))
    # Their own need (a resident's, or a volunteer's who lives in the community).
    if note.need_id and current_user.role not in STAFF:
        return redirect(url_for("web.my_needs"))
    if note.need_id:
        return redirect(url_for("admin.needs_queue"))
    # A daily digest of several followed wishes: the board of the follower's community.
    if note.kind == "follow_digest" and current_user.community_id:
        return redirect(url_for("web.community", community_id=current_user.community_id))
    # 年度评选: an honour given or withdrawn, an objection answered: 我的 lists them all.
    if note.kind in ("honour_awarded", "honour_withdrawn", "nomination_withdrawn",
                     "objection_answered"):
        return redirect(url_for("auth.account", _anchor="honours"))
    if note.kind in ("objection_raised", "publicity_ended_early", "nominee_name_hidden"):
        return redirect(url_for("admin.selections"))
    abort(404)
