"""Service projects: members join the claiming organisation's project and log their service;
the secretary or the organisation's contact confirms or declines each log."""

from flask_login import current_user

from wishboard.blueprints.api import bp
from wishboard.blueprints.api.helpers import responds, use_schema
from wishboard.blueprints.login import login_required
from wishboard.core.schemas import ReasonSchema
from wishboard.projects import services as projects
from wishboard.projects.schemas import MemberSchema, ServiceLogCreateSchema, ServiceLogSchema


@bp.post("/wishes/<int:wish_id>/members")
@login_required
@responds(MemberSchema, 201)
def join_project(wish_id):
    """A member of the claiming organisation joins the service project."""
    return projects.join_project(current_user, wish_id)


@bp.post("/wishes/<int:wish_id>/service-logs")
@login_required
@responds(ServiceLogSchema, 201)
@use_schema(ServiceLogCreateSchema)
def log_service(data, wish_id):
    """A joined member logs service given (date, hours, note), to be confirmed."""
    return projects.log_service(current_user, wish_id, **data)


@bp.post("/service-logs/<int:log_id>/confirm")
@login_required
@responds(ServiceLogSchema)
def confirm_service_log(log_id):
    """The secretary or the organisation's contact confirms logged service."""
    return projects.confirm_log(current_user, log_id)


@bp.post("/service-logs/<int:log_id>/reject")
@login_required
@responds(ServiceLogSchema)
@use_schema(ReasonSchema)
def reject_service_log(data, log_id):
    """The secretary or the organisation's contact declines logged service, saying why."""
    return projects.reject_log(current_user, log_id, data["reason"])
