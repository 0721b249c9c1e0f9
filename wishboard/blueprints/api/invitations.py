"""Invitations (社区请您帮忙): the secretary invites a volunteer or an organisation to claim an
open wish; the invitee accepts (claims, signing the responsibility letter) or declines."""

from flask_login import current_user

from wishboard.accounts.models import STAFF
from wishboard.blueprints.api import bp
from wishboard.blueprints.api.helpers import also_answers, responds, use_schema
from wishboard.blueprints.login import login_required, roles_required
from wishboard.invitations import services as invitations
from wishboard.invitations.schemas import (
    InvitationAcceptSchema, InvitationCreateSchema, InvitationDeclineSchema, InvitationSchema,
)


@bp.post("/wishes/<int:wish_id>/invitations")
@roles_required(*STAFF)
@also_answers({409: "the wish is not open (wish_not_open), or this volunteer or "
                    "organisation already has a live invitation to it (already_invited)"})
@responds(InvitationSchema, 201)
@use_schema(InvitationCreateSchema)
def create_invitation(data, wish_id):
    """Invite an approved volunteer (user_id) or a reporting organisation (organization_id)
    of the wish's community to claim an open wish (the community's secretary, or an admin);
    the invitee is told."""
    return invitations.invite(current_user, wish_id, **data)


@bp.get("/wishes/<int:wish_id>/invitations")
@roles_required(*STAFF)
@responds(InvitationSchema, many=True)
def wish_invitations(wish_id):
    """A wish's invitations with their answers, newest first (the community's staff)."""
    return invitations.wish_invitations(current_user, wish_id)


@bp.get("/me/invitations")
@login_required
@responds(InvitationSchema, many=True)
def my_invitations():
    """My live invitations, newest first: mine, and those of the organisations I am the
    contact of."""
    return invitations.my_invitations(current_user)


@bp.post("/invitations/<int:invitation_id>/accept")
@login_required
@also_answers({409: "the invitation was answered, expired or lapsed (invitation_answered, "
                    "invitation_expired, invitation_lapsed), or someone else claimed the "
                    "wish first (wish_already_claimed)"})
@responds(InvitationSchema)
@use_schema(InvitationAcceptSchema)
def accept_invitation(data, invitation_id):
    """Accept: claim the wish, signing its responsibility letter (the invitee, or the
    organisation's contact, who claims for the organisation)."""
    return invitations.accept_invitation(current_user, invitation_id, **data)


@bp.post("/invitations/<int:invitation_id>/decline")
@login_required
@also_answers({409: "the invitation was answered, expired or lapsed"})
@responds(InvitationSchema)
@use_schema(InvitationDeclineSchema)
def decline_invitation(data, invitation_id):
    """Decline (婉拒), with a reason if you like; whoever invited is told."""
    return invitations.decline_invitation(current_user, invitation_id, **data)
