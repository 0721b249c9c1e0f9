"""A gunicorn worker killed with SIGKILL in the middle of a stream of claims, completions and
ratings leaves nothing half done: every answered request holds, every unanswered one is all
there or not there at all, and the points totals still match the ledger.

PostgreSQL only (a database of its own, dropped afterwards); two workers of four threads.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal

import flask_migrate
import pytest
import sqlalchemy as sa
from factories import make_wish
from live import gunicorn
from test_backup import scratch_postgres

from config import TestingConfig, normalize_database_url
from wishboard import create_app
from wishboard.accounts.models import ReportStatus, Role, User, VolunteerType
from wishboard.accounts.services import hash_password
from wishboard.core.clock import utcnow
from wishboard.extensions import db
from wishboard.notifications.models import Notification
from wishboard.places.models import Community, PlaceLevel
from wishboard.points.models import PointsEntry
from wishboard.ratings.models import Rating
from wishboard.wishes.models import Claim, ClaimStatus, HoursStatus, Wish, WishEvent
from wishboard.wishes.states import WishState

# Defined here: by the time this runs, ``conftest`` may name another folder's conftest.
PASSWORD = "correct-horse-9"
PG_URL = normalize_database_url(os.environ.get("WISHBOARD_TEST_DATABASE_URL"))

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL (WISHBOARD_TEST_DATABASE_URL)"),
]

WISHES = 40
VOLUNTEERS = 8
RESIDENTS = 8
CLIENT_THREADS = 8
KILL_AFTER = 50  # answered requests before one worker dies (of 4 per wish)


@dataclass
class Call:
    step: str  # claim | complete | rate_served | rate_neighbour
    wish_id: int
    user_id: int
    status: int | None  # None: no answer (the connection died with the worker)
    after_kill: bool


def _request(base: str, path: str, token: str | None, body: dict) -> tuple[int | None, dict]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(base + path, data=json.dumps(body).encode(),
                                     method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")
    except (urllib.error.URLError, http.client.HTTPException, ConnectionError, TimeoutError):
        return None, {}


def _ppid(pid: str) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def _children(pid: int) -> list[int]:
    return sorted(int(p) for p in os.listdir("/proc") if p.isdigit() and _ppid(p) == pid)


def _gunicorn_master(port: int) -> int:
    """The gunicorn this test started: our child, bound to ``port``."""
    for child in _children(os.getpid()):
        try:
            with open(f"/proc/{child}/cmdline", "rb") as f:
                cmdline = f.read().split(b"\0")
        except OSError:
            continue
        if b"gunicorn" in cmdline and f"127.0.0.1:{port}".encode() in cmdline:
            return child
    raise AssertionError(f"no gunicorn on port {port} among our children")


def _populate() -> dict:
    """A community, its secretary, approved volunteers, verified residents, and wishes each
    serving one resident (published from the resident's need, so their rating confirms the
    hours)."""
    community = Community(name="玉林北路社区", level=PlaceLevel.COMMUNITY)
    db.session.add(community)
    db.session.commit()
    hashed = hash_password(PASSWORD)
    now = utcnow()

    def person(username, role, **kw):
        user = User(username=username, password_hash=hashed, name="测试" + username[-2:],
                    phone="13800001234", role=role, community_id=community.id, **kw)
        db.session.add(user)
        return user

    secretary = person("secretary", Role.SECRETARY)
    volunteers = [person(f"volunteer{i:02}", Role.VOLUNTEER,
                         volunteer_type=VolunteerType.PARTY_MEMBER,
                         report_status=ReportStatus.APPROVED) for i in range(VOLUNTEERS)]
    residents = [person(f"resident{i:02}", Role.RESIDENT, verified_at=now)
                 for i in range(RESIDENTS)]
    db.session.commit()
    plan = []
    for i in range(WISHES):
        served = residents[i % RESIDENTS]
        wish = make_wish(secretary, served=served, title=f"帮忙买药{i}")
        plan.append({"wish_id": wish.id, "volunteer": volunteers[i % VOLUNTEERS].username,
                     "served": served.username,
                     "neighbour": residents[(i + 1) % RESIDENTS].username})
    return {"plan": plan, "usernames": [u.username for u in volunteers + residents],
            "ids": {u.username: u.id for u in volunteers + residents}}


def test_a_worker_killed_mid_stream_leaves_nothing_half_done():
    started = time.monotonic()
    with scratch_postgres(PG_URL, "wishboard_crash") as url:
        app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
        with app.app_context():
            flask_migrate.upgrade()
            world = _populate()
            db.session.remove()
            db.engine.dispose()

        calls: list[Call] = []
        lock = threading.Lock()
        killed = threading.Event()
        answered = threading.Semaphore(0)
        with gunicorn(url, workers=2, threads=4, extra_env={"RATELIMIT_ALLOW_MEMORY": "1"}) as base:
            master = _gunicorn_master(int(base.rsplit(":", 1)[1]))
            with ThreadPoolExecutor(CLIENT_THREADS) as pool:
                tokens = dict(zip(world["usernames"], pool.map(lambda name: _request(
                    base, "/api/v1/auth/token", None,
                    {"username": name, "password": PASSWORD}), world["usernames"])))
            assert {status for status, _ in tokens.values()} == {200}, tokens
            token_of = {name: body["token"] for name, (_, body) in tokens.items()}

            def send(step, item, username, path, body):
                status, _ = _request(base, path, token_of[username], body)
                with lock:
                    calls.append(Call(step, item["wish_id"], world["ids"][username], status,
                                      killed.is_set()))
                if status is not None:
                    answered.release()

            def journey(item):
                wish = f"/api/v1/wishes/{item['wish_id']}"
                send("claim", item, item["volunteer"], wish + "/claim", {"accept_letter": True})
                send("complete", item, item["volunteer"], wish + "/complete",
                     {"hours": 1, "note": "买好了"})
                send("rate_served", item, item["served"], wish + "/ratings",
                     {"stars": 5, "comment": "谢谢"})
                send("rate_neighbour", item, item["neighbour"], wish + "/ratings",
                     {"stars": 4})

            def kill_one_worker():
                for _ in range(KILL_AFTER):
                    if not answered.acquire(timeout=30):
                        break
                workers = _children(master)
                os.kill(workers[0], signal.SIGKILL)
                killed.set()
                return workers[0]

            with ThreadPoolExecutor(CLIENT_THREADS + 1) as pool:
                victim = pool.submit(kill_one_worker)
                list(pool.map(journey, world["plan"]))
                victim = victim.result(timeout=30)
            deadline = time.monotonic() + 15
            while (victim in _children(master) or len(_children(master)) < 2) and \
                    time.monotonic() < deadline:
                time.sleep(0.1)
            workers_after = _children(master)

        assert victim not in workers_after and len(workers_after) == 2, workers_after
        statuses = Counter((c.step, c.status) for c in calls)
        lost = [c for c in calls if c.status is None]
        assert len(calls) == 4 * WISHES
        assert any(c.after_kill and 200 <= (c.status or 0) < 300 for c in calls), statuses
        assert not [c for c in calls if c.status is not None and c.status >= 500], statuses

        with app.app_context():
            _check_answered_requests_hold(calls)
            _check_nothing_half_done()
            result = app.test_cli_runner().invoke(args=["wishboard", "recompute",
                                                        "--check"])
            assert result.exit_code == 0, result.output
            assert "every derived value matches the base tables" in result.output
            applied = sum(_applied(call) for call in lost)
            db.session.remove()
            db.engine.dispose()
    elapsed = time.monotonic() - started
    print(f"\n{len(calls)} requests; SIGKILL of worker {victim} left {len(lost)} unanswered "
          f"({applied} of them applied whole, the rest not at all); {dict(statuses)}; "
          f"{elapsed:.1f} s")


def _applied(call: Call) -> bool:
    """Whether a request that got no answer took effect (it committed before the worker
    died); the checks above show it took all of its effect or none."""
    if call.step == "claim":
        return db.session.scalar(sa.select(Claim.id).where(
            Claim.wish_id == call.wish_id, Claim.volunteer_id == call.user_id)) is not None
    if call.step == "complete":
        return db.session.scalar(sa.select(Claim.id).where(
            Claim.wish_id == call.wish_id, Claim.volunteer_id == call.user_id,
            Claim.status == ClaimStatus.COMPLETED)) is not None
    return db.session.scalar(sa.select(Rating.id).where(
        Rating.wish_id == call.wish_id, Rating.rater_id == call.user_id)) is not None


def _ledger_keys() -> set[str]:
    return set(db.session.scalars(sa.select(PointsEntry.key)))


def _check_answered_requests_hold(calls: list[Call]) -> None:
    """Every 2xx answer has its effect in the database."""
    keys = _ledger_keys()
    for call in calls:
        if call.status is None or call.status >= 300:
            continue
        wish = db.session.get(Wish, call.wish_id)
        if call.step == "claim":
            claim = db.session.scalar(sa.select(Claim).where(
                Claim.wish_id == call.wish_id, Claim.volunteer_id == call.user_id))
            assert claim is not None, call
            assert claim.status in (ClaimStatus.ACTIVE, ClaimStatus.COMPLETED), call
            assert wish.claimant_id == call.user_id, call
            assert f"claim:{claim.id}" in keys, call
        elif call.step == "complete":
            assert wish.state is WishState.COMPLETED, call
            claim = db.session.scalar(sa.select(Claim).where(
                Claim.wish_id == call.wish_id, Claim.status == ClaimStatus.COMPLETED))
            assert claim.volunteer_id == call.user_id and claim.hours == Decimal("1.0"), call
            # The completion earns once the person served confirms it (rate_served).
            assert (f"completion:{claim.id}" in keys) == (
                claim.hours_status is HoursStatus.CONFIRMED), call
        else:
            rating = db.session.scalar(sa.select(Rating).where(
                Rating.wish_id == call.wish_id, Rating.rater_id == call.user_id))
            assert rating is not None and rating.counted_at is not None, call
            assert f"rating:{rating.id}" in keys, call
            if call.step == "rate_served":
                claim = db.session.scalar(sa.select(Claim).where(
                    Claim.wish_id == call.wish_id, Claim.status == ClaimStatus.COMPLETED))
                assert claim.hours_status is HoursStatus.CONFIRMED, call
                assert f"completion:{claim.id}" in keys, call
                assert f"completion:{claim.id}:hours" in keys, call


def _count_by(column, *where) -> Counter:
    return Counter(dict(db.session.execute(
        sa.select(column, sa.func.count()).where(*where).group_by(column)).all()))


def _check_nothing_half_done() -> None:
    """Whatever the requests that got no answer did, they did all of it or none of it."""
    keys = _ledger_keys()
    claims = db.session.scalars(sa.select(Claim)).all()
    by_wish: dict[int, list[Claim]] = {}
    for claim in claims:
        by_wish.setdefault(claim.wish_id, []).append(claim)
    ratings = db.session.scalars(sa.select(Rating)).all()
    for wish in db.session.scalars(sa.select(Wish)):
        mine = by_wish.get(wish.id, [])
        active = [c for c in mine if c.status is ClaimStatus.ACTIVE]
        completed = [c for c in mine if c.status is ClaimStatus.COMPLETED]
        if wish.state is WishState.OPEN:
            assert wish.claimant_id is None and not mine, wish.id
        elif wish.state is WishState.CLAIMED:
            assert len(active) == 1 and not completed, wish.id
            assert active[0].volunteer_id == wish.claimant_id, wish.id
        else:
            assert wish.state is WishState.COMPLETED, (wish.id, wish.state)
            assert not active and len(completed) == 1, wish.id
            assert completed[0].volunteer_id == wish.claimant_id, wish.id
            assert wish.completed_at is not None and completed[0].hours == Decimal("1.0")
        stars = [r.stars for r in ratings if r.wish_id == wish.id and r.removed_at is None]
        assert (wish.rating_count, wish.rating_sum) == (len(stars), sum(stars)), wish.id
    for claim in claims:
        assert f"claim:{claim.id}" in keys, claim.id
        assert (f"completion:{claim.id}" in keys) == (
            claim.hours_status is HoursStatus.CONFIRMED), claim.id
        assert (f"completion:{claim.id}:hours" in keys) == (
            claim.hours_status is HoursStatus.CONFIRMED), claim.id
    for rating in ratings:  # every rater is a verified resident: every rating counts at once
        assert rating.counted_at is not None and f"rating:{rating.id}" in keys, rating.id
    sources = {"claim": {c.id for c in claims}, "rating": {r.id for r in ratings},
               "completion": {c.id for c in claims if c.hours_status is HoursStatus.CONFIRMED}}
    for source_type, source_id in db.session.execute(
            sa.select(PointsEntry.source_type, PointsEntry.source_id)):
        assert source_id in sources[source_type], (source_type, source_id)
    # The timeline and the inbox were written in the same transactions.
    assert _count_by(WishEvent.wish_id, WishEvent.action == "claimed") == \
        Counter(c.wish_id for c in claims)
    assert _count_by(WishEvent.wish_id, WishEvent.action == "completed") == \
        Counter(c.wish_id for c in claims if c.status is ClaimStatus.COMPLETED)
    assert _count_by(WishEvent.wish_id, WishEvent.action == "rated") == \
        Counter(r.wish_id for r in ratings)
    assert _count_by(Notification.wish_id, Notification.kind == "wish_claimed") == \
        Counter(c.wish_id for c in claims)
    assert _count_by(Notification.wish_id, Notification.kind == "wish_rated") == \
        Counter(r.wish_id for r in ratings)
    # Open-claim counters agree with the active claims.
    open_claims = Counter(c.volunteer_id for c in claims if c.status is ClaimStatus.ACTIVE)
    for user in db.session.scalars(sa.select(User).where(User.role == Role.VOLUNTEER)):
        assert user.open_claim_count == open_claims.get(user.id, 0), user.username
