"""年度评选 for the community's secretary (and admins): open a year's selection, then one page
that walks its steps in order, showing what is next: freeze, adjust the list with reasons,
公示, answer objections, publish, and the certificates."""

from flask import flash, redirect, request, url_for
from flask_login import current_user

from wishboard.accounts.models import STAFF
from wishboard.blueprints import id_arg
from wishboard.blueprints.admin import bp, community_page, managed_community_id
from wishboard.blueprints.forms import submit_form
from wishboard.blueprints.login import roles_required
from wishboard.core.clock import local_day, utcnow
from wishboard.core.schemas import BaseSchema, ReasonSchema
from wishboard.honours import services as honours
from wishboard.honours.models import DEFAULT_SETTINGS, SETTING_LABELS, HonourDivision
from wishboard.honours.schemas import (
    NomineeCreateSchema, ObjectionAnswerSchema, PublicityStartSchema, SelectionCreateSchema,
    SelectionSettingsSchema,
)
from wishboard.honours.services import STEPS


def _selections_page(form=None, status: int = 200):
    community_id = managed_community_id()
    selections = honours.list_selections(current_user, community_id) if community_id else []
    year = local_day(utcnow()).year
    taken = {s.year for s in selections}
    # This year's selection until it is opened, then next year's (opened early to
    # announce the rules).
    suggested = year if year not in taken else year + 1
    return community_page("admin/selections.html", community_id, selections=selections,
                          form=form, suggested_year=suggested, defaults=DEFAULT_SETTINGS,
                          labels=SETTING_LABELS), status


@bp.get("/selections")
@roles_required(*STAFF)
def selections():
    """年度评选: the community's selections, and the form that opens a year's."""
    return _selections_page()


@bp.post("/selections")
@roles_required(*STAFF)
def open_selection():
    community_id = managed_community_id()
    form = submit_form(SelectionCreateSchema, lambda d: honours.open_selection(
        current_user, community_id or 0, **d))
    if not form.ok:
        return _selections_page(form, 400)
    flash(f"已开启{form.result.year}年度评选", "success")
    return redirect(url_for("admin.selection", selection_id=form.result.id))


def _selection_page(selection_id: int, form=None, form_name: str = "", status: int = 200):
    view = honours.selection_view(current_user, selection_id)
    if not view.rights.manage:
        return redirect(url_for("web.selection_detail", selection_id=selection_id))
    standings = honours.list_standings(current_user, selection_id) \
        if view.selection.frozen_at else []
    listed = {(n.user_id, n.organization_id) for n in view.nominees if n.is_listed}
    choices = {d: [(r.user_id or r.organization_id,
                    f"第{r.rank}名 {r.name}（{r.points}分，完成{r.completions}次）")
                   for r in standings if r.division is d
                   and (r.user_id, r.organization_id) not in listed]
               for d in HonourDivision}
    return community_page("admin/selection.html", view.selection.community_id, view=view,
                          selection=view.selection, divisions=list(HonourDivision),
                          steps=STEPS, choices=choices, form=form, form_name=form_name,
                          labels=SETTING_LABELS), status


@bp.get("/selections/<int:selection_id>")
@roles_required(*STAFF)
def selection(selection_id):
    return _selection_page(selection_id)


def _step(selection_id: int, schema, action, *, done: str, form_name: str, anchor: str = ""):
    """Run one step's form; on a mistake, the page again with the words next to the form."""
    form = submit_form(schema, action)
    if not form.ok:
        return _selection_page(selection_id, form, form_name, 400)
    flash(done, "success")
    # An objection or a certificate names its selection (the page's link may not).
    selection_id = getattr(form.result, "selection_id", None) or form.result.id
    return redirect(url_for("admin.selection", selection_id=selection_id, _anchor=anchor))


class _NoFields(BaseSchema):
    """A step whose form is its button alone."""


@bp.post("/selections/<int:selection_id>/settings")
@roles_required(*STAFF)
def selection_settings(selection_id):
    return _step(selection_id, SelectionSettingsSchema, lambda d: honours.update_settings(
        current_user, selection_id, **d), done="评选规则已保存", form_name="settings",
        anchor="settings")


@bp.post("/selections/<int:selection_id>/freeze")
@roles_required(*STAFF)
def freeze_selection(selection_id):
    return _step(selection_id, _NoFields, lambda d: honours.freeze_selection(
        current_user, selection_id), done="积分已冻结，已按规则提出候选名单。请检查名单。",
        form_name="freeze", anchor="next")


@bp.post("/selections/<int:selection_id>/nominees")
@roles_required(*STAFF)
def add_nominee(selection_id):
    division = request.form.get("division", "")
    values = {k: v for k, v in request.form.items()
              if k not in ("csrf_token", "division") and v.strip()}
    form = submit_form(NomineeCreateSchema, lambda d: honours.add_nominee(
        current_user, selection_id, **d), values=values)
    if not form.ok:
        return _selection_page(selection_id, form, f"add-{division}", 400)
    flash(f"已增补{form.result.name}", "success")
    return redirect(url_for("admin.selection", selection_id=selection_id,
                            _anchor=f"division-{form.result.division.value}"))


@bp.post("/selections/<int:selection_id>/nominees/<int:nominee_id>/remove")
@roles_required(*STAFF)
def remove_nominee(selection_id, nominee_id):
    return _step(selection_id, ReasonSchema, lambda d: honours.remove_nominee(
        current_user, selection_id, nominee_id, **d), done="已移出名单",
        form_name=f"remove-{nominee_id}", anchor=f"nominee-{nominee_id}")


@bp.post("/selections/<int:selection_id>/publicity")
@roles_required(*STAFF)
def start_publicity(selection_id):
    return _step(selection_id, PublicityStartSchema, lambda d: honours.start_publicity(
        current_user, selection_id, **d), done="公示已开始。可以打印海报贴到公告栏。",
        form_name="publicity", anchor="next")


@bp.post("/objections/<int:objection_id>/answer")
@roles_required(*STAFF)
def answer_objection(objection_id):
    selection_id = id_arg(request.args, "selection_id") or 0
    return _step(selection_id, ObjectionAnswerSchema, lambda d: honours.answer_objection(
        current_user, objection_id, **d), done="已答复，提出异议的人会收到通知",
        form_name=f"answer-{objection_id}", anchor="objections")


@bp.post("/selections/<int:selection_id>/nominees/<int:nominee_id>/answer")
@roles_required(*STAFF)
def answer_objections(selection_id, nominee_id):
    """One answer to every objection waiting about one nominee."""
    form = submit_form(ObjectionAnswerSchema, lambda d: honours.answer_objections(
        current_user, selection_id, nominee_id, **d))
    if not form.ok:
        return _selection_page(selection_id, form, f"answer-all-{nominee_id}", 400)
    flash(f"已一并答复{len(form.result)}条异议，提出异议的人都会收到通知", "success")
    return redirect(url_for("admin.selection", selection_id=selection_id,
                            _anchor="objections"))


@bp.post("/selections/<int:selection_id>/end-early")
@roles_required(*STAFF)
def end_publicity_early(selection_id):
    return _step(selection_id, ReasonSchema, lambda d: honours.end_publicity_early(
        current_user, selection_id, **d), done="公示已提前结束", form_name="end-early",
        anchor="next")


@bp.post("/selections/<int:selection_id>/reopen")
@roles_required(*STAFF)
def reopen_selection(selection_id):
    return _step(selection_id, ReasonSchema, lambda d: honours.reopen_selection(
        current_user, selection_id, **d), done="可以重新调整名单了。调整后请重新公示。",
        form_name="reopen", anchor="next")


@bp.post("/selections/<int:selection_id>/publish")
@roles_required(*STAFF)
def publish_selection(selection_id):
    return _step(selection_id, _NoFields, lambda d: honours.publish_selection(
        current_user, selection_id), done="评选结果已公布，荣誉证书已发放。",
        form_name="publish", anchor="next")


@bp.post("/certificates/<code>/withdraw")
@roles_required(*STAFF)
def withdraw_certificate(code):
    selection_id = id_arg(request.args, "selection_id") or 0
    return _step(selection_id, ReasonSchema, lambda d: honours.withdraw_certificate(
        current_user, code, **d), done="荣誉已撤销，证书核验时会显示已撤销",
        form_name=f"withdraw-{code}", anchor="certificates")
