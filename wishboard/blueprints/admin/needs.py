"""Needs: the queue of residents' needs (publish, merge, decline) and 代录 (recording a need
for a resident)."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from wishboard.accounts.models import STAFF, Role
from wishboard.blueprints.admin import bp, community_page, managed_community_id
from wishboard.blueprints.admin.wishes import wish_form_choices
from wishboard.blueprints.forms import done, handle_form, place_choices, submit_form
from wishboard.blueprints.login import roles_required
from wishboard.core.schemas import ReasonSchema, load_or_raise
from wishboard.needs import services as needs
from wishboard.needs.schemas import NeedCreateSchema, NeedPublishSchema, NeedQuerySchema
from wishboard.wishes import services as wishes

# Needs on one page of the queue: each comes with its own publish and merge forms.
QUEUE_PAGE = 20


@bp.get("/needs")
@roles_required(*STAFF)
def needs_queue():
    """The secretary's queue of new needs: publish, merge into a wish, or decline."""
    community_id = managed_community_id()
    status = request.args.get("status", "new")  # "" is every status
    args = {"page": request.args.get("page", "1"), "per_page": QUEUE_PAGE}
    if status:
        args["status"] = status
    query = load_or_raise(NeedQuerySchema(), args)
    items, total = ([], 0)
    if community_id:
        items, total = needs.list_needs(current_user, community_id=community_id,
                                        status=query["status"], page=query["page"],
                                        per_page=QUEUE_PAGE, shown=True)
    choices = wish_form_choices(community_id) if community_id else {}
    return community_page("admin/needs.html", community_id, needs=items, total=total,
                          status=query["status"], page=query["page"], per_page=QUEUE_PAGE,
                          grid_paths=dict(choices.get("grid_options", [])), **choices)


@bp.post("/needs/<int:need_id>/publish")
@roles_required(*STAFF)
def publish_need(need_id):
    form = submit_form(NeedPublishSchema,
                       lambda d: wishes.publish_need(current_user, need_id, **d))
    if form.ok:
        return done(f"已发布：{form.result.title}", "web.wish_detail", wish_id=form.result.id)
    flash("发布失败：" + "；".join(m for msgs in form.errors.values() for m in msgs), "error")
    return redirect(url_for("admin.needs_queue"))


@bp.post("/needs/<int:need_id>/reject")
@roles_required(*STAFF)
def reject_need(need_id):
    form = submit_form(ReasonSchema,
                       lambda d: needs.reject_need(current_user, need_id, d["reason"]))
    flash("已告知居民未采纳的原因" if form.ok else "请写明原因（最多200字）",
          "success" if form.ok else "error")
    return redirect(url_for("admin.needs_queue"))


@bp.route("/needs/new", methods=["GET", "POST"])
@roles_required(Role.SECRETARY)
def new_need_on_behalf():
    """代录: the secretary records a need for a resident without a smartphone."""
    form, sent = handle_form(NeedCreateSchema, lambda d: needs.submit_need(current_user, **d),
                             done=_recorded, then=lambda _: url_for("admin.needs_queue"))
    return sent or render_template("web/need_form.html", form=form, on_behalf=True,
                                   action=url_for("admin.new_need_on_behalf"),
                                   **place_choices(current_user.community))


# What the secretary reads after 代录: whose account the need went to, or why none.
LINK_WORDS = {
    needs.LINK_PHONE: "已按电话号码关联到本社区的账号：{name}",
    needs.LINK_CHOSEN: "已关联到本社区的账号：{name}",
    needs.LINK_SEVERAL: "这个电话号码在本社区有多个已核实的账号，没有关联任何账号，居民本人在“我的心愿”里看不到它",
    needs.LINK_NONE: "本社区没有这个电话号码的已核实账号，没有关联账号",
}


def _recorded(need) -> str:
    words = LINK_WORDS.get(need.link, "")
    name = need.resident.name if need.resident is not None else ""
    return f"已代录 {need.contact_name} 的需求" + ("。" + words.format(name=name) if words else "")
