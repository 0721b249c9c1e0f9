"""The most points one volunteer account can gain in one day through the JSON API.

Sets up a community the way an operator would (CLI and the secretary's API calls), starts
the app as a real HTTP server on 127.0.0.1, then acts as one volunteer who wants as many
points as possible today, using only HTTP and whatever anyone can create for free
(self-registered resident and volunteer accounts). Every attempt is recorded with its
status and error code; a refusal is a result, never a crash. At the end it reads the
volunteer's points (GET /me, GET /volunteers/<id>) and its organisation's (the
organisations' leaderboard), prints a table and writes the summary as JSON.

    .venv/bin/python bench/points_per_day.py [--root .] [--python .venv/bin/python]
        [--port 5077] [--out /tmp/points_attack/result.json]

The community: automatic 报到 approval, 10 open micro-wishes, 2 service projects, and an
organisation whose contact is the volunteer, who is also its member. What the volunteer
tries, in order:

- claim and release the same wish a few times (does churn leave points behind?);
- claim every open micro-wish (for the organisation, so it earns too) and complete it at
  once with the most hours the API accepts (probed from large to small);
- confirm its own completion (POST /wishes/<id>/confirm, where such an endpoint exists);
- claim each project for the organisation, join it, log several maximal service logs for
  today and confirm them itself as the organisation's contact; self-registered volunteers
  of the same organisation do the same; then complete the project with maximal hours;
- organise activities as the organisation's contact, sign up, read the check-in code and
  check itself (and its extra volunteers) in;
- self-registered residents rate every completed wish five stars (and try to confirm it);
- a few things that should simply be refused: rating its own work, changing the points
  rules or the community's settings, publishing wishes, closing them, registering as staff.

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
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

HOST = "127.0.0.1"
PASSWORD = "points-per-day-2026"
LOCAL_TZ = ZoneInfo("Asia/Shanghai")

# Hours to offer, largest first: the first one accepted is the most the API takes.
HOUR_STEPS = [1_000_000, 10_000, 1000, 100, 24, 12, 8, 4, 2, 1, 0.5, 0.1]

# A status the client treats as "the server said no to this value" (try a smaller one).
VALUE_REFUSALS = {400, 409, 422}


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


# The attacks ------------------------------------------------------------------------------

class Attacker:
    def __init__(self, api: Api, tally: Tally, *, token: str, user_id: int,
                 community_id: int, organization_id: int, category_id: int):
        self.api, self.tally = api, tally
        self.token, self.user_id = token, user_id
        self.community_id, self.organization_id = community_id, organization_id
        self.category_id = category_id
        self.completed: list[int] = []
        self.limits: dict[str, float | None] = {"completion_hours": None, "log_hours": None}

    def call(self, attack: str, method: str, path: str, body: dict | None = None,
             token: str | None = None) -> tuple[int, object]:
        return self.tally.call(attack, method, path, body, token or self.token)

    def offer_hours(self, attack: str, method: str, path: str, body: dict, limit: str,
                    token: str | None = None) -> tuple[int, object]:
        """Post ``body`` with ``hours``, starting at the largest value accepted so far and
        stepping down while the server refuses the value."""
        start = self.limits[limit]
        steps = [h for h in HOUR_STEPS if start is None or h <= start]
        status, answer = 0, None
        for hours in steps:
            status, answer = self.call(attack, method, path, {**body, "hours": hours}, token)
            if ok(status):
                if self.limits[limit] is None or hours > self.limits[limit]:
                    self.limits[limit] = hours
                return status, answer
            if status not in VALUE_REFUSALS:
                break
        return status, answer

    def claim(self, attack: str, wish_id: int, for_organization: bool) -> bool:
        body = {"accept_letter": True}
        if for_organization:
            body["organization_id"] = self.organization_id
        status, _ = self.call(attack, "POST", f"/wishes/{wish_id}/claim", body)
        return ok(status)

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

    def my_points(self) -> int:
        status, me = self.api.call("GET", "/me", token=self.token)
        return me.get("points", 0) if ok(status) and isinstance(me, dict) else 0

    def micro_wishes(self, wish_ids: list[int]) -> None:
        """Claim and complete each wish. The first completion offers the most hours the API
        takes; if those hours were not paid at once (they wait for a confirmation), the
        rest are completed with the least hours accepted, so that a daily cap on stated
        hours lets as many completions through as possible."""
        hours_paid_at_once = None
        for wish_id in wish_ids:
            if not self.claim("claim micro-wish for the organisation", wish_id, True):
                if not self.claim("claim micro-wish personally", wish_id, False):
                    continue
            before = self.my_points()
            if hours_paid_at_once is False:
                status, _ = self.call("complete micro-wish at least hours", "POST",
                                      f"/wishes/{wish_id}/complete",
                                      {"note": "已完成", "hours": HOUR_STEPS[-1]})
            else:
                status, _ = self.offer_hours("complete micro-wish at max hours", "POST",
                                             f"/wishes/{wish_id}/complete",
                                             {"note": "已完成"}, "completion_hours")
            if ok(status):
                self.completed.append(wish_id)
                if hours_paid_at_once is None:
                    # A completion alone pays 20 by default; more means the hours paid too.
                    hours_paid_at_once = self.my_points() - before > 20
                self.call("confirm own completion", "POST", f"/wishes/{wish_id}/confirm", {})

    # Projects

    def claim_projects(self, wish_ids: list[int]) -> list[int]:
        claimed = []
        for wish_id in wish_ids:
            if self.claim("claim project for the organisation", wish_id, True):
                claimed.append(wish_id)
                self.call("join project", "POST", f"/wishes/{wish_id}/members", {})
                self.call("join project again", "POST", f"/wishes/{wish_id}/members", {})
        return claimed

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

    def confirm_logs(self, log_ids: list[int], attack: str) -> None:
        for log_id in log_ids:
            self.call(attack, "POST", f"/service-logs/{log_id}/confirm", {})

    def complete_projects(self, wish_ids: list[int]) -> None:
        for wish_id in wish_ids:
            status, _ = self.offer_hours("complete project at max hours", "POST",
                                         f"/wishes/{wish_id}/complete",
                                         {"note": "项目完成"}, "completion_hours")
            if ok(status):
                self.completed.append(wish_id)
                self.call("confirm own completion", "POST", f"/wishes/{wish_id}/confirm", {})

    # Activities

    def activities(self, count: int, helpers: list[dict]) -> None:
        """Organise activities as the organisation's contact, sign up, check in."""
        for i in range(count):
            now = datetime.now(timezone.utc)
            starts = now + timedelta(minutes=10)
            body = {"title": f"志愿活动 {i + 1}", "description": "社区志愿服务",
                    "category_id": self.category_id, "community_id": self.community_id,
                    "starts_at": starts.isoformat(),
                    "ends_at": (starts + timedelta(hours=1)).isoformat(),
                    "signup_deadline": starts.isoformat(), "capacity": 100,
                    "audience": "volunteers"}
            status, activity = self.call("organise an activity", "POST", "/activities", body)
            if not ok(status):
                return
            aid = activity["id"]
            self.call("sign up for own activity", "POST", f"/activities/{aid}/signups", {})
            for helper in helpers:
                self.call("extra volunteers sign up", "POST", f"/activities/{aid}/signups", {},
                          helper["token"])
            status, code = self.call("read own check-in code", "GET",
                                     f"/activities/{aid}/checkin-code")
            if ok(status):
                self.call("check in with the code", "POST", f"/activities/{aid}/checkins",
                          {"code": code["code"]})
            self.call("organiser checks itself in again", "POST",
                      f"/activities/{aid}/checkins", {"user_id": self.user_id})
            for helper in helpers:
                self.call("organiser checks extra volunteers in", "POST",
                          f"/activities/{aid}/checkins", {"user_id": helper["id"]})

    # Things that should be refused

    def overreach(self, some_wish: int | None) -> None:
        cid = self.community_id
        if some_wish is not None:
            self.call("rate own work", "POST", f"/wishes/{some_wish}/ratings", {"stars": 5})
            self.call("close own wish", "POST", f"/wishes/{some_wish}/close", {})
        self.call("raise the points rules", "PUT", f"/communities/{cid}/points-rules",
                  {"per_claim": 1000, "per_completion": 1000, "per_hour": 1000,
                   "per_star": 1000, "per_activity": 1000})
        self.call("change community settings", "PATCH", f"/communities/{cid}",
                  {"max_open_claims": 100})
        self.call("publish a wish", "POST", "/wishes",
                  {"title": "自己发布的心愿", "description": "x", "category_id": self.category_id,
                   "community_id": cid})


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
            people.append({"id": user.get("id"), "token": token})
    return people


def make_residents(api: Api, tally: Tally, community_id: int, count: int) -> list[dict]:
    """Self-registered residents, until ``count`` or the first 429."""
    return _register_many(api, tally, "register fake residents", "jumin", "resident",
                          community_id, "137", count)


def make_volunteers(api: Api, tally: Tally, community_id: int, organization_id: int,
                    count: int) -> list[dict]:
    """Self-registered volunteers naming the attacker's organisation, until ``count`` or
    the first 429; only those approved (the community approves automatically) are used."""
    return _register_many(api, tally, "register extra volunteers", "zhiyuan", "volunteer",
                          community_id, "136", count, organization_id,
                          keep=lambda user: user.get("report_status") == "approved")


def rate_everything(tally: Tally, residents: list[dict], wish_ids: list[int]) -> None:
    for resident in residents:
        for wish_id in wish_ids:
            tally.call("resident confirms completion", "POST", f"/wishes/{wish_id}/confirm", {},
                       resident["token"])
            tally.call("fake residents rate 5 stars", "POST", f"/wishes/{wish_id}/ratings",
                       {"stars": 5, "comment": "非常满意"}, resident["token"])


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
               "PYTHONDONTWRITEBYTECODE": "1"}
        env.pop("FLASK_ENV", None)

        # The operator: database, community, secretary.
        run_cli(python, root, env, "db", "upgrade")
        community_id = created_id(run_cli(
            python, root, env, "wishboard", "create-community", "--name", "积分测试社区",
            "--level", "community"))
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

        # The secretary, the volunteer, and its organisation.
        community = set_up_community(api, community_id, secretary, args.micro_wishes,
                                     args.projects)
        attacker_name = "dangyuan_points"
        status, attacker = register(api, None, "", attacker_name, "volunteer", community_id,
                                    "13800000001")
        must(status, attacker, "registering the volunteer")
        attacker_id = attacker["id"]
        organization = {"name": "积分测试党支部", "community_id": community_id}
        status, answer = api.call("POST", "/organizations",
                                  {**organization, "contact_user_id": attacker_id},
                                  community["token"])
        contact_by_operator = not ok(status)
        if contact_by_operator:  # the API would not take this contact: the operator sets it
            status, answer = api.call("POST", "/organizations", organization,
                                      community["token"])
        organization_id = must(status, answer, "creating the organisation")["id"]
        done = subprocess.run([python, "-c", MEMBERSHIP_SNIPPET, str(attacker_id),
                               str(organization_id), *(["contact"] if contact_by_operator
                                                       else [])],
                              cwd=root, env=env, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise SetupError(f"recording the membership failed:\n{done.stderr}")
        status, token = token_for(api, attacker_name)
        if token is None:
            raise SetupError(f"the volunteer could not log in (HTTP {status})")
        me = must(*api.call("GET", "/me", token=token), "reading the volunteer")
        if me.get("report_status") != "approved":
            must(*api.call("POST", f"/volunteers/{attacker_id}/approve", {},
                           community["token"]), "approving the volunteer")
        if (me.get("organization") or {}).get("id") != organization_id:
            raise SetupError("the volunteer is not a member of its organisation")
        before = read_points(api, token, attacker_id, community_id, organization_id)
        setup_seconds = time.monotonic() - started

        # The volunteer, from here on through HTTP only.
        attack_started = time.monotonic()
        tally = Tally(api)
        attacker = Attacker(api, tally, token=token, user_id=attacker_id,
                            community_id=community_id, organization_id=organization_id,
                            category_id=community["category_id"])
        micro, projects = community["micro_wish"], community["project"]
        if micro:
            attacker.churn(micro[0], cycles=3)
        attacker.micro_wishes(micro)

        helpers = make_volunteers(api, tally, community_id, organization_id,
                                  args.extra_volunteers)
        running = attacker.claim_projects(projects)
        for helper in helpers:
            for wish_id in running:
                tally.call("extra volunteers join project", "POST",
                           f"/wishes/{wish_id}/members", {}, helper["token"])
        own_logs = attacker.log_service(running, args.logs_per_project, token,
                                        "log service at max hours")
        attacker.confirm_logs(own_logs, "confirm own service logs")
        helper_logs = []
        for helper in helpers:
            helper_logs += attacker.log_service(running, args.logs_per_project,
                                                helper["token"],
                                                "extra volunteers log max hours")
        attacker.confirm_logs(helper_logs, "confirm extra volunteers' logs")
        attacker.complete_projects(running)

        attacker.activities(args.activities, helpers)

        residents = make_residents(api, tally, community_id, args.residents)
        rate_everything(tally, residents, attacker.completed)
        attacker.overreach(attacker.completed[0] if attacker.completed else
                           (micro[0] if micro else None))
        attack_seconds = time.monotonic() - attack_started

        after = read_points(api, token, attacker_id, community_id, organization_id)
        gained = (after["me"] or 0) - (before["me"] or 0)
        return {
            "root": str(root),
            "server": server_kind,
            "attacks": tally.summary(),
            "volunteer_points_gained": gained,
            "volunteer_points": {"me": after["me"], "card": after["card"],
                                 "before": before["me"]},
            "volunteer_hours": after["card_hours"],
            "organization_points_gained": after["organization"] - before["organization"],
            "organization_hours": after["organization_hours"],
            "max_hours_accepted": attacker.limits,
            "accounts_created": {"residents": len(residents), "volunteers": len(helpers)},
            "wishes_completed": len(attacker.completed),
            "service_logs_accepted": {"own": len(own_logs), "extra_volunteers":
                                      len(helper_logs)},
            "setup_seconds": round(setup_seconds, 1),
            "elapsed_seconds": round(attack_seconds, 1),
        }
    finally:
        stop_server(process)
        shutil.rmtree(workdir, ignore_errors=True)


def print_table(result: dict) -> None:
    rows = result["attacks"]
    width = max([len(r["attack"]) for r in rows] + [6])
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
          f" service log {limits['log_hours']}")
    print(f"accounts created:            {result['accounts_created']['residents']} residents,"
          f" {result['accounts_created']['volunteers']} volunteers")
    print(f"elapsed seconds:             {result['elapsed_seconds']}"
          f" (setup {result['setup_seconds']}, server: {result['server']})")


def main() -> int:
    here = Path(__file__).absolute().parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=str(here.parent),
                        help="the project checkout to measure (default: %(default)s)")
    parser.add_argument("--python", default=None,
                        help="its virtualenv's python (default: ROOT/.venv/bin/python)")
    parser.add_argument("--port", type=int, default=5077)
    parser.add_argument("--out", default="/tmp/points_attack/result.json")
    parser.add_argument("--micro-wishes", type=int, default=10)
    parser.add_argument("--projects", type=int, default=2)
    parser.add_argument("--logs-per-project", type=int, default=10,
                        help="most service logs each account tries per project")
    parser.add_argument("--activities", type=int, default=5)
    parser.add_argument("--residents", type=int, default=20)
    parser.add_argument("--extra-volunteers", type=int, default=5)
    args = parser.parse_args()
    args.python = args.python or str(Path(args.root) / ".venv" / "bin" / "python")

    # A polite stop (SIGTERM) still stops the server and removes the temporary files.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        result = measure(args)
    except SetupError as error:
        print(f"setup failed: {error}", file=sys.stderr)
        return 2
    print_table(result)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(f"summary written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
