"""年度评选 for the community's secretary (and admins): open a year's selection, then one page
that walks its steps in order, showing what is next: freeze, adjust the list with reasons,
公示, answer objections, publish, and the certificates. Each step's form comes from
``wishboard.blueprints.honour_steps``, the table the API reads too."""

from flask import flash, redirect, request, url_for
from flask_login import current_user

from wishboard.accounts.models import STAFF
from wishboard.blueprints import id_arg
from wishboard.blueprints.admin import bp, community_page, managed_community_id
from wishboard.blueprints.forms import submit_form
from wishboard.blueprints.honour_pages import STAGES, selection_page
from wishboard.blueprints.honour_steps import HONOUR_STEPS, STEP, HonourStep, path_names
from wishboard.blueprints.login import roles_required
from wishboard.core.clock import local_day, utcnow
from wishboard.core.schemas import BaseSchema, form_data
from wishboard.honours import services as honours
from wishboard.honours.models import DEFAULT_SETTINGS, SETTING_LABELS, HonourDivision


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


_OPEN = STEP["open_selection"]


@bp.post(_OPEN.page_path)
@roles_required(*STAFF)
def open_selection():
    """The first step: for the community the secretary manages (an admin: the one chosen)."""
    community_id = managed_community_id()
    form = submit_form(_OPEN.schema, lambda d: _OPEN.use_case(
        current_user, community_id or 0, **d))
    if not form.ok:
        return _selections_page(form, 400)
    flash(_OPEN.said(form.result), "success")
    return redirect(url_for("admin.selection", selection_id=form.result.id))


def _selection_page(selection_id: int, form=None, form_name: str = "", status: int = 200):
    view = selection_page(current_user, selection_id)
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
                          steps=STAGES, choices=choices, form=form, form_name=form_name,
                          labels=SETTING_LABELS), status


@bp.get("/selections/<int:selection_id>")
@roles_required(*STAFF)
def selection(selection_id):
    return _selection_page(selection_id)


class _NoFields(BaseSchema):
    """A step whose form is its button alone."""


class _Blank(dict):
    def __missing__(self, key):
        return ""


def _step_page(step: HonourStep):
    """The form of one step on the selection's page: run it; on a mistake, the page again
    with the words next to the form; once done, say so and go back to where it was."""
    names = path_names(step.page_path)

    def view(**values):
        # An objection or a certificate names its selection in the query (the path may not).
        selection_id = values.get("selection_id") or id_arg(request.args, "selection_id") or 0
        sent = None
        if step.page_ignores:
            sent = {k: v for k, v in form_data(request.form).items()
                    if k not in step.page_ignores}
        form = submit_form(step.schema or _NoFields, lambda d: step.use_case(
            current_user, *(values[n] for n in names), **d), values=sent)
        if not form.ok:
            name = step.name.format_map(_Blank(request.form.to_dict(), **values))
            return _selection_page(selection_id, form, name, 400)
        flash(step.said(form.result), "success")
        back = getattr(form.result, "selection_id", None) or getattr(form.result, "id", None) \
            or selection_id
        anchor = step.anchor(form.result) if callable(step.anchor) \
            else step.anchor.format_map(_Blank(values))
        return redirect(url_for("admin.selection", selection_id=back, _anchor=anchor))

    view.__name__ = step.operation
    return roles_required(*STAFF)(view)


for _step in HONOUR_STEPS:
    if _step.on == "admin" and _step is not _OPEN:
        bp.add_url_rule(_step.page_path, view_func=_step_page(_step), methods=["POST"])
