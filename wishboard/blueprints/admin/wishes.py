"""Wishes: the board's management list, publishing a wish directly, and hours waiting for
confirmation."""

from flask import render_template, request, url_for
from flask_login import current_user

from wishboard.accounts.models import STAFF, Role
from wishboard.blueprints.admin import bp, community_page, managed_community_id
from wishboard.blueprints.forms import handle_form, place_choices
from wishboard.blueprints.login import roles_required
from wishboard.core.schemas import load_or_raise
from wishboard.places import services as places
from wishboard.wishes import services as wishes
from wishboard.wishes.models import WishKind
from wishboard.wishes.schemas import WishCreateSchema, WishQuerySchema
from wishboard.wishes.states import PUBLIC_STATES


@bp.get("/hours")
@roles_required(*STAFF)
def hours_queue():
    """待确认时长: completed services whose hours nobody has confirmed yet."""
    community_id = managed_community_id()
    claims = wishes.hours_queue(current_user, community_id) if community_id else []
    return community_page("admin/hours.html", community_id, claims=claims)


def wish_form_choices(community_id: int) -> dict:
    return {
        **place_choices(places.get_community(community_id)),
        "kind_options": [(k.value, k.label) for k in WishKind],
        "merge_options": [(w.id, f"{w.title}（{w.state.label}）")
                          for w in wishes.merge_targets(community_id)],
    }


@bp.route("/wishes/new", methods=["GET", "POST"])
@roles_required(Role.SECRETARY)
def new_wish():
    """Publish a wish directly (the secretary already knows who needs what)."""
    form, sent = handle_form(WishCreateSchema, lambda d: wishes.create_wish(current_user, **d),
                             done=lambda w: f"已发布：{w.title}",
                             then=lambda w: url_for("web.wish_detail", wish_id=w.id))
    return sent or render_template("admin/wish_form.html", form=form,
                                   **wish_form_choices(current_user.community_id))


@bp.get("/wishes")
@roles_required(*STAFF)
def manage_wishes():
    """Board management: what is open, claimed, and completed waiting to be closed."""
    community_id = managed_community_id()
    status = request.args.get("status", "completed")
    status = load_or_raise(WishQuerySchema(), {"status": status} if status else {})["status"]
    board = None
    if community_id:
        board = wishes.list_wishes(viewer=current_user, community_id=community_id,
                                   status=status or None, per_page=100)
    return community_page("admin/wishes.html", community_id, wishes=board.items if board else [],
                          total=board.total if board else 0, status=status,
                          states=PUBLIC_STATES)
