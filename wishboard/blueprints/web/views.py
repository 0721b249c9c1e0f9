"""Pages for everyone (home, a community's board, a wish's story) and for residents and
volunteers (post a need, my needs, claim, complete, rate, my claims, my inbox)."""

from urllib.parse import urlsplit

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from wishboard.access import confirmable_logs, wish_rights
from wishboard.accounts import services as accounts
from wishboard.accounts.login import login_required, roles_required
from wishboard.accounts.models import Role, VolunteerType
from wishboard.audit import services as audit
from wishboard.blueprints.forms import done, handle_form, place_choices, submit_form
from wishboard.blueprints.web import bp
from wishboard.core.schemas import ReasonSchema, load_or_raise
from wishboard.needs import services as needs
from wishboard.needs.schemas import NeedCreateSchema
from wishboard.notifications import services as notifications
from wishboard.places import services as places
from wishboard.points import services as points
from wishboard.points.models import RULE_LABELS
from wishboard.points.schemas import LeaderboardQuerySchema
from wishboard.privacy import shown_beneficiaries
from wishboard.projects import services as projects
from wishboard.ratings import services as ratings
from wishboard.ratings.schemas import RatingCreateSchema
from wishboard.templating import LARGE_MODE_COOKIE, large_mode
from wishboard.wishes import services as wishes
from wishboard.wishes.actions import WISH_ACTIONS
from wishboard.wishes.models import WishKind
from wishboard.wishes.schemas import WishQuerySchema
from wishboard.wishes.states import BOARD_STATES, WishState


def safe_next(target: str | None, default: str) -> str:
    """Only same-site paths are followed after a redirect."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def viewer():
    return current_user if current_user.is_authenticated else None


@bp.get("/")
def index():
    """A member goes straight to their community's board; visitors choose a community."""
    if current_user.is_authenticated and current_user.community_id:
        return redirect(url_for("web.community", community_id=current_user.community_id))
    communities, _ = places.list_communities(level="community", per_page=100)
    return render_template("web/index.html", communities=communities,
                           categories=places.list_categories())


@bp.get("/communities/<int:community_id>")
def community(community_id):
    """The board: open wishes newest first, filtered by category, grid, kind, status, words."""
    place = places.get_community(community_id)
    if not place.is_community:
        return render_template("web/place.html", community=place,
                               children=places.community_grid(place))
    args = {k: v for k, v in request.args.items() if v.strip()}
    if "status" not in request.args:  # the board opens on what can be claimed; "" is all
        args["status"] = WishState.OPEN.value
    query = load_or_raise(WishQuerySchema(), args)
    query["community_id"] = place.id
    items, total = wishes.list_wishes(viewer=viewer(), **query)
    return render_template(
        "web/board.html", community=place, wishes=items, total=total, query=query,
        grid=places.community_grid(place), categories=places.list_categories(),
        states=BOARD_STATES, kinds=list(WishKind),
        organizations=places.list_organizations(place.id))


def _render_wish(wish_id: int, form=None):
    me = viewer()
    story = wishes.read_wish(me, wish_id)
    wish = story.wish
    # What this person may do and see here comes from the same rule book the actions obey.
    rights = wish_rights(me, wish)
    preview = (wishes.responsibility_letter_preview(wish, me) if rights.claim else None)
    members, logs = projects.project_people(wish.id) if wish.kind is WishKind.PROJECT \
        else ([], [])
    return render_template(
        "web/wish_detail.html", wish=wish, story=story, rights=rights,
        beneficiaries=shown_beneficiaries(wish, rights), claim=story.current_claim,
        letter_preview=preview, form=form, members=members, logs=logs,
        confirmable=confirmable_logs(me, wish, logs),
        private_views=audit.private_views(me, wish.id) if rights.see_audit else [])


@bp.get("/wishes/<int:wish_id>")
def wish_detail(wish_id):
    return _render_wish(wish_id)


# The forms on a wish's page: the moves the API offers too, and the rating.
PAGE_ACTIONS = {a.name: (a.schema, a.use_case, a.done) for a in WISH_ACTIONS} | {
    "rate": (RatingCreateSchema, ratings.rate_wish, "评价已提交,谢谢!")}


@bp.post(f"/wishes/<int:wish_id>/<any({', '.join(PAGE_ACTIONS)}):action>")
@login_required
def wish_action(wish_id, action):
    return _wish_form(wish_id, *PAGE_ACTIONS[action])


def _wish_form(wish_id, schema, use_case, message: str):
    """Run one of the page's forms; on a fixable error, show the page again with it."""
    form = submit_form(schema, lambda data: use_case(current_user, wish_id, **data))
    if form.ok:
        return done(message, "web.wish_detail", wish_id=wish_id)
    return _render_wish(wish_id, form)


@bp.post("/wishes/<int:wish_id>/close")
@roles_required(Role.SECRETARY, Role.ADMIN)
def close(wish_id):
    wishes.close_wish(current_user, wish_id)
    return done("已结项", "web.wish_detail", wish_id=wish_id)


@bp.post("/wishes/<int:wish_id>/cancel")
@roles_required(Role.SECRETARY, Role.ADMIN)
def cancel(wish_id):
    return _wish_form(wish_id, ReasonSchema, wishes.cancel_wish, "心愿已取消。")


@bp.route("/needs/new", methods=["GET", "POST"])
@roles_required(Role.RESIDENT)
def new_need():
    """需求征集: one short form."""
    form, sent = handle_form(NeedCreateSchema, lambda d: needs.submit_need(current_user, **d),
                             done="您的需求已提交,社区工作人员会尽快处理。",
                             then=lambda _: url_for("web.my_needs"))
    return sent or render_template("web/need_form.html", form=form,
                                   action=url_for("web.new_need"), on_behalf=False,
                                   **place_choices(current_user.community))


@bp.get("/needs/mine")
@roles_required(Role.RESIDENT)
def my_needs():
    items, total = needs.list_needs(current_user, per_page=100)
    served, _ = wishes.list_wishes(viewer=current_user, community_id=current_user.community_id,
                                   status=WishState.COMPLETED.value, per_page=100)
    to_rate = [w for w in served if any(b.user_id == current_user.id for b in w.beneficiaries)]
    return render_template("web/my_needs.html", needs=items, total=total, to_rate=to_rate)


@bp.get("/claims/mine")
@roles_required(Role.VOLUNTEER)
def my_claims():
    return render_template("web/my_claims.html",
                           claims=wishes.claims_of(current_user))


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
    if note.need_id and current_user.role is Role.RESIDENT:
        return redirect(url_for("web.my_needs"))
    if note.need_id:
        return redirect(url_for("admin.needs_queue"))
    abort(404)


@bp.route("/large-mode", methods=["GET", "POST"])
def toggle_large_mode():
    """长辈版: bigger type and buttons, remembered for a year. A plain link works without JS."""
    response = make_response(redirect(safe_next(request.values.get("next"), url_for("web.index"))))
    response.set_cookie(LARGE_MODE_COOKIE, "0" if large_mode() else "1",
                        max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response


@bp.get("/communities/<int:community_id>/honor")
def honor_board(community_id):
    """光荣榜: volunteers and organisations by points, for all time, a year, a quarter, a month."""
    place = places.get_community(community_id)
    query = load_or_raise(LeaderboardQuerySchema(),
                          {"community_id": str(place.id), "per_page": "50",
                           **{k: v for k, v in request.args.items() if v.strip()}})
    period = points.period_key(query["period"], year=query["year"], quarter=query["quarter"],
                               month=query["month"])
    rows, total = points.leaderboard(place.id, kind=query["kind"], period=period,
                                     volunteer_type=query["volunteer_type"],
                                     page=query["page"], per_page=query["per_page"])
    return render_template("web/honor.html", community=place, rows=rows, total=total,
                           query=query, period=period, rules=points.rules_for(place.id),
                           rule_labels=RULE_LABELS, volunteer_types=list(VolunteerType))


@bp.get("/volunteers/<int:user_id>")
def points_card(user_id):
    """志愿服务积分卡, printable."""
    card = points.points_card(user_id, viewer=viewer(), per_page=100)
    return render_template("web/points_card.html", card=card)


@bp.post("/account/boards")
@login_required
def set_show_on_boards():
    accounts.update_preferences(current_user, show_on_boards=request.form.get("show") == "1")
    return done("已保存", "auth.account")


@bp.post("/ratings/<int:rating_id>/remove")
@roles_required(Role.SECRETARY, Role.ADMIN)
def remove_rating(rating_id):
    form = submit_form(ReasonSchema,
                       lambda d: ratings.remove_rating(current_user, rating_id, d["reason"]))
    if form.ok:
        return done("评价已撤销,相关积分已扣回", "web.wish_detail", wish_id=form.result.wish_id)
    flash("撤销评价时请写明原因", "error")
    return redirect(request.referrer or url_for("web.index"))
