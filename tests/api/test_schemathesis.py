"""schemathesis over every operation of the served OpenAPI document, in-process (WSGI), as a
visitor, a resident, a volunteer and a secretary of the demo community, with every check
it has: no server error, no answer the document does not describe (status, media type,
headers, body), schema-invalid input refused, schema-valid input not refused for its shape.

Schema-valid input may still break a rule the document cannot express (an unknown
community, a date outside 2000-2099, a claim on a wish already taken): those answers are 400,
404 or 409 in the error shape, and are accepted as such.

``SCHEMATHESIS_EXAMPLES`` sets the examples per operation and phase (default 5); a longer
run: ``SCHEMATHESIS_EXAMPLES=100 make test PYTEST_ARGS="-k schemathesis -s"``.
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events, from_schema
from schemathesis.transport.wsgi import WSGITransport

from wishboard.cli import demo

ROLES = {"visitor": None, "resident": "jumin_wu", "volunteer": "dangyuan_li",
         "secretary": "shuji_zhang"}
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "5"))
# Valid by the document, refused by a rule it cannot express, in the error shape.
ACCEPTED_FOR_VALID_INPUT = ["2xx", "3xx", "400", "401", "403", "404", "409", "429"]


@pytest.fixture
def in_process_resends(monkeypatch):
    """schemathesis 4.32's WSGI transport hands socket settings (``max_redirects``,
    ``verify``, ...) to werkzeug when a check re-sends a request without a session (the
    ignored-auth check does); werkzeug has no such arguments. Drop them, as the transport
    itself does for the first request."""
    send = WSGITransport.send

    def send_in_process(self, case, *, session=None, **kwargs):
        for name in ("max_redirects", "verify", "cert", "proxies"):
            kwargs.pop(name, None)
        return send(self, case, session=session, **kwargs)

    monkeypatch.setattr(WSGITransport, "send", send_in_process)


def _run(app, headers: dict) -> tuple[int, int, Counter, list[str]]:
    config = SchemathesisConfig.from_dict({
        "headers": headers,
        "generation": {"max-examples": EXAMPLES, "mode": "all", "deterministic": True},
        "checks": {"positive_data_acceptance": {
            "expected-statuses": ACCEPTED_FOR_VALID_INPUT}},
        # Each operation on its own; links between them are not described in the document.
        "phases": {"stateful": {"enabled": False}},
        # Each role's token is given; the visitor stays a visitor (no made-up account).
        "auth": {"auto-signup": False},
    })
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=config)
    operations, cases, outcomes, problems = 0, 0, Counter(), []
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            operations += event.phase.value == "fuzzing"
            cases += len(event.recorder.cases)
            outcomes[event.status.value] += 1
            if event.status in (Status.FAILURE, Status.ERROR):
                problems.append(f"{event.label} ({event.phase.value}): {event.status.value}")
            for checks in event.recorder.checks.values():
                for check in checks:
                    if check.status == Status.FAILURE:
                        problems.append(f"{event.label}: {check.name}: "
                                        f"{check.failure_info.failure.title}")
        elif isinstance(event, (events.NonFatalError, events.FatalError)):
            problems.append(f"{getattr(event, 'label', 'run')}: error: {event.info.message}")
    return operations, cases, outcomes, problems


@pytest.mark.parametrize("role", ROLES)
def test_every_operation_holds_to_the_document(app, client, in_process_resends, role):
    demo.seed_demo()
    headers = {}
    if ROLES[role]:
        answer = client.post("/api/v1/auth/token", json={"username": ROLES[role],
                                                         "password": demo.DEMO_PASSWORD})
        headers = {"Authorization": f"Bearer {answer.get_json()['token']}"}
    operations, cases, outcomes, problems = _run(app, headers)
    print(f"\nschemathesis as {role}: {operations} operations, {cases} cases, "
          f"{len(problems)} failures; scenarios {dict(outcomes)}")
    assert operations >= 50 and cases > operations * EXAMPLES
    assert problems == [], "\n".join(sorted(set(problems))[:40])
