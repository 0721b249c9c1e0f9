"""Authentication, the current user, staff accounts and the secretary's 报到 queue."""

from flask import Response
from flask_login import current_user

from wishboard.accounts import hats
from wishboard.accounts import services as accounts
from wishboard.accounts import tokens
from wishboard.accounts.models import STAFF, Role
from wishboard.accounts.schemas import (
    HatCreateSchema, HatSchema, LoginSchema, MeSchema, MeUpdateSchema, PasswordResetSchema, RegisterSchema, RejectReportSchema,
    ResetCodeSchema, ResetDoneSchema, ResidentQuerySchema, StaffUserCreateSchema, SwitchedSchema,
    SwitchSchema, TokenSchema, UserSchema, VolunteerQuerySchema,
)
from wishboard.blueprints.api import bp
from wishboard.blueprints.api.helpers import also_answers, responds, use_schema
from wishboard.blueprints.login import (
    authenticate_counting_failures, bearer_token, has_remember_cookie, limit_login_failures,
    limit_password_guesses, limit_registrations, login_required,
    reset_password_counting_failures, roles_required, start_session,
    switch_hat_counting_failures,
)
from wishboard.errors import ValidationFailedError


@bp.post("/auth/register")
@limit_registrations
@also_answers({429: "too many sign-ups from this address"})
@responds(UserSchema, 201)
@use_schema(RegisterSchema)
def register(data):
    """Register a resident or a volunteer (a volunteer's 报到 starts pending)."""
    return accounts.register_user(**data)


@bp.post("/auth/token")
@limit_login_failures
@also_answers({401: "wrong credentials", 429: "too many failed attempts"})
@responds(TokenSchema, 200)
@use_schema(LoginSchema)
def create_token(data):
    """Exchange a username and password for a bearer token."""
    user = authenticate_counting_failures(data["username"], data["password"])
    raw, token = tokens.issue_token(user)
    return {"token": raw, "token_type": "Bearer", "expires_at": token.expires_at}


@bp.post("/auth/reset")
@limit_login_failures
@also_answers({429: "too many wrong codes"})
@responds(ResetDoneSchema, 200)
@use_schema(PasswordResetSchema)
def reset_password(data):
    """Set a new password with the six-digit code the community's secretary gave (by
    username or mobile number). Every session and token of the person ends."""
    return reset_password_counting_failures(data["username"], data["code"], data["password"])


@bp.post("/users/<int:user_id>/password-reset")
@roles_required(*STAFF)
@also_answers({404: "no such person"})
@responds(ResetCodeSchema, 201)
def issue_reset_code(user_id):
    """A one-time code for a person of my community who cannot log in, valid 24 hours and
    shown only in this answer: read it out or print it."""
    return accounts.issue_reset_code(current_user, user_id)


@bp.delete("/auth/token")
@login_required
def revoke_token():
    """Revoke the bearer token this request carries."""
    raw = bearer_token()
    if raw is None:
        raise ValidationFailedError("请在 Authorization 头中带上要注销的令牌",
                                    message_en="Send the token to revoke as a Bearer header",
                                    code="no_token")
    tokens.revoke_token(raw)
    return Response(status=204)


revoke_token.response_schema = (None, 204, False, False)


@bp.get("/me")
@login_required
@responds(MeSchema)
def me():
    """The current user, with role, community, 报到 status and points."""
    return current_user._get_current_object()


@bp.patch("/me")
@login_required
@responds(MeSchema)
@use_schema(MeUpdateSchema)
def update_me(data):
    """Choose whether my name shows on public boards (my points count either way)."""
    return accounts.update_preferences(current_user, **data)


@bp.get("/me/hats")
@login_required
@responds(HatSchema, many=True)
def my_hats():
    """My hats (切换身份): the account I log in with and, for a community secretary who
    also volunteers where they live, the volunteer hat; ``current`` marks the one worn."""
    return hats.hats_of(current_user._get_current_object())


@bp.post("/me/hats")
@roles_required(Role.SECRETARY)
@also_answers({409: "already_volunteer_elsewhere"})
@responds(UserSchema, 201)
@use_schema(HatCreateSchema)
def add_hat(data):
    """A community secretary reports as a volunteer in another community, where they live:
    a volunteer hat whose 报到 waits for that community's secretary."""
    return hats.add_volunteer_hat(current_user._get_current_object(), **data)


@bp.post("/auth/switch")
@login_required
@limit_password_guesses(lambda: current_user.username)
@also_answers({429: "too many wrong passwords"})
@responds(SwitchedSchema)
@use_schema(SwitchSchema)
def switch_hat(data):
    """Wear another of my hats. A browser session is logged in as it; a bearer-token client
    gets a token for it. Back to the account I log in with, my password again."""
    target = switch_hat_counting_failures(current_user._get_current_object(), data["user_id"],
                                          data["password"])
    if bearer_token() is not None:
        raw, token = tokens.issue_token(target)
        return {"user": target, "token": raw, "token_type": "Bearer",
                "expires_at": token.expires_at}
    start_session(target, remember=has_remember_cookie())
    return {"user": target, "token": None, "token_type": None, "expires_at": None}


@bp.post("/admin/users")
@roles_required(Role.ADMIN)
@responds(UserSchema, 201)
@use_schema(StaffUserCreateSchema)
def create_staff_user(data):
    """Create a community secretary (admins only)."""
    return accounts.create_staff_user(current_user, **data)


@bp.get("/volunteers")
@roles_required(*STAFF)
@responds(UserSchema, paginated=True)
@use_schema(VolunteerQuerySchema, location="query")
def list_volunteers(query):
    """A community's volunteers by 报到 status (default: pending, oldest first)."""
    return accounts.list_volunteers(current_user, shown=True, **query)


@bp.post("/volunteers/<int:user_id>/approve")
@roles_required(*STAFF)
@responds(UserSchema)
def approve_volunteer(user_id):
    """Approve a volunteer's 报到."""
    return accounts.approve_report(current_user, user_id)


@bp.post("/volunteers/<int:user_id>/reject")
@roles_required(*STAFF)
@responds(UserSchema)
@use_schema(RejectReportSchema)
def reject_volunteer(data, user_id):
    """Reject a volunteer's 报到, with a reason they will see."""
    return accounts.reject_report(current_user, user_id, data["reason"])


@bp.get("/residents")
@roles_required(*STAFF)
@responds(UserSchema, paginated=True)
@use_schema(ResidentQuerySchema, location="query")
def list_residents(query):
    """A community's residents, those waiting for verification first (verified=false for
    just those)."""
    return accounts.list_residents(current_user, shown=True, **query)


@bp.post("/users/<int:user_id>/verify")
@roles_required(*STAFF)
@responds(UserSchema)
def verify_user(user_id):
    """The secretary verifies a resident they know: their ratings earn points from now on,
    and those already given earn now."""
    return accounts.verify_resident(current_user, user_id)
