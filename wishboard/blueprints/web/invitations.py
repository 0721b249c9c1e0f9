"""社区请您帮忙 on the pages. The secretary's 邀请 is one of the wish page's forms
(``web.wishes.PAGE_ACTIONS``); here the invitee answers: accepting is the wish page's claim
form, sent to the invitation (the letter must be read and ticked), and declining a small
form with an optional reason, from 我的 or the wish page."""

from flask import flash, redirect, url_for
from flask_login import current_user

from wishboard.blueprints.forms import done, submit_form
from wishboard.blueprints.login import login_required
from wishboard.blueprints.web import bp
from wishboard.blueprints.web.wishes import _render_wish
from wishboard.invitations import services as invitations
from wishboard.invitations.schemas import InvitationAcceptSchema, InvitationDeclineSchema


@bp.post("/wishes/<int:wish_id>/invitations/<int:invitation_id>/accept")
@login_required
def accept_invitation(wish_id, invitation_id):
    """接受（签责任书认领）: the claim form of the wish page, for the invitation."""
    form = submit_form(InvitationAcceptSchema, lambda data: invitations.accept_invitation(
        current_user, invitation_id, **data))
    if form.ok:
        return done("认领成功！责任书已公示，请按时完成服务。", "web.wish_detail",
                    wish_id=form.result.wish_id)
    return _render_wish(wish_id, form)


@bp.post("/invitations/<int:invitation_id>/decline")
@login_required
def decline_invitation(invitation_id):
    """婉拒: back to 我的, with a word of thanks (or why it could not be done)."""
    form = submit_form(InvitationDeclineSchema, lambda data: invitations.decline_invitation(
        current_user, invitation_id, **data))
    if form.ok:
        return done("已告诉社区您这次不方便，谢谢您！", "auth.account")
    flash("没能婉拒：" + "；".join(m for messages in form.errors.values() for m in messages),
          "error")
    return redirect(url_for("auth.account"))
