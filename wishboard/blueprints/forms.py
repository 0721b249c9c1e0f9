"""Web forms load through the same marshmallow schemas as the API (one rule serves both)."""

from __future__ import annotations

from typing import Any, Callable

from flask import flash, redirect, request, url_for
from werkzeug.wrappers import Response

from wishboard.core.schemas import form_data, load_or_raise
from wishboard.errors import ConflictError, UnauthorizedError, ValidationFailedError
from wishboard.places import services as places

# Errors a person can fix by changing what they typed: shown next to the form, never as a page.
FIXABLE = (ValidationFailedError, ConflictError, UnauthorizedError)


class FormResult:
    def __init__(self, values: dict, errors: dict, result: Any = None):
        self.values, self.errors, self.result = values, errors, result

    @property
    def ok(self) -> bool:
        return not self.errors


def submit_form(schema_cls, action: Callable[[dict], Any], *,
                values: dict | None = None) -> FormResult:
    """Validate ``request.form`` with ``schema_cls`` and run ``action`` on the result.
    Errors come back per field (``_form`` for the form as a whole), with what was typed.
    ``values``: the form already shaped for the schema, for a form that sends lists (a row
    of checkboxes) or nests its fields; by default ``form_data(request.form)``."""
    values = form_data(request.form) if values is None else values
    try:
        data = load_or_raise(schema_cls(), values)
        return FormResult(values, {}, action(data))
    except FIXABLE as error:
        errors = dict(error.fields)
        errors.setdefault("_form", [error.message])
        values.pop("password", None)
        return FormResult(values, errors)


def handle_form(schema_cls, action: Callable[[dict], Any], *, done: str | Callable[[Any], str],
                then: Callable[[Any], str] | None = None,
                values: Callable[[], dict] | None = None
                ) -> tuple[FormResult | None, Response | None]:
    """A page with a form that creates or saves something. On POST, run ``action`` on the
    validated form; when it succeeds, say ``done`` and go to ``then(result)`` (by default
    the same page again, so a reload does not send the form twice). Returns the
    form (None before it is sent; with its errors when it failed) and, once it succeeded,
    the redirect to answer with (``form, sent = handle_form(...)``). ``values`` shapes the
    sent form for the schema (see ``submit_form``)."""
    if request.method != "POST":
        return None, None
    form = submit_form(schema_cls, action, values=values() if values else None)
    if not form.ok:
        return form, None
    flash(done(form.result) if callable(done) else done, "success")
    return form, redirect(then(form.result) if then
                          else url_for(request.endpoint, **(request.view_args or {})))


def place_choices(community) -> dict:
    """The category and grid pickers of a form about something in ``community``."""
    return {
        "category_options": [(c.id, c.name) for c in places.list_categories()],
        "grid_options": places.grid_options(places.community_grid(community)),
    }


def done(message: str, endpoint: str, **values) -> Response:
    """Say what was done, and go to ``endpoint``."""
    flash(message, "success")
    return redirect(url_for(endpoint, **values))
