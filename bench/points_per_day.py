"""The most points a cheat can move onto the boards in one day through the JSON API, with
nobody independent confirming anything.

Sets up a community the way an operator would (CLI, two python snippets and the secretary's
API calls), starts the app as a real HTTP server on 127.0.0.1, then plays a cheat who holds
one volunteer account, the account of its organisation's contact (联络员) and up to ten
fresh accounts self-registered from the same address (the sign-up limits apply: a 429 ends
the sign-ups), using only HTTP. Every attempt is recorded with its status and error code;
a refusal is a result, never a crash. At the end it prints, for each account and for the
organisation, the most points it showed above its starting figure on any board (the
community's volunteer and organisation leaderboards over every period they offer, and the
street's roll-up leaderboards when the secretary can read them) after the attack and after
a sweep run later, and writes the summary as JSON. Nothing in the bench is confirmed by
anyone independent (the community's staff do nothing after the set-up, the person served
does nothing), so the target is 0 in every row for everything beyond claims: a claim
counts when it is made (the rules, after DOMAIN.md's seed, count 认领), and is taken back
when it ends without service; the table shows those points too.

    .venv/bin/python bench/points_per_day.py [--root .] [--python .venv/bin/python]
        [--port 5077] [--out /tmp/points_attack/result.json] [--checked]
        [--sock-puppets 3] [--residents 3]

The set-up (the operator and the secretary, before the first reading of the boards): a
street with the community under it, automatic 报到 approval, 10 open micro-wishes, 2
service projects, an organisation whose contact is the second account, both accounts its
members, and a third service project the organisation claimed a week ago. The two
accounts' 报到 stay approved automatically (nobody checked them), or with ``--checked``
the secretary checks them, so the rules past that check are measured too. What the cheat
tries, in order:

- claim and release the same wish a few times (does churn leave points behind?);
- claim every open micro-wish (for the organisation, so it earns too) and complete nine
  with 0.1 hours on its own word, the last with the most hours the API accepts (probed
  from large to small); confirm its own completions (POST /wishes/<id>/confirm) and have
  the contact confirm them;
- sock-puppet members: fresh volunteers name the organisation at sign-up, the contact
  approves their requests, they join the project claimed a week ago and log 24 hours (or
  the most accepted) for every day since the claim, before their accounts existed; the
  contact (and the volunteer) confirm the logs;
- claim the other projects for the organisation; the volunteer, the contact and the
  sock puppets join them and log maximal service for today, the volunteer confirms its
  own logs, the contact everyone's; then complete every project with maximal hours;
- the contact organises activities; the volunteer and the sock puppets sign up and check
  in with the code the contact reads, and the contact checks them and itself in;
- fresh residents rate every completed wish five stars (and try to confirm it); the
  public average of the first wish (average_stars, rating_count) is read before and after;
- a few things that should simply be refused: rating its own work, changing the points
  rules or the community's settings, publishing wishes, closing them, registering as staff;
- then the operator runs the sweep once with a clock past the community's
  rating_trust_days (30 days when it is off), and the boards are read again.

A fresh SQLite database and instance folder are made in a temporary directory and removed
at the end, with the server, whatever happens.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

HOST = "127.0.0.1"
PASSWORD = "points-per-day-2026"
LOCAL_TZ = ZoneInfo("Asia/Shanghai")

# Hours to offer, largest first: the first one accepted is the most the API takes.
HOUR_STEPS = [1_000_000, 10_000, 1000, 100, 24, 12, 10, 8, 4, 2, 1, 0.5, 0.1]

# A status the client treats as "the server said no to this value" (try a smaller one).
VALUE_REFUSALS = {400, 409, 422}

# The fresh accounts one address may make for the cheat (sock puppets and residents).
FRESH_ACCOUNTS = 10
# The project the organisation claimed before the attack, and what a sock puppet logs for
# each day since (at first; then the most accepted).
CLAIMED_DAYS_AGO = 7
SOCK_PUPPET_HOURS = 24
# How long the operator's later sweep waits when the community's rating_trust_days is off.
TRUST_DAYS_WHEN_OFF = 30


# HTTP -------------------------------------------------------------------------------------

class Api:
    """A small JSON client for http://127.0.0.1:PORT/api/v1. Never raises for a refusal:
    every call answers ``(status, body)``; status 0 means no answer at all."""

    def __init__(self, port: int):
        self.base = f"http://{HOST}:{port}/api/v1"

    def call(self, method: str, path: str, body: dict | None = None,
             token: str | None = None, timeout: float = 60) -> tuple[int, object]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Accept", "application/json")
        request.add_header("Accept-Language", "en")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, _json(response.read())
        except urllib.error.HTTPError as error:
            return error.code, _json(error.read())
        except (urllib.error.URLError, OSError) as error:
            return 0, {"error": {"code": "no_answer", "message": str(error)}}


def _json(raw: bytes) -> object:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return {"error": {"code": "not_json", "message": raw[:200].decode(errors="replace")}}


def error_code(body: object) -> str:
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return str(body["error"].get("code") or "?")
    return "-"


def refused_fields(body: object) -> set[str]:
    """The input fields an error answer names (``error.fields``)."""
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        fields = body["error"].get("fields")
        if isinstance(fields, dict):
            return set(fields)
    return set()


def ok(status: int) -> bool:
    return 200 <= status < 300


# The record of attempts -------------------------------------------------------------------

class Tally:
    """Per attack: how many requests, how many accepted, and the refusals by status and
    error code, in the order the attacks were first tried."""

    def __init__(self, api: Api):
        self.api = api
        self.rows: dict[str, dict] = {}

    def row(self, attack: str) -> dict:
        return self.rows.setdefault(attack, {"attempts": 0, "accepted": 0,
                                             "refused": Counter()})

    def call(self, attack: str, method: str, path: str, body: dict | None = None,
             token: str | None = None) -> tuple[int, object]:
        status, answer = self.api.call(method, path, body, token)
        row = self.row(attack)
        row["attempts"] += 1
        if ok(status):
            row["accepted"] += 1
        else:
            row["refused"][f"{status} {error_code(answer)}"] += 1
        return status, answer

    def summary(self) -> list[dict]:
        return [{"attack": name, "attempts": r["attempts"], "accepted": r["accepted"],
                 "refused": sum(r["refused"].values()), "refusals": dict(r["refused"])}
                for name, r in self.rows.items()]


# Setting up: the operator's part ----------------------------------------------------------

class SetupError(RuntimeError):
    pass


def run_cli(python: str, root: Path, env: dict, *args: str) -> str:
    """``flask --app wsgi ARGS`` with the project's python; answers its output."""
    done = subprocess.run([python, "-m", "flask", "--app", "wsgi", *args], cwd=root, env=env,
                          capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise SetupError(f"flask {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def created_id(output: str) -> int:
    match = re.search(r"\(id (\d+)\)", output)
    if not match:
        raise SetupError(f"no id in CLI output: {output!r}")
    return int(match.group(1))


# The operator records a volunteer as a member (and, if asked, the contact) of an
# organisation. The API lets a volunteer name their organisation only when registering, and
# the secretary name the contact only when creating the organisation, so a contact who is
# also a member needs this step.
MEMBERSHIP_SNIPPET = """
import sys
from wsgi import app
from wishboard.extensions import db
from wishboard.places.models import Organization
from wishboard.accounts.models import User
with app.app_context():
    user = db.session.get(User, int(sys.argv[1]))
    user.organization_id = int(sys.argv[2])
    if len(sys.argv) > 3:
        db.session.get(Organization, int(sys.argv[2])).contact_user_id = user.id
    db.session.commit()
"""

# The operator publishes a service project and a member claims it for the organisation, in
# the past (``now=``): a project the organisation has been running for a week.
PAST_CLAIM_SNIPPET = """
import sys
from datetime import datetime, timedelta
import sqlalchemy as sa
from wsgi import app
from wishboard.extensions import db
from wishboard.accounts.models import User
from wishboard.wishes import services as wishes
secretary, volunteer_id, organization_id, category_id, community_id = sys.argv[1:6]
claimed_at, due_at = datetime.fromisoformat(sys.argv[6]), datetime.fromisoformat(sys.argv[7])
with app.app_context():
    wish = wishes.create_wish(
        db.session.scalar(sa.select(User).where(User.username == secretary)),
        title="服务项目（上周认领）", description="需要志愿者帮忙", category_id=int(category_id),
        kind="project", community_id=int(community_id), beneficiary_name="王阿姨",
        beneficiary_phone="13900000099", beneficiary_address="1栋1单元",
        now=claimed_at - timedelta(hours=1))
    wishes.claim_wish(db.session.get(User, int(volunteer_id)), wish.id, accept_letter=True,
                      organization_id=int(organization_id), due_at=due_at, now=claimed_at)
    print(f"claimed project (id {wish.id})")
"""

# Which code the CLI and the snippets run: the checkout's own, first on sys.path.
WHICH_CODE_SNIPPET = "import wishboard; print(wishboard.__file__)"

# The sweep with a later clock, for code whose ``flask wishboard sweep`` takes no --now.
SWEEP_SNIPPET = """
import sys
from datetime import datetime
from wsgi import app
from wishboard.jobs import sweeps
with app.app_context():
    print(sweeps.run_sweep(datetime.fromisoformat(sys.argv[1])).summary())
"""


def run_snippet(python: str, root: Path, env: dict, what: str, snippet: str,
                *args: str) -> str:
    """``python -c SNIPPET ARGS`` in the checkout (its code first on sys.path)."""
    done = subprocess.run([python, "-c", snippet, *args], cwd=root, env=env,
                          capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise SetupError(f"{what} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


def start_server(python: str, root: Path, env: dict, port: int, log_path: Path
                 ) -> tuple[subprocess.Popen, str]:
    """gunicorn with one worker when the venv has it, else ``flask run``; in its own process
    group so it can be stopped with everything it started."""
    gunicorn = Path(python).parent / "gunicorn"
    if gunicorn.exists():
        command = [str(gunicorn), "-w", "1", "-b", f"{HOST}:{port}", "--timeout", "120",
                   "wsgi:app"]
        kind = "gunicorn"
    else:
        command = [python, "-m", "flask", "--app", "wsgi", "run", "--host", HOST,
                   "--port", str(port), "--no-reload"]
        kind = "flask run"
    log = open(log_path, "wb")
    try:
        process = subprocess.Popen(command, cwd=root, env=env, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    finally:
        log.close()
    return process, kind


def wait_until_answering(api: Api, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SetupError(f"the server exited with status {process.returncode}")
        status, _ = api.call("GET", "/categories", timeout=5)
        if status == 200:
            return
        time.sleep(0.3)
    raise SetupError("the server did not answer in time")


def stop_server(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass


def must(status: int, body: object, what: str) -> dict:
    if not ok(status):
        raise SetupError(f"{what}: HTTP {status} {json.dumps(body, ensure_ascii=False)[:400]}")
    return body if isinstance(body, dict) else {}


def token_for(api: Api, username: str) -> tuple[int, str | None]:
    """Log in with the right password (failed log-ins are rate-limited; we make none)."""
    status, body = api.call("POST", "/auth/token", {"username": username,
                                                    "password": PASSWORD})
    token = body.get("token") if ok(status) and isinstance(body, dict) else None
    return status, token


def set_up_community(api: Api, community_id: int, secretary: str, micro_wishes: int,
                     projects: int) -> dict:
    """The secretary's part, through the API: automatic 报到 approval and the wishes."""
    status, token = token_for(api, secretary)
    if token is None:
        raise SetupError(f"the secretary could not log in (HTTP {status})")
    must(*api.call("PATCH", f"/communities/{community_id}", {"auto_approve_reports": True},
                   token), "turning on automatic approval")
    status, categories = api.call("GET", "/categories")
    if not ok(status) or not categories:
        raise SetupError("no categories")
    category_id = categories[0]["id"]
    wishes = {"micro_wish": [], "project": []}
    for kind, count in (("micro_wish", micro_wishes), ("project", projects)):
        for i in range(count):
            body = {"title": f"{'服务项目' if kind == 'project' else '微心愿'} {i + 1}",
                    "description": "需要志愿者帮忙", "category_id": category_id, "kind": kind,
                    "community_id": community_id, "beneficiary_name": f"王阿姨{i + 1}",
                    "beneficiary_phone": f"139{i:08d}", "beneficiary_address": "1栋1单元"}
            wish = must(*api.call("POST", "/wishes", body, token), f"publishing a {kind}")
            wishes[kind].append(wish["id"])
    return {"token": token, "category_id": category_id, **wishes}


def register(api: Api, tally: Tally | None, attack: str, username: str, role: str,
             community_id: int, phone: str, organization_id: int | None = None
             ) -> tuple[int, dict]:
    body = {"username": username, "password": PASSWORD, "name": username, "phone": phone,
            "role": role, "community_id": community_id}
    if role == "volunteer":
        body["volunteer_type"] = "party_member"
        if organization_id is not None:
            body["organization_id"] = organization_id
    if tally is None:
        status, answer = api.call("POST", "/auth/register", body)
    else:
        status, answer = tally.call(attack, "POST", "/auth/register", body)
    return status, answer if isinstance(answer, dict) else {}


# Reading points ---------------------------------------------------------------------------

def read_points(api: Api, token: str, volunteer_id: int, community_id: int,
                organization_id: int) -> dict:
    status, me = api.call("GET", "/me", token=token)
    status_card, card = api.call("GET", f"/volunteers/{volunteer_id}", token=token)
    organization = None
    for page in range(1, 51):  # bounded: 5,000 organisations
        status_board, board = api.call(
            "GET", f"/leaderboard?community_id={community_id}&kind=organizations"
                   f"&period=all&per_page=100&page={page}")
        items = board.get("items", []) if ok(status_board) and isinstance(board, dict) else []
        for row in items:
            if row.get("id") == organization_id:
                organization = row
        if organization is not None or len(items) < 100:
            break
    return {
        "me": me.get("points") if ok(status) and isinstance(me, dict) else None,
        "card": card.get("points") if ok(status_card) and isinstance(card, dict) else None,
        "card_hours": card.get("hours") if ok(status_card) and isinstance(card, dict) else None,
        "organization": organization.get("points", 0) if organization else 0,
        "organization_hours": organization.get("hours", 0.0) if organization else 0.0,
    }


# The boards, and what each owner gained on them: every period a board offers, since a
# gain may show in one (this month) and not in another.
COMMUNITY_PERIODS = ("all", "year", "quarter", "month")
STREET_PERIODS = ("all", "year")
OWNER_KINDS = {"volunteers": "volunteer", "organizations": "organization"}


def read_board(api: Api, token: str, path: str) -> tuple[int, list[dict]]:
    """Every row of one leaderboard (pages of 100, at most 5,000 rows), with the status of
    the first page that failed, else 200."""
    rows: list[dict] = []
    for page in range(1, 51):
        status, board = api.call("GET", f"{path}&per_page=100&page={page}", token=token)
        if not ok(status) or not isinstance(board, dict):
            return status, rows
        items = board.get("items") or []
        rows += items
        if len(items) < 100:
            break
    return 200, rows


def read_boards(api: Api, token: str, community_id: int, street_id: int | None
                ) -> tuple[dict, dict]:
    """One reading of every board: ``{(board, owner kind, period, owner id): (points,
    claims)}``, and
    the status each board answered (200, or the first refusal). Read with the secretary's
    token: the street's board needs a reader on its line of the tree, and a read with a
    token never comes from the server's page cache, which the operator's sweep (another
    process) would not refresh. Reading changes nothing."""
    figures: dict[tuple, int] = {}
    reached: dict[str, int] = {}
    boards = [("community", f"/leaderboard?community_id={community_id}&kind={{kind}}"
                            "&period={period}", COMMUNITY_PERIODS)]
    if street_id is not None:
        boards.append(("street", f"/places/{street_id}/leaderboard?kind={{kind}}"
                                 "&period={period}", STREET_PERIODS))
    for board, template, periods in boards:
        for kind, owner in OWNER_KINDS.items():
            for period in periods:
                status, rows = read_board(api, token, template.format(kind=kind, period=period))
                if ok(reached.get(board, 200)):  # the first refusal stays
                    reached[board] = status
                for row in rows:
                    if row.get("id") is not None:
                        figures[(board, owner, period, row["id"])] = (
                            row.get("points") or 0, row.get("claims") or 0)
    return figures, reached


def most_moved(readings: list[dict], baseline: dict, per_claim: int
               ) -> dict[tuple[str, int], dict[str, int]]:
    """For each owner ``(kind, id)``, per board: the most points it showed above the
    baseline, over the board's periods and every reading (never less than 0); and under
    ``"<board> beyond claims"``, the same less what its new claims paid (a claim counts
    when it is made, by the rules: DOMAIN.md's seed counts 认领; it is taken back when the
    claim ends without service), which is what the target of 0 is about."""
    most: dict[tuple[str, int], dict[str, int]] = {}
    for reading in readings:
        for (board, owner, period, owner_id), (points, claims) in reading.items():
            was_points, was_claims = baseline.get((board, owner, period, owner_id), (0, 0))
            gained = points - was_points
            beyond = gained - (claims - was_claims) * per_claim
            per_board = most.setdefault((owner, owner_id), {})
            per_board[board] = max(per_board.get(board, 0), gained)
            per_board[f"{board} beyond claims"] = max(
                per_board.get(f"{board} beyond claims", 0), beyond)
    return most


def read_average(api: Api, token: str, wish_id: int | None) -> dict:
    """A wish's public average as its page gives it (a token: never a cached answer)."""
    if wish_id is None:
        return {}
    status, wish = api.call("GET", f"/wishes/{wish_id}", token=token)
    if not ok(status) or not isinstance(wish, dict):
        return {"status": status}
    return {"average_stars": wish.get("average_stars"), "rating_count": wish.get("rating_count")}


def read_card(api: Api, token: str, volunteer_id: int) -> tuple[int | None, dict]:
    """A volunteer's points card as they read it: the points waiting for a confirmation or
    a check (``pending_points``; None where the card does not say), and the ledger's points
    by rule (what reached the board, and why)."""
    pending, by_rule = None, Counter()
    for page in range(1, 11):  # bounded: 1,000 entries
        status, card = api.call("GET", f"/volunteers/{volunteer_id}?per_page=100&page={page}",
                                token=token)
        if not ok(status) or not isinstance(card, dict):
            break
        pending = card.get("pending_points") if page == 1 else pending
        entries = card.get("entries") or []
        for entry in entries:
            by_rule[entry.get("rule") or "?"] += entry.get("amount") or 0
        if len(entries) < 100:
            break
    return pending, dict(by_rule)


# The attacks ------------------------------------------------------------------------------

class Attacker:
    """The cheat: a volunteer account (``token``, ``user_id``) and the account of its
    organisation's contact (``contact``: ``{"id", "token"}``), both members of it."""

    def __init__(self, api: Api, tally: Tally, *, token: str, user_id: int, contact: dict,
                 community_id: int, organization_id: int, category_id: int):
        self.api, self.tally = api, tally
        self.token, self.user_id, self.contact = token, user_id, contact
        self.community_id, self.organization_id = community_id, organization_id
        self.category_id = category_id
        self.completed: list[int] = []
        self.limits: dict[str, float | None] = {"completion_hours": None, "log_hours": None,
                                                "backdated_log_hours": None}

    def call(self, attack: str, method: str, path: str, body: dict | None = None,
             token: str | None = None) -> tuple[int, object]:
        return self.tally.call(attack, method, path, body, token or self.token)

    def offer_hours(self, attack: str, method: str, path: str, body: dict, limit: str,
                    token: str | None = None, ceiling: float | None = None
                    ) -> tuple[int, object]:
        """Post ``body`` with ``hours``, starting at the largest value accepted so far (at
        first ``ceiling``, or the largest step) and stepping down while the server refuses
        the value; a refusal naming another field (the day served, say) ends it."""
        start = self.limits[limit] if self.limits[limit] is not None else ceiling
        steps = [h for h in HOUR_STEPS if start is None or h <= start]
        status, answer = 0, None
        for hours in steps:
            status, answer = self.call(attack, method, path, {**body, "hours": hours}, token)
            if ok(status):
                if self.limits[limit] is None or hours > self.limits[limit]:
                    self.limits[limit] = hours
                return status, answer
            if status not in VALUE_REFUSALS or refused_fields(answer) - {"hours"}:
                break
        return status, answer

    def claim(self, attack: str, wish_id: int, for_organization: bool) -> bool:
        body = {"accept_letter": True}
        if for_organization:
            body["organization_id"] = self.organization_id
        status, _ = self.call(attack, "POST", f"/wishes/{wish_id}/claim", body)
        return ok(status)

    def confirm_completion(self, wish_id: int) -> None:
        """Nobody independent: the volunteer itself, then its organisation's contact."""
        self.call("confirm own completion", "POST", f"/wishes/{wish_id}/confirm", {})
        self.call("contact confirms the completion", "POST", f"/wishes/{wish_id}/confirm", {},
                  self.contact["token"])

    # Micro-wishes

    def churn(self, wish_id: int, cycles: int) -> None:
        """Claim and release the same wish: each claim is paid, each release should take
        the payment back."""
        for _ in range(cycles):
            if not self.claim("claim/release churn", wish_id, for_organization=True):
                return
            status, _ = self.call("claim/release churn", "POST", f"/wishes/{wish_id}/release",
                                  {"reason": "临时有事"})
            if not ok(status):
                return

    def micro_wishes(self, wish_ids: list[int]) -> None:
        """Claim and complete each wish on the volunteer's word: all but the last with 0.1
        hours (so that a daily cap on stated hours lets them through, and what a completion
        earns by itself shows), the last with the most hours the API still takes."""
        for i, wish_id in enumerate(wish_ids):
            if not self.claim("claim micro-wish for the organisation", wish_id, True):
                if not self.claim("claim micro-wish personally", wish_id, False):
                    continue
            if i < len(wish_ids) - 1:
                status, _ = self.call("complete on own word at 0.1 hours", "POST",
                                      f"/wishes/{wish_id}/complete",
                                      {"note": "已完成", "hours": HOUR_STEPS[-1]})
            else:
                status, _ = self.offer_hours("complete micro-wish at max hours", "POST",
                                             f"/wishes/{wish_id}/complete",
                                             {"note": "已完成"}, "completion_hours")
            if ok(status):
                self.completed.append(wish_id)
                self.confirm_completion(wish_id)

    # Members and projects

    def approve_members(self, people: list[dict]) -> None:
        """The contact approves the membership requests ``people`` filed at sign-up."""
        ids = {person["id"] for person in people}
        status, answer = self.call(
            "contact approves sock puppets' requests", "GET",
            f"/organizations/{self.organization_id}/membership-requests?status=pending"
            "&per_page=100", token=self.contact["token"])
        items = answer.get("items", []) if ok(status) and isinstance(answer, dict) else []
        for request in items:
            if (request.get("user") or {}).get("id") in ids:
                self.call("contact approves sock puppets' requests", "POST",
                          f"/membership-requests/{request['id']}/approve", {},
                          self.contact["token"])

    def claim_projects(self, wish_ids: list[int]) -> list[int]:
        claimed = []
        for wish_id in wish_ids:
            if self.claim("claim project for the organisation", wish_id, True):
                claimed.append(wish_id)
                self.call("join project", "POST", f"/wishes/{wish_id}/members", {})
                self.call("join project again", "POST", f"/wishes/{wish_id}/members", {})
        return claimed

    def join(self, wish_ids: list[int], people: list[dict], attack: str) -> None:
        for person in people:
            for wish_id in wish_ids:
                self.call(attack, "POST", f"/wishes/{wish_id}/members", {}, person["token"])

    def log_service(self, wish_ids: list[int], logs_per_project: int, token: str,
                    attack: str) -> list[int]:
        """Log service for today, as many maximal logs as allowed (bounded); answers the
        ids of the logs accepted."""
        days = sorted({datetime.now(timezone.utc).date(), datetime.now(LOCAL_TZ).date()})
        log_ids = []
        for wish_id in wish_ids:
            for _ in range(logs_per_project):
                status = 0
                for day in days:
                    status, answer = self.offer_hours(
                        attack, "POST", f"/wishes/{wish_id}/service-logs",
                        {"served_on": day.isoformat(), "note": "服务"}, "log_hours", token)
                    if ok(status):
                        log_ids.append(answer["id"])
                        break
                if not ok(status):
                    break  # this project takes no more logs today
        return log_ids

    def log_every_day(self, wish_id: int, since: date, token: str, attack: str) -> list[int]:
        """One log for each local day from ``since`` to today, of ``SOCK_PUPPET_HOURS`` at
        first (then the most accepted); answers the ids of the logs accepted."""
        log_ids = []
        day, today = since, datetime.now(LOCAL_TZ).date()
        while day <= today:
            status, answer = self.offer_hours(
                attack, "POST", f"/wishes/{wish_id}/service-logs",
                {"served_on": day.isoformat(), "note": "服务"}, "backdated_log_hours", token,
                ceiling=SOCK_PUPPET_HOURS)
            if ok(status):
                log_ids.append(answer["id"])
            day += timedelta(days=1)
        return log_ids

    def confirm_logs(self, log_ids: list[int], attack: str, token: str | None = None) -> None:
        for log_id in log_ids:
            self.call(attack, "POST", f"/service-logs/{log_id}/confirm", {}, token)

    def complete_projects(self, wish_ids: list[int]) -> None:
        for wish_id in wish_ids:
            status, _ = self.offer_hours("complete project at max hours", "POST",
                                         f"/wishes/{wish_id}/complete",
                                         {"note": "项目完成"}, "completion_hours")
            if ok(status):
                self.completed.append(wish_id)
                self.confirm_completion(wish_id)

    # Activities

    def activities(self, count: int, members: list[dict]) -> None:
        """The contact organises activities; ``members`` (the volunteer, the sock puppets)
        sign up and check in with the code the contact reads out; the contact checks them,
        and itself, in."""
        contact = self.contact["token"]
        for i in range(count):
            now = datetime.now(timezone.utc)
            starts = now + timedelta(minutes=10)
            body = {"title": f"志愿活动 {i + 1}", "description": "社区志愿服务",
                    "category_id": self.category_id, "community_id": self.community_id,
                    "starts_at": starts.isoformat(),
                    "ends_at": (starts + timedelta(hours=1)).isoformat(),
                    "signup_deadline": starts.isoformat(), "capacity": 100,
                    "audience": "volunteers"}
            status, activity = self.call("contact organises an activity", "POST",
                                         "/activities", body, contact)
            if not ok(status):
                return
            aid = activity["id"]
            self.call("contact signs up for own activity", "POST",
                      f"/activities/{aid}/signups", {}, contact)
            for member in members:
                self.call("members sign up", "POST", f"/activities/{aid}/signups", {},
                          member["token"])
            status, code = self.call("contact reads the check-in code", "GET",
                                     f"/activities/{aid}/checkin-code", token=contact)
            if ok(status) and isinstance(code, dict):
                for member in members:
                    self.call("members check in with the code", "POST",
                              f"/activities/{aid}/checkins", {"code": code["code"]},
                              member["token"])
                self.call("contact checks itself in with the code", "POST",
                          f"/activities/{aid}/checkins", {"code": code["code"]}, contact)
            self.call("contact checks itself in again", "POST",
                      f"/activities/{aid}/checkins", {"user_id": self.contact["id"]}, contact)
            for member in members:
                self.call("contact checks members in", "POST", f"/activities/{aid}/checkins",
                          {"user_id": member["id"]}, contact)

    # Things that should be refused

    def overreach(self, some_wish: int | None) -> None:
        cid = self.community_id
        if some_wish is not None:
            self.call("rate own work", "POST", f"/wishes/{some_wish}/ratings", {"stars": 5})
            self.call("contact rates its organisation's work", "POST",
                      f"/wishes/{some_wish}/ratings", {"stars": 5}, self.contact["token"])
            self.call("close own wish", "POST", f"/wishes/{some_wish}/close", {})
        self.call("raise the points rules", "PUT", f"/communities/{cid}/points-rules",
                  {"per_claim": 1000, "per_completion": 1000, "per_hour": 1000,
                   "per_star": 1000, "per_activity": 1000})
        self.call("change community settings", "PATCH", f"/communities/{cid}",
                  {"max_open_claims": 100})
        self.call("publish a wish", "POST", "/wishes",
                  {"title": "自己发布的心愿", "description": "x", "category_id": self.category_id,
                   "community_id": cid})
        register(self.api, self.tally, "register as staff", f"shuji_{secrets.token_hex(3)}",
                 "secretary", cid, "13500000000")


def _register_many(api: Api, tally: Tally, step: str, prefix: str, role: str,
                   community_id: int, phones: str, count: int,
                   organization_id: int | None = None, keep=lambda user: True) -> list[dict]:
    """Self-registered accounts with a token each, until ``count`` or the first 429."""
    people = []
    for i in range(count):
        username = f"{prefix}_{secrets.token_hex(3)}_{i}"
        status, user = register(api, tally, step, username, role, community_id,
                                f"{phones}{i:08d}", organization_id)
        if status == 429:
            break
        if not ok(status):
            continue
        status, token = token_for(api, username)
        if status == 429:
            break
        if token and keep(user):
            people.append({"id": user.get("id"), "token": token, "username": username})
    return people


def make_residents(api: Api, tally: Tally, community_id: int, count: int) -> list[dict]:
    """Self-registered residents, until ``count`` or the first 429."""
    return _register_many(api, tally, "register fake residents", "jumin", "resident",
                          community_id, "137", count)


def make_sock_puppets(api: Api, tally: Tally, community_id: int, organization_id: int,
                      count: int) -> list[dict]:
    """Self-registered volunteers naming the cheat's organisation (which files a request to
    join it), until ``count`` or the first 429; only those approved (the community approves
    automatically) are used."""
    return _register_many(api, tally, "register sock puppets", "zhiyuan", "volunteer",
                          community_id, "136", count, organization_id,
                          keep=lambda user: user.get("report_status") == "approved")


def rate_everything(tally: Tally, residents: list[dict], wish_ids: list[int]) -> None:
    for resident in residents:
        for wish_id in wish_ids:
            tally.call("resident confirms completion", "POST", f"/wishes/{wish_id}/confirm", {},
                       resident["token"])
            tally.call("fake residents rate 5 stars", "POST", f"/wishes/{wish_id}/ratings",
                       {"stars": 5, "comment": "非常满意"}, resident["token"])


def sweep_later(python: str, root: Path, env: dict, api: Api, community_id: int) -> dict:
    """The operator sweeps once as of a day past the community's rating_trust_days
    (``TRUST_DAYS_WHEN_OFF`` when it is off): with the CLI's ``--now``, else the sweep
    function in a snippet. Answers when, how and what it said; a failure is recorded."""
    status, community = api.call("GET", f"/communities/{community_id}")
    trust = community.get("rating_trust_days") if ok(status) and isinstance(community, dict) \
        else None
    days = (trust if trust is not None else TRUST_DAYS_WHEN_OFF) + 1
    at = (datetime.now(LOCAL_TZ) + timedelta(days=days)).isoformat(timespec="seconds")
    result = {"at": at, "days_later": days, "rating_trust_days": trust}
    try:
        output = run_cli(python, root, env, "wishboard", "sweep", "--now", at)
        result["how"] = "flask wishboard sweep --now"
    except SetupError:
        try:
            output = run_snippet(python, root, env, "the sweep", SWEEP_SNIPPET, at)
            result["how"] = "sweeps.run_sweep(now)"
        except SetupError as error:
            output, result["how"] = str(error), "failed"
    result["output"] = output.strip()[-500:]
    return result


# The run ----------------------------------------------------------------------------------

def measure(args: argparse.Namespace) -> dict:
    root = Path(args.root).absolute()
    python = str(Path(args.python).absolute())  # not resolved: a venv's python is a link
    if not (root / "wsgi.py").exists():
        raise SetupError(f"{root} has no wsgi.py")
    if not Path(python).exists():
        raise SetupError(f"no python at {python}")
    if not port_is_free(args.port):
        raise SetupError(f"port {args.port} on {HOST} is in use")

    workdir = Path(tempfile.mkdtemp(prefix="points-per-day-"))
    process = None
    started = time.monotonic()
    try:
        env = {**os.environ,
               "WISHBOARD_CONFIG": "development",
               "DATABASE_URL": f"sqlite:///{workdir / 'wishboard.sqlite'}",
               "WISHBOARD_INSTANCE_PATH": str(workdir / "instance"),
               "SECRET_KEY": secrets.token_hex(32),
               "RATELIMIT_STORAGE_URI": "memory://",
               # One worker (gunicorn.conf.py reads this too), so the in-memory sign-up and
               # log-in counters are the whole server's.
               "WEB_CONCURRENCY": "1",
               "PYTHONDONTWRITEBYTECODE": "1"}
        env.pop("FLASK_ENV", None)

        # The operator: database, street, community, secretary.
        run_cli(python, root, env, "db", "upgrade")
        code = run_snippet(python, root, env, "finding the code", WHICH_CODE_SNIPPET).strip()
        street_id = created_id(run_cli(
            python, root, env, "wishboard", "create-community", "--name", "积分测试街道",
            "--level", "street"))
        community_id = created_id(run_cli(
            python, root, env, "wishboard", "create-community", "--name", "积分测试社区",
            "--level", "community", "--parent-id", str(street_id)))
        secretary = "shuji_points"
        run_cli(python, root, env, "wishboard", "create-secretary", "--username", secretary,
                "--password", PASSWORD, "--name", "张书记", "--community-id", str(community_id))

        api = Api(args.port)
        process, server_kind = start_server(python, root, env, args.port,
                                            workdir / "server.log")
        try:
            wait_until_answering(api, process)
        except SetupError:
            sys.stderr.write((workdir / "server.log").read_text(errors="replace")[-3000:])
            raise

        # The secretary, the cheat's two accounts, and their organisation.
        community = set_up_community(api, community_id, secretary, args.micro_wishes,
                                     args.projects)
        volunteer_name, contact_name = "dangyuan_points", "lianluo_points"
        ids = {}
        for username, phone in ((volunteer_name, "13800000001"), (contact_name, "13800000002")):
            status, user = register(api, None, "", username, "volunteer", community_id, phone)
            ids[username] = must(status, user, f"registering {username}")["id"]
        volunteer_id, contact_id = ids[volunteer_name], ids[contact_name]
        organization = {"name": "积分测试党支部", "community_id": community_id}
        status, answer = api.call("POST", "/organizations",
                                  {**organization, "contact_user_id": contact_id},
                                  community["token"])
        contact_by_operator = not ok(status)
        if contact_by_operator:  # the API would not take this contact: the operator sets it
            status, answer = api.call("POST", "/organizations", organization,
                                      community["token"])
        organization_id = must(status, answer, "creating the organisation")["id"]
        for user_id, is_contact in ((volunteer_id, False), (contact_id, contact_by_operator)):
            run_snippet(python, root, env, "recording the membership", MEMBERSHIP_SNIPPET,
                        str(user_id), str(organization_id), *(["contact"] if is_contact else []))
        tokens, auto_approved = {}, {}
        for username, user_id in ids.items():
            status, token = token_for(api, username)
            if token is None:
                raise SetupError(f"{username} could not log in (HTTP {status})")
            me = must(*api.call("GET", "/me", token=token), f"reading {username}")
            if me.get("report_status") != "approved" or args.checked:
                status, answer = api.call("POST", f"/volunteers/{user_id}/approve", {},
                                          community["token"])
                if error_code(answer) != "report_already_approved":
                    must(status, answer, f"approving {username}")
                me = must(*api.call("GET", "/me", token=token), f"reading {username}")
            if (me.get("organization") or {}).get("id") != organization_id:
                raise SetupError(f"{username} is not a member of its organisation")
            tokens[username], auto_approved[username] = token, me.get("report_auto_approved")
        now = datetime.now(timezone.utc)
        claimed_at = now - timedelta(days=CLAIMED_DAYS_AGO)
        last_week = created_id(run_snippet(
            python, root, env, "claiming a project in the past", PAST_CLAIM_SNIPPET, secretary,
            str(volunteer_id), str(organization_id), str(community["category_id"]),
            str(community_id), claimed_at.isoformat(), (now + timedelta(days=60)).isoformat()))

        token = tokens[volunteer_name]
        contact = {"id": contact_id, "token": tokens[contact_name]}
        before = read_points(api, token, volunteer_id, community_id, organization_id)
        baseline, reached = read_boards(api, community["token"], community_id, street_id)
        setup_seconds = time.monotonic() - started

        # The cheat, from here on through HTTP only.
        attack_started = time.monotonic()
        tally = Tally(api)
        attacker = Attacker(api, tally, token=token, user_id=volunteer_id, contact=contact,
                            community_id=community_id, organization_id=organization_id,
                            category_id=community["category_id"])
        micro, projects = community["micro_wish"], community["project"]
        if micro:
            attacker.churn(micro[0], cycles=3)
        attacker.micro_wishes(micro)

        # Sock-puppet members on last week's project, logging the days before they existed.
        puppets = make_sock_puppets(api, tally, community_id, organization_id,
                                    args.sock_puppets)
        attacker.approve_members(puppets)
        attacker.join([last_week], puppets, "sock puppets join last week's project")
        backdated_logs = []
        for puppet in puppets:
            backdated_logs += attacker.log_every_day(
                last_week, claimed_at.astimezone(LOCAL_TZ).date(), puppet["token"],
                "sock puppets log every day since the claim")
        attacker.confirm_logs(backdated_logs, "contact confirms sock puppets' logs",
                              contact["token"])
        attacker.confirm_logs(backdated_logs, "volunteer confirms sock puppets' logs")

        # Today's projects: everyone joins and logs; the organisation confirms itself.
        running = attacker.claim_projects(projects)
        attacker.join(running, [contact], "contact joins project")
        attacker.join(running, puppets, "sock puppets join project")
        own_logs = attacker.log_service(running, args.logs_per_project, token,
                                        "log service at max hours")
        attacker.confirm_logs(own_logs, "confirm own service logs")
        attacker.confirm_logs(own_logs, "contact confirms the volunteer's logs",
                              contact["token"])
        contact_logs = attacker.log_service(running, args.logs_per_project, contact["token"],
                                            "contact logs max hours")
        attacker.confirm_logs(contact_logs, "volunteer confirms the contact's logs")
        puppet_logs = []
        for puppet in puppets:
            puppet_logs += attacker.log_service(running, args.logs_per_project,
                                                puppet["token"],
                                                "sock puppets log max hours today")
        attacker.confirm_logs(puppet_logs, "contact confirms sock puppets' logs",
                              contact["token"])
        attacker.complete_projects([last_week, *running])

        attacker.activities(args.activities, [{"id": volunteer_id, "token": token}, *puppets])

        # Fake residents' stars, and the public average of the first wish completed.
        residents = make_residents(api, tally, community_id, args.residents)
        watched = attacker.completed[0] if attacker.completed else None
        reader = residents[0]["token"] if residents else token
        stars = {"wish_id": watched, "before ratings": read_average(api, reader, watched)}
        rate_everything(tally, residents, attacker.completed)
        stars["after ratings"] = read_average(api, reader, watched)
        attacker.overreach(attacker.completed[0] if attacker.completed else
                           (micro[0] if micro else None))
        attack_seconds = time.monotonic() - attack_started

        after = read_points(api, token, volunteer_id, community_id, organization_id)
        readings = []

        def read_the_boards() -> None:
            figures, statuses = read_boards(api, community["token"], community_id, street_id)
            readings.append(figures)
            for board, status in statuses.items():
                if ok(reached.get(board, 200)):  # the first refusal stays
                    reached[board] = status

        read_the_boards()
        # The operator sweeps once with a later clock; then everything is read again.
        sweep = sweep_later(python, root, env, api, community_id)
        stars["after the sweep"] = read_average(api, reader, watched)
        read_the_boards()
        boards = [board for board in ("community", "street") if ok(reached.get(board, 0))]
        status, rules = api.call("GET", f"/communities/{community_id}/points-rules")
        per_claim = rules.get("per_claim", 5) if ok(status) and isinstance(rules, dict) else 5
        most = most_moved(readings, baseline, per_claim)

        def row(who: str, owner: str, owner_id: int, card: tuple | None = None) -> dict:
            moved = most.get((owner, owner_id), {})
            pending, by_rule = card or (None, {})
            return {"who": who, "id": owner_id, **{b: moved.get(b, 0) for b in boards},
                    "most": max([moved.get(b, 0) for b in boards] + [0]),
                    "beyond claims": max([moved.get(f"{b} beyond claims", 0)
                                          for b in boards] + [0]),
                    "pending": pending, "ledger_by_rule": by_rule}

        accounts = [("volunteer", volunteer_name, volunteer_id, token),
                    ("contact", contact_name, contact_id, contact["token"]),
                    *[("sock puppet", p["username"], p["id"], p["token"]) for p in puppets],
                    *[("resident", r["username"], r["id"], r["token"]) for r in residents]]
        rows = [row(f"{role} {username}", "volunteer", user_id,
                    read_card(api, user_token, user_id) if role != "resident" else None)
                for role, username, user_id, user_token in accounts]
        rows.append(row("organisation", "organization", organization_id))

        gained = (after["me"] or 0) - (before["me"] or 0)
        return {
            "root": str(root),
            "wishboard": code,
            "server": server_kind,
            "checked_by_secretary": args.checked,
            "report_auto_approved": auto_approved,
            "attacks": tally.summary(),
            "volunteer_points_gained": gained,
            "volunteer_points": {"me": after["me"], "card": after["card"],
                                 "before": before["me"]},
            "volunteer_hours": after["card_hours"],
            "organization_points_gained": after["organization"] - before["organization"],
            "organization_hours": after["organization_hours"],
            "max_hours_accepted": attacker.limits,
            "accounts_created": {"residents": len(residents), "sock_puppets": len(puppets)},
            "wishes_completed": len(attacker.completed),
            "service_logs_accepted": {"own": len(own_logs), "contact": len(contact_logs),
                                      "sock_puppets_today": len(puppet_logs),
                                      "sock_puppets_backdated": len(backdated_logs)},
            "stars": stars,
            "sweep": sweep,
            "boards": {"target": 0, "reached": reached, "columns": boards, "rows": rows},
            "setup_seconds": round(setup_seconds, 1),
            "elapsed_seconds": round(attack_seconds, 1),
        }
    finally:
        stop_server(process)
        shutil.rmtree(workdir, ignore_errors=True)


def print_table(result: dict) -> None:
    rows = result["attacks"]
    width = max([len(r["attack"]) for r in rows] + [6])
    checked = "checked by the secretary" if result["checked_by_secretary"] \
        else "approved automatically"
    print(f"wishboard:                   {result['wishboard']} (the cheat's 报到 {checked})")
    print(f"{'attack':<{width}}  {'tries':>5}  {'ok':>4}  {'no':>4}  refusals (status code)")
    print("-" * (width + 40))
    for r in rows:
        refusals = ", ".join(f"{k} x{v}" for k, v in sorted(r["refusals"].items()))
        print(f"{r['attack']:<{width}}  {r['attempts']:>5}  {r['accepted']:>4}  "
              f"{r['refused']:>4}  {refusals}")
    print("-" * (width + 40))
    vp = result["volunteer_points"]
    print(f"volunteer points gained:     {result['volunteer_points_gained']}"
          f"  (GET /me {vp['me']}, GET /volunteers/<id> {vp['card']},"
          f" hours {result['volunteer_hours']})")
    print(f"organisation points gained:  {result['organization_points_gained']}"
          f"  (leaderboard hours {result['organization_hours']})")
    limits = result["max_hours_accepted"]
    print(f"max hours accepted:          completion {limits['completion_hours']},"
          f" service log {limits['log_hours']},"
          f" backdated service log {limits['backdated_log_hours']}")
    logs = result["service_logs_accepted"]
    print(f"service logs accepted:       volunteer {logs['own']}, contact {logs['contact']},"
          f" sock puppets {logs['sock_puppets_today']} today and"
          f" {logs['sock_puppets_backdated']} since the claim")
    print(f"accounts created:            {result['accounts_created']['sock_puppets']} sock"
          f" puppets, {result['accounts_created']['residents']} residents")
    stars = result["stars"]
    print(f"public average of wish {stars['wish_id']}:"
          + ";".join(f" {moment} {figures.get('average_stars')}"
                     f" of {figures.get('rating_count')} ratings"
                     for moment, figures in stars.items() if moment != "wish_id"))
    sweep = result["sweep"]
    print(f"operator's sweep:            {sweep['how']} at {sweep['at']}"
          f" (+{sweep['days_later']} days; rating_trust_days {sweep['rating_trust_days']}):"
          f" {sweep['output'].splitlines()[-1] if sweep['output'] else ''}")
    print(f"elapsed seconds:             {result['elapsed_seconds']}"
          f" (setup {result['setup_seconds']}, server: {result['server']})")


def print_boards(result: dict) -> None:
    """Per account and organisation: the most points it moved onto a board in one day
    without an independent confirmation."""
    boards = result["boards"]
    rows, columns = boards["rows"], boards["columns"]
    width = max(len(r["who"]) for r in rows)
    print()
    print("most points moved onto a board in one day; 'beyond claims' is what moved without"
          f" an independent confirmation (target {boards['target']})")
    print(f"{'account':<{width}}  {'id':>4}" + "".join(f"  {c + ' board':>15}" for c in columns)
          + f"  {'most':>5}  {'beyond claims':>13}  {'pending':>7}")
    print("-" * (width + 40 + 17 * len(columns)))
    for r in rows:
        pending = "-" if r["pending"] is None else r["pending"]
        print(f"{r['who']:<{width}}  {r['id']:>4}" + "".join(f"  {r[c]:>15}" for c in columns)
              + f"  {r['most']:>5}  {r['beyond claims']:>13}  {pending:>7}")
    print("-" * (width + 40 + 17 * len(columns)))
    unreached = {b: s for b, s in boards["reached"].items() if b not in columns}
    for board, status in unreached.items():
        print(f"the {board} board did not answer (HTTP {status})")
    missed = [r["who"] for r in rows if r["beyond claims"] > boards["target"]]
    print("target met" if not missed else f"over the target: {', '.join(missed)}")


def main() -> int:
    here = Path(__file__).absolute().parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=str(here.parent),
                        help="the project checkout to measure (default: %(default)s)")
    parser.add_argument("--python", default=None,
                        help="its virtualenv's python (default: ROOT/.venv/bin/python)")
    parser.add_argument("--port", type=int, default=5077)
    parser.add_argument("--out", default="/tmp/points_attack/result.json")
    parser.add_argument("--checked", action="store_true",
                        help="the secretary checks the volunteer's and the contact's 报到 in"
                             " the set-up (the fresh accounts stay unchecked)")
    parser.add_argument("--micro-wishes", type=int, default=10)
    parser.add_argument("--projects", type=int, default=2)
    parser.add_argument("--logs-per-project", type=int, default=10,
                        help="most service logs each account tries per project")
    parser.add_argument("--activities", type=int, default=5)
    parser.add_argument("--sock-puppets", type=int, default=3)
    parser.add_argument("--residents", type=int, default=3)
    args = parser.parse_args()
    if args.sock_puppets + args.residents > FRESH_ACCOUNTS:
        parser.error(f"at most {FRESH_ACCOUNTS} fresh accounts (sock puppets and residents)")
    args.python = args.python or str(Path(args.root) / ".venv" / "bin" / "python")

    # A polite stop (SIGTERM) still stops the server and removes the temporary files.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        result = measure(args)
    except SetupError as error:
        print(f"setup failed: {error}", file=sys.stderr)
        return 2
    print_table(result)
    print_boards(result)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(f"summary written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
