"""The year-end selection (年度评选): open, freeze, adjust the list, 公示 with objections,
publish; and the certificates, verified by their code."""

from flask_login import current_user

from wishboard.accounts.models import STAFF, Role
from wishboard.blueprints.api import bp
from wishboard.blueprints.api.helpers import also_answers, responds, use_schema
from wishboard.blueprints.login import login_required, roles_required
from wishboard.core.schemas import ReasonSchema
from wishboard.honours import services as honours
from wishboard.honours.schemas import (
    CertificateSchema, NomineeCreateSchema, NomineeSchema, ObjectionAnswerSchema,
    ObjectionCreateSchema, ObjectionSchema, PublicityStartSchema, SelectionCreateSchema,
    SelectionSchema, SelectionSettingsSchema, SelectionSummarySchema, StandingQuerySchema,
    StandingSchema,
)


def viewer():
    return current_user if current_user.is_authenticated else None


def _view(selection):
    return honours.selection_view(viewer(), selection.id)


@bp.post("/communities/<int:community_id>/selections")
@roles_required(*STAFF)
@also_answers({409: "this community's selection of that year is already open "
                    "(selection_exists)"})
@responds(SelectionSchema, 201)
@use_schema(SelectionCreateSchema)
def open_selection(data, community_id):
    """Open the year's selection (the community's secretary, or an admin): the cut-off day
    (31 December by default) and the rules (places per division, the least completed
    services and average stars). Before the cut-off day ends (400 on ``cutoff`` after);
    later only an admin, with a ``reason``."""
    return _view(honours.open_selection(current_user, community_id, **data))


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


@bp.patch("/selections/<int:selection_id>")
@roles_required(*STAFF)
@responds(SelectionSchema)
@use_schema(SelectionSettingsSchema)
def update_selection(data, selection_id):
    """Change the rules while the selection waits for its cut-off: until the cut-off day
    ends (409 ``cutoff_passed`` after); later only an admin, with a ``reason``."""
    return _view(honours.update_settings(current_user, selection_id, **data))


@bp.post("/selections/<int:selection_id>/freeze")
@roles_required(*STAFF)
@also_answers({409: "the cut-off day is not over (cutoff_not_reached), or already frozen"})
@responds(SelectionSchema)
def freeze_selection(selection_id):
    """Freeze the standings at the cut-off (a snapshot later corrections leave alone) and
    let the rules propose the nominees."""
    return _view(honours.freeze_selection(current_user, selection_id))


@bp.get("/selections/<int:selection_id>/standings")
@roles_required(*STAFF)
@responds(StandingSchema, many=True)
@use_schema(StandingQuerySchema, location="query")
def list_standings(query, selection_id):
    """The frozen standings, by division in rank order (the community's staff)."""
    return honours.list_standings(current_user, selection_id, **query)


@bp.post("/selections/<int:selection_id>/nominees")
@roles_required(*STAFF)
@also_answers({409: "already on the list (already_nominated), the volunteer keeps their "
                    "name off the boards (name_not_public), or the list is not being "
                    "drawn up"})
@responds(NomineeSchema, 201)
@use_schema(NomineeCreateSchema)
def add_nominee(data, selection_id):
    """Add a volunteer (party member or elder) or an organisation of the community to the
    list, with a written reason (shown on the 公示 page)."""
    return honours.add_nominee(current_user, selection_id, **data)


@bp.post("/selections/<int:selection_id>/nominees/<int:nominee_id>/remove")
@roles_required(*STAFF)
@also_answers({409: "not on the list (nominee_not_listed), an objection to them waits "
                    "(objections_open), or the list is not being drawn up (in its 公示: "
                    "reopen after it first; published)"})
@responds(NomineeSchema)
@use_schema(ReasonSchema)
def remove_nominee(data, selection_id, nominee_id):
    """Take someone off the list while it is drawn up, with a written reason (for the staff
    and the audit log, not shown to the public). Once a 公示 has started: only in a
    correction round (reopen), and whoever the public saw on the list shows there as
    社区移出名单, with the date."""
    return honours.remove_nominee(current_user, selection_id, nominee_id, **data)


@bp.post("/selections/<int:selection_id>/publicity")
@roles_required(*STAFF)
@also_answers({409: "the list is empty (no_nominees), or not being drawn up"})
@responds(SelectionSchema)
@use_schema(PublicityStartSchema)
def start_publicity(data, selection_id):
    """Start the 公示: the list is public for ``days`` whole days of 24 hours from now (7
    by default, at least 5: 400 on ``days``; fewer only by an admin, with a ``reason``)."""
    return _view(honours.start_publicity(current_user, selection_id, **data))


@bp.post("/selections/<int:selection_id>/objections")
@login_required
@also_answers({409: "the 公示 is over (publicity_over) or not running, an objection of "
                    "yours to this nominee waits (objection_pending), or too many "
                    "(too_many_objections)"})
@responds(ObjectionSchema, 201)
@use_schema(ObjectionCreateSchema)
def raise_objection(data, selection_id):
    """Object to a nominee, with a reason, while the 公示 runs (anyone logged in). Once
    answered, the objection and its answer are public, your name never. Only objections
    of people whose word counts in the community hold the results back; others (a fresh
    or unverified account: at most 2 per selection) are recorded and may be answered."""
    return honours.raise_objection(current_user, selection_id, **data)


@bp.post("/objections/<int:objection_id>/answer")
@roles_required(*STAFF)
@also_answers({409: "already answered (objection_answered), or the selection is not in "
                    "its 公示"})
@responds(ObjectionSchema)
@use_schema(ObjectionAnswerSchema)
def answer_objection(data, objection_id):
    """Answer an objection in writing: upheld withdraws the nominee, dismissed keeps them.
    The objector is told."""
    return honours.answer_objection(current_user, objection_id, **data)


@bp.post("/selections/<int:selection_id>/nominees/<int:nominee_id>/answer")
@roles_required(*STAFF)
@also_answers({409: "no objection to this nominee waits (objection_answered), or the "
                    "selection is not in its 公示"})
@responds(ObjectionSchema, many=True)
@use_schema(ObjectionAnswerSchema)
def answer_objections(data, selection_id, nominee_id):
    """One written answer to every objection waiting about one nominee: each is answered
    as by ``POST /objections/<id>/answer``, and each objector told."""
    return honours.answer_objections(current_user, selection_id, nominee_id, **data)


@bp.post("/selections/<int:selection_id>/end-publicity-early")
@roles_required(Role.ADMIN)
@also_answers({409: "the 公示 is not running (publicity_over)"})
@responds(SelectionSchema)
@use_schema(ReasonSchema)
def end_publicity_early(data, selection_id):
    """End a running 公示 now, with a written reason (admins, for a correction round)."""
    return _view(honours.end_publicity_early(current_user, selection_id, **data))


@bp.post("/selections/<int:selection_id>/reopen")
@roles_required(*STAFF)
@also_answers({409: "the 公示 still runs (publicity_not_over) or an objection waits "
                    "(objections_open)"})
@responds(SelectionSchema)
@use_schema(ReasonSchema)
def reopen_selection(data, selection_id):
    """A correction round: back to the list after the 公示, with a written reason; a new
    公示 must follow."""
    return _view(honours.reopen_selection(current_user, selection_id, **data))


@bp.post("/selections/<int:selection_id>/publish")
@roles_required(*STAFF)
@also_answers({409: "the 公示 still runs (publicity_not_over), an objection waits "
                    "(objections_open), or not in its 公示"})
@responds(SelectionSchema)
def publish_selection(selection_id):
    """Publish the results: everyone still on the list is honoured and gets a certificate
    with a verification code."""
    return _view(honours.publish_selection(current_user, selection_id))


@bp.get("/certificates/<code>")
@responds(CertificateSchema)
def get_certificate(code):
    """Verify a certificate by its code: who (the name as printed), what honour, which
    year, which community, and whether it still stands. A code no certificate has: 404."""
    return honours.get_certificate(code)


@bp.post("/certificates/<code>/withdraw")
@roles_required(*STAFF)
@also_answers({409: "already withdrawn (certificate_withdrawn)"})
@responds(CertificateSchema)
@use_schema(ReasonSchema)
def withdraw_certificate(data, code):
    """Withdraw an honour, with a reason (the community's secretary, or an admin): it then
    verifies as withdrawn, with the date; the holder is told why."""
    return honours.withdraw_certificate(current_user, code, **data)


@bp.get("/me/certificates")
@login_required
@responds(CertificateSchema, many=True)
def my_certificates():
    """My certificates, and those of the organisations I am the contact of."""
    return honours.my_certificates(current_user)
