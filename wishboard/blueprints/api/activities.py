"""Activities: publish, list, sign up (with a waiting list), give a seat back, the
organiser's check-in code, check in."""

from flask import url_for
from flask_login import current_user

from wishboard.activities import services as activities
from wishboard.activities.schemas import (
    ActivityCreateSchema, ActivityQuerySchema, ActivitySchema, CheckinCodeSchema, CheckinSchema,
    SignupSchema,
)
from wishboard.blueprints.api import bp
from wishboard.blueprints.api.helpers import responds, use_schema
from wishboard.blueprints.login import login_required


@bp.post("/activities")
@login_required
@responds(ActivitySchema, 201)
@use_schema(ActivityCreateSchema)
def create_activity(data):
    """Publish an activity (the secretary, or a reporting organisation's contact)."""
    return activities.create_activity(current_user, **data)


@bp.get("/activities")
@responds(ActivitySchema, paginated=True)
@use_schema(ActivityQuerySchema, location="query")
def list_activities(query):
    """Activities, latest first."""
    return activities.list_activities(**query)


@bp.get("/activities/<int:activity_id>")
@responds(ActivitySchema)
def get_activity(activity_id):
    """One activity with its confirmed and waiting counts."""
    return activities.get_activity(activity_id)


@bp.post("/activities/<int:activity_id>/signups")
@login_required
@responds(SignupSchema, 201)
def sign_up(activity_id):
    """Sign up: a seat while there is one, else a waiting-list number."""
    return activities.sign_up(current_user, activity_id)


@bp.delete("/activities/<int:activity_id>/signups/me")
@login_required
@responds(None, 204)
def cancel_signup(activity_id):
    """Cancel my sign-up before the deadline; the first waiting person gets the seat."""
    activities.cancel_signup(current_user, activity_id)


@bp.get("/activities/<int:activity_id>/checkin-code")
@login_required
@responds(CheckinCodeSchema)
def checkin_code(activity_id):
    """The organiser's check-in code for this activity and the page its QR code opens."""
    activity, code, expires_at = activities.checkin_for_organizer(current_user, activity_id)
    return {"code": code, "expires_at": expires_at,
            "qr_url": url_for("web.activity_checkin", activity_id=activity.id, code=code,
                              _external=True),
            "qr_svg_url": url_for("web.activity_qr", activity_id=activity.id, _external=True)}


@bp.post("/activities/<int:activity_id>/checkins")
@login_required
@responds(SignupSchema)
@use_schema(CheckinSchema)
def check_in(data, activity_id):
    """Check in with the code (a confirmed participant), or someone from the list
    (the organiser, with user_id)."""
    return activities.check_in(current_user, activity_id, **data)
