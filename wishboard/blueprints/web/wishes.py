"""A wish's page and the forms on it: claim, release, complete, confirm hours, rate; the
secretary's close and cancel; my claims."""


from flask import render_template
from flask_login import current_user

from wishboard.access import confirmable_logs, wish_rights
from wishboard.accounts.models import STAFF, Role
from wishboard.audit import services as audit
from wishboard.blueprints.forms import done, submit_form
from wishboard.blueprints.login import login_required, roles_required
from wishboard.blueprints.web import bp, viewer
from wishboard.blueprints.wish_actions import WISH_ACTIONS
from wishboard.core.schemas import ReasonSchema
from wishboard.invitations import services as invitations
from wishboard.invitations.schemas import InvitationCreateSchema
from wishboard.matching import services as matching
from wishboard.organizations import services as organizations
from wishboard.privacy import shown_beneficiaries
from wishboard.projects import services as projects
from wishboard.ratings import services as ratings
from wishboard.ratings.schemas import RatingCreateSchema
from wishboard.wishes import board, services as wishes
from wishboard.wishes.models import WishKind


def _render_wish(wish_id: int, form=None):
    me = viewer()
    story = board.read_wish(me, wish_id)
    wish = story.wish
    # What this person may do and see here comes from the same rule book the actions obey.
    rights = wish_rights(me, wish, claim=story.completed_claim)
    preview = (wishes.responsibility_letter_preview(wish, me) if rights.claim else None)
    members, logs = projects.project_people(wish.id) if wish.kind is WishKind.PROJECT \
        else ([], [])
    # 可以请谁来帮忙: the staff's page only (a page with a session is never cached).
    suggestions = matching.suggest_volunteers(me, wish.id, limit=5) if rights.suggest else []
    # 社区请您帮忙: the viewer's own live invitation here; the staff's list of those sent.
    sent = invitations.wish_invitations(me, wish.id) if rights.see_invitations else []
    return render_template(
        "web/wish_detail.html", wish=wish, story=story, rights=rights,
        beneficiaries=shown_beneficiaries(wish, rights), claim=story.current_claim,
        letter_preview=preview, form=form, members=members, logs=logs,
        confirmable=confirmable_logs(me, wish, logs), suggestions=suggestions,
        private_views=audit.private_views(me, wish.id) if rights.see_audit else [],
        invitation=invitations.live_invitation_for(me, wish.id), invitations_sent=sent,
        organization_options=[(o.id, o.name) for o in organizations.community_organizations(
            wish.community_id)] if rights.invite else [])


@bp.get("/wishes/<int:wish_id>")
def wish_detail(wish_id):
    return _render_wish(wish_id)


# The forms on a wish's page: the moves the API offers too, and the rating.
PAGE_ACTIONS = {a.name: (a.schema, a.use_case, a.done) for a in WISH_ACTIONS} | {
    "rate": (RatingCreateSchema, ratings.rate_wish, "评价已提交，谢谢！"),
    "invite": (InvitationCreateSchema, invitations.invite, "邀请已发出，对方会在“我的”里看到。")}


@bp.post(f"/wishes/<int:wish_id>/<any({', '.join(PAGE_ACTIONS)}):action>")
@login_required
def wish_action(wish_id, action):
    return _wish_form(wish_id, *PAGE_ACTIONS[action])


def _wish_form(wish_id, schema, use_case, message):
    """Run one of the page's forms; on a fixable error, show the page again with it.
    ``message``: what to say once done, or a function of the wish that says it."""
    form = submit_form(schema, lambda data: use_case(current_user, wish_id, **data))
    if form.ok:
        said = message(form.result) if callable(message) else message
        return done(said, "web.wish_detail", wish_id=wish_id)
    return _render_wish(wish_id, form)


@bp.post("/wishes/<int:wish_id>/close")
@roles_required(*STAFF)
def close(wish_id):
    wishes.close_wish(current_user, wish_id)
    return done("已结项", "web.wish_detail", wish_id=wish_id)


@bp.post("/wishes/<int:wish_id>/cancel")
@roles_required(*STAFF)
def cancel(wish_id):
    return _wish_form(wish_id, ReasonSchema, wishes.cancel_wish, "心愿已取消。")


@bp.get("/claims/mine")
@roles_required(Role.VOLUNTEER)
def my_claims():
    return render_template("web/my_claims.html",
                           claims=board.claims_of(current_user))
