"""A person's display choices: the 长辈版 (large type) switch, and whether their name shows
on public boards."""


from flask import make_response, redirect, request, url_for
from flask_login import current_user

from wishboard.accounts import services as accounts
from wishboard.notifications import services as notifications
from wishboard.blueprints.forms import done
from wishboard.blueprints.login import login_required
from wishboard.blueprints.web import bp, safe_next
from wishboard.templating import LARGE_MODE_COOKIE, large_mode


@bp.route("/large-mode", methods=["GET", "POST"])
def toggle_large_mode():
    """长辈版: bigger type and buttons, remembered for a year. A plain link works without JS."""
    response = make_response(redirect(safe_next(request.values.get("next"), url_for("web.index"))))
    response.set_cookie(LARGE_MODE_COOKIE, "0" if large_mode() else "1",
                        max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response


@bp.post("/account/boards")
@login_required
def set_show_on_boards():
    accounts.update_preferences(current_user, show_on_boards=request.form.get("show") == "1")
    return done("已保存", "auth.account")


@bp.post("/account/notifications")
@login_required
def set_outside_messages():
    """Which groups of messages also go to WeChat or SMS: a ticked box sends that group."""
    muted = [group for group in notifications.MESSAGE_GROUPS
             if request.form.get(f"out_{group}") != "1"]
    notifications.set_outside_groups(current_user, muted=muted)
    return done("已保存", "auth.account", _anchor="outside")
