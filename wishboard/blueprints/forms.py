"""Web forms load through the same marshmallow schemas as the API (one rule serves both)."""

from __future__ import annotations

from typing import Any, Callable

from flask import request

from wishboard.core.schemas import form_data, load_or_raise
from wishboard.errors import ConflictError, UnauthorizedError, ValidationFailedError

# Errors a person can fix by changing what they typed: shown next to the form, never as a page.
FIXABLE = (ValidationFailedError, ConflictError, UnauthorizedError)


class FormResult:
    def __init__(self, values: dict, errors: dict, result: Any = None):
        self.values, self.errors, self.result = values, errors, result

    @property
    def ok(self) -> bool:
        return not self.errors


def submit_form(schema_cls, action: Callable[[dict], Any]) -> FormResult:
    """Validate ``request.form`` with ``schema_cls`` and run ``action`` on the result.
    Errors come back per field (``_form`` for the form as a whole), with what was typed."""
    values = form_data(request.form)
    try:
        data = load_or_raise(schema_cls(), values)
        return FormResult(values, {}, action(data))
    except FIXABLE as error:
        errors = dict(error.fields)
        errors.setdefault("_form", [error.message])
        values.pop("password", None)
        return FormResult(values, errors)
