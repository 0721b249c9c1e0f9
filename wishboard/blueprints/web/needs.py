"""需求征集: someone who lives in the community (a resident, or a volunteer living there)
posts a need and follows what became of it."""


from flask import render_template, url_for
from flask_login import current_user

from wishboard.accounts.models import Role
from wishboard.blueprints.forms import handle_form, place_choices
from wishboard.blueprints.login import roles_required
from wishboard.blueprints.web import bp
from wishboard.needs import services as needs
from wishboard.needs.schemas import NeedCreateSchema
from wishboard.wishes import services as wishes


@bp.route("/needs/new", methods=["GET", "POST"])
@roles_required(Role.RESIDENT, Role.VOLUNTEER)
def new_need():
    """需求征集: one short form."""
    form, sent = handle_form(NeedCreateSchema, lambda d: needs.submit_need(current_user, **d),
                             done="您的需求已提交，社区工作人员会尽快处理。",
                             then=lambda _: url_for("web.my_needs"))
    return sent or render_template("web/need_form.html", form=form,
                                   action=url_for("web.new_need"), on_behalf=False,
                                   **place_choices(current_user.community))


@bp.get("/needs/mine")
@roles_required(Role.RESIDENT, Role.VOLUNTEER)
def my_needs():
    items, total = needs.list_needs(current_user, per_page=100)
    to_rate = wishes.waiting_for_my_rating(current_user)
    return render_template("web/my_needs.html", needs=items, total=total, to_rate=to_rate)
