"""The year-end selection (年度评选): open, freeze, adjust the list, 公示 with objections,
publish; and the certificates, verified by their code. The steps come from
``wishboard.blueprints.honour_steps``; the reads are below."""

from flask_login import current_user

from wishboard.accounts.models import STAFF
from wishboard.blueprints.api import bp
from wishboard.blueprints.api.helpers import also_answers, responds, use_schema
from wishboard.blueprints.honour_steps import HONOUR_STEPS, HonourStep, path_names
from wishboard.blueprints.login import login_required, roles_required
from wishboard.honours import services as honours
from wishboard.honours.schemas import (
    CertificateSchema, SelectionSchema, SelectionSummarySchema, StandingQuerySchema,
    StandingSchema,
)


def viewer():
    return current_user if current_user.is_authenticated else None


def _step_view(step: HonourStep):
    """``step.method step.path``: validate the body, run the use case, answer what it did (a
    selection as the viewer reads it)."""
    names = path_names(step.path)

    def view(data: dict | None = None, /, **values):
        result = step.use_case(current_user, *(values[n] for n in names), **(data or {}))
        if step.answer is SelectionSchema:
            return honours.selection_view(viewer(), result.id)
        return result

    view.__name__, view.__doc__ = step.operation, step.summary
    if step.schema is not None:
        view = use_schema(step.schema)(view)
    view = responds(step.answer, step.status, many=step.many)(view)
    if step.also_answers:
        view = also_answers(step.also_answers)(view)
    return roles_required(*step.roles)(view) if step.roles else login_required(view)


for _step in HONOUR_STEPS:
    bp.add_url_rule(_step.path, view_func=_step_view(_step), methods=[_step.method])


@bp.get("/communities/<int:community_id>/selections")
@responds(SelectionSummarySchema, many=True)
def list_selections(community_id):
    """A community's selections, newest year first: those in or past their 公示 for
    everyone, every one for its staff."""
    return honours.list_selections(viewer(), community_id)


@bp.get("/selections/<int:selection_id>")
@responds(SelectionSchema)
def get_selection(selection_id):
    """A selection with its list, the frozen figures of each nominee, the answered
    objections (never the objector's name, but for themselves and the staff) and, once
    published, the certificates. Before its 公示, the community's staff only (404)."""
    return honours.selection_view(viewer(), selection_id)


@bp.get("/selections/<int:selection_id>/standings")
@roles_required(*STAFF)
@responds(StandingSchema, many=True)
@use_schema(StandingQuerySchema, location="query")
def list_standings(query, selection_id):
    """The frozen standings, by division in rank order (the community's staff)."""
    return honours.list_standings(current_user, selection_id, **query)


@bp.get("/certificates/<code>")
@responds(CertificateSchema)
def get_certificate(code):
    """Verify a certificate by its code: who (the name as printed), what honour, which
    year, which community, and whether it still stands. A code no certificate has: 404."""
    return honours.get_certificate(code)


@bp.get("/me/certificates")
@login_required
@responds(CertificateSchema, many=True)
def my_certificates():
    """My certificates, and those of the organisations I am the contact of."""
    return honours.my_certificates(current_user)
