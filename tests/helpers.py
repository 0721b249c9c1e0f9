"""Assertions shared by the tests."""


def error_of(response) -> dict:
    """The API error body, checked to have API.md's shape."""
    body = response.get_json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "fields"}, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]


def local_today():
    """Today in Asia/Shanghai, the calendar service dates are written in."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo("Asia/Shanghai")).date()
