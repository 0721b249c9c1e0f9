from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, logout_user

from wishboard.access import is_neighbour
from wishboard.accounts import hats
from wishboard.accounts import services as accounts
from wishboard.accounts.models import ReportStatus, Role, VolunteerType
from wishboard.accounts.schemas import (
    HatCreateSchema, LoginFormSchema, PasswordChangeSchema, PasswordResetSchema, RegisterSchema,
)
from wishboard.blueprints import id_arg
from wishboard.blueprints.auth import bp
from wishboard.blueprints.forms import FormResult, submit_form
from wishboard.blueprints.login import (
    authenticate_counting_failures, change_password_counting_failures, has_remember_cookie,
    limit_login_failures, limit_password_guesses, limit_registrations, login_required,
    reset_password_counting_failures, roles_required, start_session,
    switch_hat_counting_failures,
)
from wishboard.blueprints.web import safe_next
from wishboard.blueprints.web.grid import home_choices
from wishboard.core.schemas import form_data
from wishboard.errors import ValidationFailedError
from wishboard.grid import services as grid
from wishboard.invitations import services as invitations
from wishboard.matching import services as matching
from wishboard.notifications import services as notifications
from wishboard.organizations import services as organizations
from wishboard.places import services as places
from wishboard.points import services as points
from wishboard.wishes import services as wishes


@bp.route("/login", methods=["GET", "POST"])
@limit_login_failures
def login():
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("auth.account"))
    form = None
    if request.method == "POST":
        form = submit_form(LoginFormSchema, lambda d: (authenticate_counting_failures(
            d["username"], d["password"]), d["remember"]))
        if form.ok:
            user, remember = form.result
            start_session(user, remember=remember)
            flash(f"{user.name}，欢迎回来", "success")
            return redirect(safe_next(request.args.get("next"), url_for("auth.account")))
    return render_template("auth/login.html", form=form)


@bp.route("/reset", methods=["GET", "POST"])
@limit_login_failures
def reset_password():
    """忘记密码: a new password with the code the community's secretary gave."""
    form = None
    if request.method == "POST":
        form = submit_form(PasswordResetSchema, lambda d: reset_password_counting_failures(
            d["username"], d["code"], d["password"]))
        if form.ok:
            flash(f"新密码已设置好。您的用户名是 {form.result.username}，也可以用手机号登录。",
                  "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form)


@bp.post("/logout")
def logout():
    """Log out: the session ends here and on every other device (a copied cookie with it)."""
    if current_user.is_authenticated:
        accounts.end_sessions(current_user._get_current_object())
    logout_user()
    flash("您已退出登录", "info")
    return redirect(url_for("web.index"))


@bp.post("/logout-everywhere")
@login_required
def logout_everywhere():
    """退出所有设备: every session, 记住我 and API token of this person ends."""
    accounts.log_out_everywhere(current_user._get_current_object())
    logout_user()
    flash("您已在所有设备上退出登录。请重新登录。", "info")
    return redirect(url_for("auth.login"))


@bp.route("/register", methods=["GET", "POST"])
@limit_registrations
def register():
    """Two short steps: choose your community, then say who you are."""
    community_id = id_arg(request.values, "community_id")
    community = None
    if community_id:
        community = places.get_community(community_id)
    form = None
    # 所属报到党组织 may be of any community: the form can look one up by name (org_q)
    # without losing what was typed (the 查找 button sends the form back here).
    org_q = (request.values.get("org_q") or "").strip()[:50]
    if request.method == "POST":
        values = {k: v for k, v in form_data(request.form).items()
                  if k not in ("org_q", "org_search")}
        # (Enter in any field presses the first button, 查找组织: with nothing to look up,
        # it signs up.)
        if "org_search" in request.form and org_q:
            values.pop("password", None)
            form = FormResult(values, {})
        else:
            form = submit_form(RegisterSchema, lambda d: accounts.register_user(**d),
                               values=values)
        if form.ok and form.result is not None:
            user = form.result
            start_session(user)
            if user.report_status is ReportStatus.PENDING:
                flash("注册成功。您的报到正在等社区书记审核，审核通过后就可以认领心愿。", "success")
            else:
                flash("注册成功，欢迎您！", "success")
            if values.get("organization_id"):
                flash("您加入组织的申请已提交，组织的联络员审核后会通知您。", "success")
            return redirect(url_for("auth.account"))
    if community is None or not community.is_community:
        communities, _ = places.list_communities(level="community", per_page=100)
        villages, _ = places.list_communities(level="village", per_page=100)
        return render_template("auth/register_community.html", communities=communities + villages)
    return render_template(
        "auth/register.html", form=form, community=community,
        organization_groups=organizations.registration_choices(community, org_q or None),
        org_q=org_q,
        volunteer_type_options=[(t.value, t.label) for t in VolunteerType],
    )


def _account_page(password_form: FormResult | None = None,
                  home_form: FormResult | None = None):
    """我的: first what to do next (services to rate, claims with their dates), then the
    person's details, points, 报到 and password."""
    user = current_user._get_current_object()
    # Someone who lives in the community (a resident, or a volunteer living there) posts
    # needs for themselves and rates what was done for them.
    neighbour = is_neighbour(user)
    to_rate = wishes.waiting_for_my_rating(user) if neighbour else []
    claims = wishes.claims_of(user, active_only=True) if user.role is Role.VOLUNTEER else []
    # 社区请您帮忙: invitations come first on the page (volunteers, organisations' contacts).
    invited = invitations.my_invitations(user) if user.role is Role.VOLUNTEER else []
    return render_template("auth/account.html", user=user, points=points.points_of(user),
                           invitations=invited, neighbour=neighbour,
                           password_form=password_form, to_rate=to_rate, claims=claims,
                           outside=notifications.outside_groups(user),
                           message_groups=notifications.MESSAGE_GROUPS,
                           profile=matching.get_profile(user)
                           if user.role is Role.VOLUNTEER else None,
                           duties=grid.my_duties(user), home_form=home_form,
                           hats=hats.hats_of(user), **home_choices(user))


@bp.get("/account")
@login_required
def account():
    return _account_page()


def _password_page_refusal(message: str):
    return _account_page(FormResult({}, {"_form": [message]}))


@bp.post("/account/password")
@login_required
@limit_password_guesses(lambda: current_user.username, _password_page_refusal)
def change_password():
    """修改密码: with the current one. Every other device is logged out; this one stays."""
    remember, user = has_remember_cookie(), current_user._get_current_object()
    form = submit_form(PasswordChangeSchema, lambda d: change_password_counting_failures(
        user, d["old_password"], d["new_password"]))
    if not form.ok:
        return _account_page(form)
    start_session(form.result, remember=remember)
    flash("密码已修改。其他手机、电脑上的登录都已退出，请在那里用新密码重新登录。", "success")
    return redirect(url_for("auth.account"))


# One person, two hats (切换身份) ------------------------------------------------------------

def _switch_refusal(message: str):
    flash(message, "error")
    return redirect(url_for("auth.account", _anchor="hats"))


@bp.post("/account/switch/<int:user_id>")
@login_required
@limit_password_guesses(lambda: current_user.username, _switch_refusal)
def switch_hat(user_id: int):
    """Wear another of my hats on this device (the other devices keep theirs); back to the
    account I log in with, my password again."""
    try:
        target = switch_hat_counting_failures(current_user._get_current_object(), user_id,
                                              request.form.get("password"))
    except ValidationFailedError as error:
        return _switch_refusal(error.message)
    start_session(target, remember=has_remember_cookie())
    where = target.community.name if target.community else ""
    flash(f"已切换为{where}{target.role.label}身份", "success")
    return redirect(url_for("auth.account"))


@bp.route("/account/volunteer-elsewhere", methods=["GET", "POST"])
@roles_required(Role.SECRETARY)
def volunteer_elsewhere():
    """A community secretary also reports as a volunteer where they live (双报到)."""
    user = current_user._get_current_object()
    if len(hats.hats_of(user)) > 1:
        return redirect(url_for("auth.account"))
    form = None
    if request.method == "POST":
        form = submit_form(HatCreateSchema, lambda d: hats.add_volunteer_hat(user, **d))
        if form.ok:
            hat = form.result
            if hat.report_status is ReportStatus.PENDING:
                flash(f"已向{hat.community.name}报到，等那里的社区书记审核。审核通过后，"
                      "在“我的”里切换为志愿者身份，就可以认领心愿了。", "success")
            else:
                flash(f"已向{hat.community.name}报到。在“我的”里切换为志愿者身份，就可以认领心愿了。",
                      "success")
            return redirect(url_for("auth.account"))
    communities, _ = places.list_communities(level="community", per_page=100)
    villages, _ = places.list_communities(level="village", per_page=100)
    options = [(c.id, c.name) for c in communities + villages if c.id != user.community_id]
    return render_template("auth/volunteer_elsewhere.html", form=form, community_options=options,
                           volunteer_type_options=[(t.value, t.label) for t in VolunteerType])
