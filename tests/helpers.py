"""Assertions shared by the tests."""

import contextlib


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


def activity_body(community, **overrides) -> dict:
    """A valid POST /api/v1/activities body: three days ahead, two hours long."""
    from datetime import timedelta

    from wishboard.core.clock import utcnow

    start = utcnow() + timedelta(days=3)
    body = {"title": "垃圾分类宣传", "description": "在二片区设点", "category_id": 1,
            "community_id": community.id, "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=2)).isoformat(),
            "signup_deadline": (start - timedelta(hours=1)).isoformat(), "capacity": 2,
            "audience": "all"}
    body.update(overrides)
    return body


@contextlib.contextmanager
def count_queries():
    """The SQL statements sent while the block runs (a list, filled as they go)."""
    import sqlalchemy as sa

    from wishboard.extensions import db

    statements = []

    def before(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before)


def settle_homes(days: int = 8) -> None:
    """Everyone's home place was said ``days`` ago: past the week a new one waits before it
    opens the contacts' numbers (grid.services.HOME_SETTLE)."""
    from datetime import timedelta

    import sqlalchemy as sa

    from wishboard.extensions import db
    from wishboard.grid.models import ResidentHome
    from wishboard.matching.models import VolunteerProfile

    from wishboard.core.clock import utcnow

    for model in (ResidentHome, VolunteerProfile):
        db.session.execute(sa.update(model).values(updated_at=utcnow() - timedelta(days=days)))
    db.session.commit()
