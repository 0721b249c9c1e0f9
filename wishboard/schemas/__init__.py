"""marshmallow schemas: ``*Schema`` dumps, ``*CreateSchema``/``*Schema`` with verbs load,
``*QuerySchema`` reads query strings. The web forms load through the same schemas."""

from __future__ import annotations

from marshmallow import ValidationError

from wishboard.errors import ValidationFailedError


def load_or_raise(schema, data) -> dict:
    """Validate ``data`` with ``schema`` (an instance); errors become ValidationFailedError."""
    try:
        return schema.load(data)
    except ValidationError as err:
        messages = err.messages if isinstance(err.messages, dict) else {"_schema": err.messages}
        raise ValidationFailedError(fields=messages) from None


def form_data(form) -> dict:
    """An HTML form as schema input: blank optional fields are treated as not given."""
    return {k: v for k, v in form.items() if k != "csrf_token" and v.strip() != ""}
