"""服务标识: my service card, a code checked at the door, and voiding the codes shown."""

from flask_login import current_user

from wishboard.blueprints.api import bp
from wishboard.blueprints.api.helpers import also_answers, responds, use_schema
from wishboard.blueprints.login import login_required
from wishboard.blueprints.web.serviceid import REFRESH_SECONDS
from wishboard.serviceid import services as serviceid
from wishboard.serviceid.schemas import CardSchema, CheckQuerySchema, CheckSchema, RevokedSchema
from wishboard.templating import public_url


@bp.get("/me/service-card")
@login_required
@responds(CardSchema)
def my_service_card():
    """My service card (an approved volunteer): a code made now, counting for
    ``SERVICE_ID_SECONDS``; show a new one every ``refresh_seconds``."""
    card = serviceid.card_of(current_user._get_current_object())
    return {"user": card.user, "code": card.code, "made_at": card.made_at,
            "expires_at": card.expires_at, "work": card.work, "refresh_seconds": REFRESH_SECONDS,
            "url": public_url("web.check_service_id", code=card.code)}


@bp.get("/service-id/<string:code>")
@also_answers({404: "no such code (no_such_code)"})
@responds(CheckSchema)
@use_schema(CheckQuerySchema, location="query")
def check_service_id(query, code):
    """Check a volunteer's code (anyone, logged in or not): ``valid`` with their name,
    community, organisation and the wishes they serve now; ``expired``, ``revoked`` or
    ``not_approved`` with nothing more. ``place_id``: whether they serve a wish there."""
    return serviceid.check(code, viewer=current_user if current_user.is_authenticated else None,
                           place_id=query["place_id"])


@bp.post("/volunteers/<int:user_id>/service-card/revoke")
@login_required
@responds(RevokedSchema)
def revoke_service_card(user_id):
    """作废: every code the volunteer's card showed before stops counting (the volunteer,
    or their community's secretary)."""
    card = serviceid.revoke(current_user._get_current_object(), user_id)
    return {"user_id": card.user_id, "version": card.version, "revoked_at": card.revoked_at}
