"""The secretary withdraws an abusive rating."""


from flask import flash, redirect, request, url_for
from flask_login import current_user

from wishboard.accounts.models import STAFF
from wishboard.blueprints.forms import done, submit_form
from wishboard.blueprints.login import roles_required
from wishboard.blueprints.web import bp
from wishboard.core.schemas import ReasonSchema
from wishboard.ratings import services as ratings


@bp.post("/ratings/<int:rating_id>/remove")
@roles_required(*STAFF)
def remove_rating(rating_id):
    form = submit_form(ReasonSchema,
                       lambda d: ratings.remove_rating(current_user, rating_id, d["reason"]))
    if form.ok:
        return done("评价已撤销，相关积分已扣回", "web.wish_detail", wish_id=form.result.wish_id)
    flash("撤销评价时请写明原因", "error")
    return redirect(request.referrer or url_for("web.index"))
