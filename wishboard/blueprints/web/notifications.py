"""My inbox."""


from flask import abort, redirect, render_template, url_for
from flask_login import current_user

from wishboard.accounts.models import STAFF, Role
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
    if note.need_id and current_user.role is Role.RESIDENT:
        return redirect(url_for("web.my_needs"))
    if note.need_id:
        return redirect(url_for("admin.needs_queue"))
    abort(404)
