"""How answers are written as JSON: Chinese as it is (not ``\\u`` escapes), keys in the order
the code gives them, and half a surrogate pair written as its ``\\u`` escape.

A JSON body may carry ``"\\ud800"``, half of a surrogate pair that Python reads as a string
no UTF-8 can hold. The schemas refuse such text in every field (``core.schemas.Str``), but an
answer may still echo what the client sent: the name of a field the schema does not know
(``{"\\ud800": 1}`` is answered ``不认识这个字段`` under that name). Written raw, that string
cannot be encoded and the answer becomes a 500; written as an escape, it is valid JSON that
names the field exactly as the client spelt it.
"""

from __future__ import annotations

import re

from flask.json.provider import DefaultJSONProvider

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape(match: re.Match) -> str:
    return f"\\u{ord(match[0]):04x}"


class JSONProvider(DefaultJSONProvider):
    ensure_ascii = False  # Chinese stays readable in JSON
    sort_keys = False

    def dumps(self, obj, **kwargs) -> str:
        # With ensure_ascii off, only text inside a JSON string can hold a surrogate, and
        # there its escape stands for the same character.
        return _LONE_SURROGATE.sub(_escape, super().dumps(obj, **kwargs))
