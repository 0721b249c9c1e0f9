from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from wishboard.accounts import services as accounts
from wishboard.accounts.models import ReportStatus, VolunteerType
from wishboard.accounts.schemas import LoginSchema, RegisterSchema
from wishboard.blueprints.auth import bp
from wishboard.blueprints.forms import submit_form
from wishboard.blueprints.login import (
    authenticate_counting_failures, limit_login_failures, limit_registrations, login_required,
)
from wishboard.blueprints.web import safe_next
from wishboard.places import services as places
from wishboard.points import services as points


@bp.route("/login", methods=["GET", "POST"])
@limit_login_failures
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("auth.account"))
    form = None
    if request.method == "POST":
        form = submit_form(LoginSchema, lambda d: authenticate_counting_failures(
            d["username"], d["password"]))
        if form.ok:
            login_user(form.result, remember=bool(request.form.get("remember")))
            flash(f"{form.result.name},欢迎回来", "success")
            return redirect(safe_next(request.args.get("next"), url_for("auth.account")))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
    logout_user()
    flash("您已退出登录", "info")
    return redirect(url_for("web.index"))


@bp.route("/register", methods=["GET", "POST"])
@limit_registrations
def register():
    """Two short steps: choose your community, then say who you are."""
    community_id = request.values.get("community_id", type=int)
    community = None
    if community_id:
        community = places.get_community(community_id)
    form = None
    if request.method == "POST":
        form = submit_form(RegisterSchema, lambda d: accounts.register_user(**d))
        if form.ok:
            user = form.result
            login_user(user)
            if user.report_status is ReportStatus.PENDING:
                flash("注册成功。您的报到正在等社区书记审核,审核通过后就可以认领心愿。", "success")
            else:
                flash("注册成功,欢迎您!", "success")
            return redirect(url_for("auth.account"))
    if community is None or not community.is_community:
        communities, _ = places.list_communities(level="community", per_page=100)
        villages, _ = places.list_communities(level="village", per_page=100)
        return render_template("auth/register_community.html", communities=communities + villages)
    return render_template(
        "auth/register.html", form=form, community=community,
        organization_options=[(o.id, o.name) for o in places.list_organizations(community.id)],
        volunteer_type_options=[(t.value, t.label) for t in VolunteerType],
    )


@bp.get("/account")
@login_required
def account():
    return render_template("auth/account.html", user=current_user,
                           points=points.points_of(current_user))
