"""HTTP speed of the pages and the API at city scale, against a bare Flask app, under gunicorn.

Fills a PostgreSQL database (100,000 open wishes in one community, 10,000 volunteers,
1,000,000 points-ledger entries, claims, ratings, activities, needs, notifications), serves
the app under gunicorn (2 workers, the production configuration) and a one-route Flask app
under the same gunicorn settings, and drives each page with wrk (16 connections, 2 threads):
anonymous, as the big community's secretary and as a volunteer with live claims. Prints
req/s, p50 and p99 with each row's share of the bare app's req/s, then the SQL
statements each page runs (in-process, at per_page=20 and 100). Run on demand:

    .venv/bin/python bench/pages.py [--wishes 100000] [--volunteers 10000] [--entries 1000000]
        [--duration 10] [--reuse | --skip-fill] [--only board,wish,volunteer/claims]

It uses BENCH_DATABASE_URL or --database-url (default: the local server's database
wishboard_http_bench, created if missing) and wipes that database unless --reuse finds it
filled at the same sizes and schema (--skip-fill uses it as it is). Needs wrk on PATH
(apt-get install wrk) and Redis at 127.0.0.1:6379 (the log-in counters). While it runs,
--lock-file (/tmp/bench_running) exists, so others know not to load the machine.
"""

from __future__ import annotations

import sys
from pathlib import Path

# The project's root first, so ``wishboard`` imports from this checkout.
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import html  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import urllib.error  # noqa: E402
import urllib.parse  # noqa: E402
import urllib.request  # noqa: E402
from dataclasses import dataclass  # noqa: E402

import sqlalchemy as sa  # noqa: E402

from bench.leaderboard import ensure_database as empty_database  # noqa: E402
from config import normalize_database_url  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/wishboard_http_bench"
SECRET_KEY = "http-bench-secret-key-not-for-production"
PASSWORD = "Bench-http-玉林-2026"
SECRETARY, VOLUNTEER = "bench_shuji", "bench_dangyuan"
USERNAMES = {"anonymous": None, "secretary": SECRETARY, "volunteer": VOLUNTEER}
BARE_APP = '''from flask import Flask, jsonify

app = Flask(__name__)


@app.get("/")
def index():
    return jsonify(ok=True, name="bare", items=[1, 2, 3])
'''
TITLES = ["帮忙买菜", "陪同就医", "修理水龙头", "代缴水电费", "教用智能手机", "送餐上门",
          "打扫卫生", "陪聊解闷"]


@dataclass
class Row:
    name: str
    who: str  # anonymous, secretary, volunteer
    path: str
    per_page: bool = False  # the page takes ?per_page=
    deep: bool = False  # page 500: ?page=500, or follow the answer's cursor there
    url: str = ""  # the path as resolved against the running server
    problem: str = ""


def rows(ids: dict) -> list[Row]:
    big, wish, activity = ids["big"], ids["wish"], ids["activity"]
    out = [Row("api-wishes", "anonymous", f"/api/v1/wishes?community_id={big}", True),
           Row("api-wishes-p500", "anonymous", f"/api/v1/wishes?community_id={big}", True, True),
           Row("board", "anonymous", f"/communities/{big}", True),
           Row("board-p500", "anonymous", f"/communities/{big}", True, True),
           Row("home", "anonymous", "/"),
           Row("wish", "anonymous", f"/wishes/{wish}"),
           Row("api-leaderboard", "anonymous", f"/api/v1/leaderboard?community_id={big}", True),
           Row("honor", "anonymous", f"/communities/{big}/honor", True),
           Row("activities", "anonymous", f"/communities/{big}/activities"),
           Row("activity", "anonymous", f"/activities/{activity}")]
    for who in ("secretary", "volunteer"):
        out += [Row("board", who, f"/communities/{big}", True), Row("wish", who, f"/wishes/{wish}")]
        out.append(Row("needs", who, "/manage/needs") if who == "secretary"
                   else Row("claims", who, "/claims/mine"))
        out.append(Row("inbox", who, "/inbox"))
    return out


# The database ---------------------------------------------------------------------------

def ensure_database(url: str) -> None:
    """An empty database at ``url`` (bench/leaderboard.py's), without the last fill's mark."""
    empty_database(url)
    target = sa.engine.make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'COMMENT ON DATABASE "{target.database}" IS NULL'))
    admin.dispose()


def marker(url: str, value: dict | None = None) -> dict | None:
    """The fill's sizes and ids, kept as the database's comment (read, or write ``value``)."""
    target = sa.engine.make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if value is not None:
            text = json.dumps(value).replace("'", "''")
            conn.execute(sa.text(f"COMMENT ON DATABASE \"{target.database}\" IS '{text}'"))
        found = conn.scalar(sa.text("SELECT shobj_description(oid, 'pg_database') FROM "
                                    "pg_database WHERE datname = :n"), {"n": target.database})
    admin.dispose()
    try:
        return json.loads(found) if found else None
    except ValueError:
        return None


def revision(url: str) -> str | None:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        found = conn.scalar(sa.text("SELECT version_num FROM alembic_version"))
    engine.dispose()
    return found


def flask_cli(env: dict, *args: str, log: Path | None = None) -> str:
    done = subprocess.run([sys.executable, "-m", "flask", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    if log:
        log.write_text(done.stdout + done.stderr)
    if done.returncode:
        sys.exit(f"flask {' '.join(args)} failed:\n{done.stdout[-2000:]}{done.stderr[-3000:]}")
    return done.stdout


def make_app(url: str):
    from config import DevelopmentConfig
    from wishboard import create_app
    return create_app(DevelopmentConfig, SQLALCHEMY_DATABASE_URI=url, SECRET_KEY=SECRET_KEY,
                      RATELIMIT_STORAGE_URI="memory://", WTF_CSRF_ENABLED=False)


def fill(url: str, env: dict, args, scratch: Path) -> dict:
    ensure_database(url)
    flask_cli(env, "db", "upgrade")

    def made(*argv: str) -> int:  # a CLI command that answers "... (id N)"
        return int(re.search(r"\(id (\d+)\)", flask_cli(env, "wishboard", *argv))[1])

    district = made("create-community", "--name", "武侯区", "--level", "district")
    big = made("create-community", "--name", "玉林北路社区", "--level", "community",
               "--parent-id", str(district), "--auto-approve-reports")
    for name in ("芳草街社区", "玉林东路社区", "倪家桥社区"):
        made("create-community", "--name", name, "--level", "community",
             "--parent-id", str(district))
    made("create-secretary", "--username", SECRETARY, "--password", PASSWORD, "--name", "张丽华",
         "--community-id", str(big))
    org = made("create-organization", "--name", "四川省种子站党支部", "--community-id", str(big))

    from wishboard.accounts import services as accounts
    from wishboard.accounts.models import User
    from wishboard.extensions import db
    from wishboard.wishes import services as wishes

    app = make_app(url)
    with app.app_context():
        secretary = db.session.scalar(sa.select(User).filter_by(username=SECRETARY))
        volunteer = accounts.register_user(
            username=VOLUNTEER, password=PASSWORD, name="李建国", phone="13912345678",
            role="volunteer", community_id=big, volunteer_type="party_member",
            organization_id=org)
        category = db.session.scalar(sa.text("SELECT min(id) FROM categories"))
        own = [wishes.create_wish(secretary, title=f"{t}(书记发布)", description="请帮忙。",
                                  category_id=category, beneficiary_name="吴秀英",
                                  beneficiary_phone="13800001111",
                                  beneficiary_address="玉林北路1号").id for t in TITLES[:6]]
        for wish_id in own[:4]:
            wishes.claim_wish(volunteer, wish_id, accept_letter=True)
        wishes.complete_wish(volunteer, own[0], hours=2)
        ids = mass_rows(args, big, secretary.id, volunteer.id)
        db.session.remove()
        db.engine.dispose()
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text("VACUUM ANALYZE"))
    started = time.perf_counter()
    help_text = flask_cli(env, "wishboard", "--help")
    command = (["recompute"] if re.search(r"^\s+recompute\b", help_text, re.M)
               else ["points", "recompute"])
    out = flask_cli(env, "wishboard", *command, log=scratch / "recompute.log").strip()
    print(f"  flask wishboard {' '.join(command)}: {time.perf_counter() - started:.1f} s, "
          f"{len(out.splitlines())} lines (last: {out.splitlines()[-1] if out else '-'}; "
          f"full output in {scratch / 'recompute.log'})")
    with engine.connect() as conn:
        conn.execute(sa.text("ANALYZE"))
    engine.dispose()
    return ids


def mass_rows(args, big: int, secretary: int, volunteer: int) -> dict:
    """The city: bulk SQL into the real tables, ids above the rows the services made."""
    from wishboard.extensions import db

    def run(sql: str, **params):
        return db.session.execute(sa.text(sql), params)

    top = {t: run(f"SELECT coalesce(max(id), 0) FROM {t}").scalar()
           for t in ("users", "wishes", "organizations")}
    u0, w0, o0, nv = top["users"], top["wishes"], top["organizations"], args.volunteers
    r0, nr = u0 + nv, 2000  # residents after the volunteers
    p = dict(big=big, sec=secretary, u0=u0, o0=o0, nv=nv, r0=r0, nr=nr,
             now=run("SELECT now()").scalar(),
             cats=list(run("SELECT id FROM categories ORDER BY id").scalars()),
             titles=TITLES)
    run("INSERT INTO organizations (id, name, community_id, created_at) SELECT :o0 + g,"
        " '报到单位' || g || '党支部', :big, now() FROM generate_series(1, 50) g", **p)
    run("INSERT INTO communities (name, level, parent_id, community_id, created_at)"
        " SELECT '第' || g || '片区', 'area', :big, :big, now() FROM generate_series(1, 4) g", **p)
    p["grids"] = list(run("SELECT id FROM communities WHERE community_id = :big ORDER BY id",
                          **p).scalars())
    run("INSERT INTO users (id, username, password_hash, name, phone, role, community_id,"
        " volunteer_type, organization_id, report_status, show_on_boards, created_at)"
        " SELECT :u0 + g, 'bv' || g, 'x', '志愿者' || g, '139' || lpad(g::text, 8, '0'),"
        " 'volunteer', :big, (ARRAY['party_member','elder','other'])[1 + g % 3],"
        " CASE WHEN g % 4 = 0 THEN :o0 + 1 + g % 50 END, 'approved', g % 10 <> 0,"
        " :now - (g % 700) * interval '1 day' FROM generate_series(1, :nv) g", **p)
    run("INSERT INTO users (id, username, password_hash, name, phone, role, community_id,"
        " verified_at, created_at) SELECT :r0 + g, 'br' || g, 'x', '居民' || g,"
        " '138' || lpad(g::text, 8, '0'), 'resident', :big,"
        " CASE WHEN g % 2 = 0 THEN :now END, :now - interval '400 days'"
        " FROM generate_series(1, :nr) g", **p)
    # Wishes by id range: open in the big community, then claimed, completed and closed
    # there, then open ones in the other communities.
    n, others = args.wishes, [c for c in run(
        "SELECT id FROM communities WHERE level = 'community' AND id <> :big", **p).scalars()]
    groups = [(big, "open", n, 0), (big, "claimed", n // 20, 3), (big, "completed", n // 50, 3),
              (big, "closed", n // 20, 20)] + [(c, "open", n // 100, 0) for c in others]
    start = w0
    for community, state, count, age in groups:
        run("INSERT INTO wishes (id, community_id, kind, title, description, category_id,"
            " grid_id, public_alias, state, created_by_id, created_at, published_at,"
            " claimant_id, claimed_at, due_at, completed_at, closed_at, rating_count,"
            " rating_sum) SELECT g, :c, 'micro_wish',"
            " (CAST(:titles AS text[]))[1 + g % 8] || '(' || g || ')',"
            " '请志愿者帮忙' || (CAST(:titles AS text[]))[1 + g % 8] || ',时间可以商量。',"
            " (CAST(:cats AS int[]))[1 + g % cardinality(CAST(:cats AS int[]))],"
            " CASE WHEN :c = :big AND g % 5 > 0 THEN (CAST(:grids AS int[]))[1 + g % 4] END,"
            " '王**', :state, :sec, at, at, cl, at + interval '1 day',"
            " CASE :state WHEN 'claimed' THEN :now + interval '5 days'"
            "  ELSE at + interval '8 days' END,"
            " CASE WHEN :state IN ('completed', 'closed') THEN at + interval '3 days' END,"
            " CASE WHEN :state = 'closed' THEN at + interval '17 days' END,"
            " (:state IN ('completed', 'closed'))::int,"
            " CASE WHEN :state IN ('completed', 'closed') THEN 3 + g % 3 ELSE 0 END"
            " FROM (SELECT g, :now - (:age + g % 30) * interval '1 day'"
            "  - (g % 86400) * interval '1 second' AS at,"
            "  CASE WHEN :state <> 'open' THEN :u0 + 1 + (g * 7919) % :nv END AS cl"
            "  FROM generate_series(CAST(:a AS int), CAST(:b AS int)) g) s",
            c=community, state=state, age=age, a=start + 1, b=start + count, **p)
        start += count
    run("INSERT INTO beneficiaries (wish_id, name, phone, address) SELECT id,"
        " '王' || (ARRAY['阿姨','大爷','奶奶'])[1 + id % 3], '137' || lpad(id::text, 8, '0'),"
        " '玉林北路' || (1 + id % 60) || '号' FROM wishes WHERE id > :w0", w0=w0)
    run("INSERT INTO claims (wish_id, volunteer_id, letter, status, claimed_at, due_at,"
        " ended_at, hours, hours_status, confirmed_hours, hours_confirmed_at) SELECT id,"
        " claimant_id, '项目责任书:本人承诺按时完成「' || title || '」。',"
        " CASE state WHEN 'claimed' THEN 'active' ELSE 'completed' END, claimed_at, due_at,"
        " completed_at, CASE WHEN completed_at IS NOT NULL THEN 2 END,"
        " CASE state WHEN 'closed' THEN 'confirmed' WHEN 'completed' THEN 'pending' END,"
        " CASE WHEN state = 'closed' THEN 2 END, closed_at"
        " FROM wishes WHERE id > :w0 AND claimant_id IS NOT NULL", w0=w0)
    run("INSERT INTO ratings (wish_id, rater_id, stars, comment, created_at, counted_at)"
        " SELECT id, :r0 + 1 + id % :nr, rating_sum, '谢谢志愿者,很耐心', completed_at,"
        " completed_at FROM wishes WHERE id > :w0 AND rating_count = 1", w0=w0, **p)
    run("INSERT INTO wish_events (wish_id, actor_id, action, from_state, to_state, note,"
        " created_at) SELECT id, created_by_id, 'published', NULL, 'open', '', published_at"
        " FROM wishes WHERE id > :w0 UNION ALL SELECT id, claimant_id, 'claimed', 'open',"
        " 'claimed', '承诺按时完成', claimed_at FROM wishes WHERE id > :w0 AND claimed_at"
        " IS NOT NULL UNION ALL SELECT id, claimant_id, 'completed', 'claimed', 'completed',"
        " '服务2小时', completed_at FROM wishes WHERE id > :w0 AND completed_at IS NOT NULL"
        " UNION ALL SELECT id, NULL, 'closed', 'completed', 'closed', '', closed_at FROM wishes"
        " WHERE id > :w0 AND closed_at IS NOT NULL", w0=w0)
    run("UPDATE users u SET open_claim_count = c.n FROM (SELECT volunteer_id, count(*) n FROM"
        " claims WHERE status = 'active' GROUP BY volunteer_id) c"
        " WHERE u.id = c.volunteer_id AND u.id > :u0", **p)
    # The ledger: entries spread over two years, a mix of claims, completions, hours, stars.
    run("INSERT INTO points_entries (key, community_id, volunteer_id, organization_id,"
        " source_type, source_id, rule, amount, d_claims, d_completions, d_activities, d_hours,"
        " d_ratings, d_stars, reason, created_at, year, quarter, month)"
        " SELECT 'bench:' || g, :big, :u0 + v, CASE WHEN v % 4 = 0 THEN :o0 + 1 + v % 50 END,"
        " 'claim', g, 'per_claim', 1 + (g * 7919) % 20, g % 2, (g % 5 = 0)::int, 0,"
        " (g % 5 = 0)::int, (g % 7 = 0)::int, CASE WHEN g % 7 = 0 THEN 1 + g % 5 ELSE 0 END,"
        " '认领心愿', ts, to_char(ts, 'YYYY'), to_char(ts, 'YYYY') || '-Q' || to_char(ts, 'Q'),"
        " to_char(ts, 'YYYY-MM') FROM (SELECT g, 1 + (g * 104729) % :nv AS v,"
        " :now - (g % 700) * interval '1 day' AS ts FROM generate_series(1::bigint, :ne) g) s",
        ne=args.entries, **p)
    run("INSERT INTO activities (community_id, organizer_id, title, description, category_id,"
        " starts_at, ends_at, signup_deadline, capacity, audience, status, confirmed_count,"
        " checkin_secret, created_at, archived_at) SELECT :big, :sec, '社区活动' || g,"
        " '欢迎参加', (CAST(:cats AS int[]))[1], st, st + interval '2 hours',"
        " st - interval '1 day', 50, 'all', CASE WHEN g < 10 THEN 'archived' ELSE 'open' END,"
        " 40, md5(g::text), :now - interval '40 days',"
        " CASE WHEN g < 10 THEN st + interval '3 hours' END"
        " FROM (SELECT g, :now + (g - 10) * interval '1 day' AS st"
        " FROM generate_series(1, 30) g) s", **p)
    run("INSERT INTO signups (activity_id, user_id, status, created_at, checked_in_at)"
        " SELECT a.id, :u0 + 1 + (a.id * 131 + s) % :nv,"
        " CASE a.status WHEN 'archived' THEN 'attended' ELSE 'confirmed' END, a.created_at,"
        " CASE a.status WHEN 'archived' THEN a.starts_at END FROM activities a,"
        " generate_series(1, 40) s", **p)
    run("INSERT INTO needs (community_id, title, description, category_id, resident_id,"
        " contact_name, contact_phone, address, submitted_by_id, status, created_at)"
        " SELECT :big, (CAST(:titles AS text[]))[1 + g % 8], '家里老人需要帮忙', (CAST(:cats"
        " AS int[]))[1], :r0 + g, '居民' || g, '138' || lpad(g::text, 8, '0'), '玉林北路'"
        " || g || '号', :r0 + g, 'new', :now - g * interval '1 hour'"
        " FROM generate_series(1, 300) g", **p)
    run("INSERT INTO notifications (user_id, wish_id, kind, text, created_at, read_at)"
        " SELECT CASE WHEN g <= 600 THEN (CASE WHEN g % 2 = 0 THEN :sec ELSE :vol END)"
        " ELSE :u0 + 1 + g % :nv END, :w0 + 1 + g % :nw, 'wish_completed',"
        " '心愿「' || (CAST(:titles AS text[]))[1 + g % 8] || '」有了新进展', :now - g *"
        " interval '10 minutes', CASE WHEN g % 3 = 0 THEN :now END"
        " FROM generate_series(1, 600 + :nv) g", vol=volunteer, w0=w0, nw=n, **p)
    for table in ("users", "wishes", "organizations"):
        run(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM"
            f" {table}))")
    ids = {"big": big, "wish": run("SELECT min(id) FROM wishes WHERE state = 'closed'").scalar(),
           "activity": run("SELECT min(id) FROM activities WHERE status = 'open'").scalar()}
    db.session.commit()
    return ids


# HTTP -----------------------------------------------------------------------------------

class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(_NoRedirect)
OPENER.addheaders = []  # no User-Agent, like wrk: the same session checks apply to both


def fetch(url: str, cookie: str = "", data: bytes | None = None):
    request = urllib.request.Request(url, data=data, headers={"Cookie": cookie} if cookie else {})
    try:
        with OPENER.open(request, timeout=120) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def log_in(base: str, username: str) -> str:
    """The real log-in form once: fetch it, carry its CSRF token, post; the session cookie."""
    jar: dict[str, str] = {}

    def keep(headers) -> str:
        for line in headers.get_all("Set-Cookie") or []:
            name, _, value = line.split(";", 1)[0].partition("=")
            jar[name.strip()] = value
        return "; ".join(f"{k}={v}" for k, v in jar.items())

    status, headers, body = fetch(base + "/auth/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', body.decode())
    form = {"username": username, "password": PASSWORD, "csrf_token": token[1] if token else ""}
    status, headers, body = fetch(base + "/auth/login", keep(headers),
                                  urllib.parse.urlencode(form).encode())
    if status not in (302, 303):
        sys.exit(f"log-in as {username} answered {status}: {body[:300]!r}")
    return keep(headers)


def with_query(path: str, **changes) -> str:
    parts = urllib.parse.urlsplit(path)
    query = dict(urllib.parse.parse_qsl(parts.query)) | {k: str(v) for k, v in changes.items()}
    return parts._replace(query=urllib.parse.urlencode(query)).geturl()


def page_500(base: str, row: Row, cookie: str) -> str:
    """Page 500 as a client gets there: ?page=500 unless the answer offers a cursor."""
    path = row.path
    for step in range(499):
        status, _, body = fetch(base + path, cookie)
        if status != 200:
            return path
        if path.startswith("/api/"):
            found = json.loads(body).get("next")
            if not found:
                return with_query(row.path, page=500) if step == 0 else path
            found = str(found)
            if found.startswith("http"):  # an absolute link: keep its path and query
                found = urllib.parse.urlsplit(found)._replace(scheme="", netloc="").geturl()
            path = found if found.startswith("/") else with_query(path, after=found)
        else:
            link = (re.search(r'<a [^>]*rel="next"[^>]*href="([^"]+)"', body.decode()) or
                    re.search(r'href="([^"]+)"[^>]*>\s*下一页', body.decode()))
            if not link:
                return with_query(row.path, page=500) if step == 0 else path
            path = html.unescape(link[1])
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
            if query.get("page") == ["2"] and "after" not in query:  # numbered, no cursor
                return with_query(row.path, page=500)
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(argv: list[str], env: dict, log: Path, probe: str) -> subprocess.Popen:
    with log.open("w") as out:
        process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"{argv[0]} exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        try:
            if fetch(probe)[0] == 200:
                return process
        except OSError:
            pass
        time.sleep(0.3)
    stop_server(process)
    sys.exit(f"no answer from {probe} within 90 s; see {log}")


def stop_server(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def drain(probe: str) -> None:
    """Wait until a server has worked off what the last run left queued (a sync worker keeps
    serving accepted requests after wrk hangs up): its cheap page answers at once again."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        started = time.perf_counter()
        fetch(probe)
        if time.perf_counter() - started < 0.05:
            return


def wrk(url: str, seconds: int, cookie: str = "") -> dict:
    argv = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--timeout", "30s", "--latency", url]
    if cookie:
        argv[1:1] = ["-H", f"Cookie: {cookie}"]
    drain(re.match(r"http://[^/]+", url)[0] + "/healthz")
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    scale = {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}

    def latency(pct: str) -> str:
        found = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)
        return f"{float(found[1]) * scale[found[2]]:.2f} ms" if found else "-"

    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]), "p50": latency("50"),
            "p99": latency("99"), "bad": int(bad[1]) if bad else 0,
            "errors": errors[1] if errors else ""}


# SQL statements per page ----------------------------------------------------------------

def count_statements(url: str, plan: list[Row]) -> list[tuple]:
    """Per row: the statements one request runs (at per_page 20 and 100 where the page takes
    it), and the slowest of them with its time (the first request's, at the larger size)."""
    from wishboard.extensions import db

    app = make_app(url)
    seen: list = []  # (seconds, statement) of the request being counted

    def before(conn, cursor, statement, *_):
        conn.info["bench_started"] = time.perf_counter()

    def after(conn, cursor, statement, *_):
        seen.append((time.perf_counter() - conn.info.pop("bench_started"), statement))

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", before)
        sa.event.listen(db.engine, "after_cursor_execute", after)
    clients = {who: app.test_client() for who in USERNAMES}
    for who, username in USERNAMES.items():
        answer = username and clients[who].post("/auth/login", data={"username": username,
                                                                     "password": PASSWORD})
        if username and answer.status_code != 302:
            sys.exit(f"in-process log-in as {username} answered {answer.status_code}")
    found = []
    for row in plan:
        counts = []
        for size in ((20, 100) if row.per_page else (None,)):
            seen.clear()
            path = with_query(row.url, per_page=size) if size else row.url
            status = clients[row.who].get(path).status_code
            counts.append(f"{len(seen)}" + ("" if status == 200 else f" (HTTP {status})"))
        took, statement = max(seen, default=(0.0, ""))
        statement = " ".join(statement.split())
        if " FROM " in statement:  # the tables and conditions say more than the columns
            statement = statement.split(" ", 1)[0] + " … " + statement.split(" FROM ", 1)[1]
        found.append((row.name, row.who, *counts, *([] if row.per_page else ["-"]),
                      f"{took * 1000:.1f} ms `{statement[:110]}`"))
    with app.app_context():
        db.engine.dispose()
    return found


# The run --------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--wishes", type=int, default=100_000)
    parser.add_argument("--volunteers", type=int, default=10_000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per row")
    parser.add_argument("--reuse", action="store_true",
                        help="skip the fill when the database is filled at these sizes")
    parser.add_argument("--skip-fill", action="store_true", help="use the database as it is")
    parser.add_argument("--only", default="", help="rows by name or who/name, comma-separated")
    parser.add_argument("--lock-file", default="/tmp/bench_running")
    parser.add_argument("--settle", type=int, default=120,
                        help="seconds to wait, lock file in place, for the load average < 1")
    parser.add_argument("--scratch", default="/tmp/wishboard-http-bench",
                        help="folder for the bare app, server logs and the recompute output")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not on PATH: install it (apt-get update && apt-get install -y wrk)")
    url = normalize_database_url(args.database_url) or DEFAULT_URL
    scratch = Path(args.scratch)
    scratch.mkdir(parents=True, exist_ok=True)
    (scratch / "bare_app.py").write_text(BARE_APP)
    env = os.environ | {
        "FLASK_APP": "wsgi", "WISHBOARD_CONFIG": "production", "DATABASE_URL": url,
        "SECRET_KEY": SECRET_KEY, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/14",
        "TRUSTED_HOSTS": "127.0.0.1,localhost", "WISHBOARD_INSTANCE_PATH": str(scratch / "inst"),
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(":")}
    began = time.perf_counter()
    sizes = {"wishes": args.wishes, "volunteers": args.volunteers, "entries": args.entries}
    found = marker(url) if args.reuse or args.skip_fill else None
    if found and args.reuse:
        flask_cli(env, "db", "upgrade")
        if any(found.get(k) != v for k, v in sizes.items()) or found.get("rev") != revision(url):
            print("the database was filled at other sizes or schema: filling again")
            found = None
    if args.skip_fill and not found:
        sys.exit(f"--skip-fill: {url} holds no finished fill")
    if found:
        print(f"reusing the fill of {found['filled_at']} ({found})")
        ids, fill_seconds = found, 0.0
    else:
        print(f"filling {url} with {sizes} ...")
        ids = fill(url, env, args, scratch)
        fill_seconds = time.perf_counter() - began
        marker(url, ids | sizes | {"rev": revision(url), "filled_at": time.strftime("%F %T")})
        print(f"  filled in {fill_seconds:.0f} s")
    only = {o.strip() for o in args.only.split(",") if o.strip()}
    plan = [r for r in rows(ids) if not only or r.name in only or f"{r.who}/{r.name}" in only]

    gunicorn = [str(Path(sys.executable).parent / "gunicorn")]
    if (ROOT / "gunicorn.conf.py").exists():
        gunicorn += ["-c", str(ROOT / "gunicorn.conf.py")]
    gunicorn += ["--workers", "2"]
    app_port, bare_port = free_port(), free_port()
    base, bare = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{bare_port}/"
    lock = Path(args.lock_file)
    servers: list[subprocess.Popen] = []
    results: dict[str, dict] = {}
    try:
        lock.write_text(f"bench/pages.py pid {os.getpid()} since {time.strftime('%F %T')}\n")
        waited = time.monotonic()  # others see the lock: give their work a moment to end
        while os.getloadavg()[0] > 1.0 and time.monotonic() - waited < args.settle:
            time.sleep(5)
        load = [f"{os.getloadavg()[0]:.2f}"]
        servers.append(start_server(gunicorn + ["-b", f"127.0.0.1:{app_port}", "--chdir",
                                                str(ROOT), "wsgi:app"], env,
                                    scratch / "app.log", base + "/healthz"))
        servers.append(start_server(gunicorn + ["-b", f"127.0.0.1:{bare_port}", "--chdir",
                                                str(scratch), "bare_app:app"], env,
                                    scratch / "bare.log", bare))
        cookies = {who: log_in(base, name) if name else "" for who, name in USERNAMES.items()}
        for row in plan:
            row.url = page_500(base, row, cookies[row.who]) if row.deep else row.path
            status = fetch(base + row.url, cookies[row.who])[0]
            print(f"  check {status} {row.who:<9} {row.url}")
            if status != 200:
                row.problem = f"HTTP {status}, not timed"
        results["bare Flask (start)"] = wrk(bare, args.duration)
        for row in plan:
            if not row.problem:
                print(f"  wrk {row.who} {row.name} ...", flush=True)
                results[f"{row.who}/{row.name}"] = wrk(base + row.url, args.duration,
                                                       cookies[row.who])
        results["bare Flask (end)"] = wrk(bare, args.duration)
        load.append(f"{os.getloadavg()[0]:.2f}")
        for server in servers:
            stop_server(server)
        statements = count_statements(url, plan)
    finally:
        for server in servers:
            stop_server(server)
        lock.unlink(missing_ok=True)

    bare_rps = (results["bare Flask (start)"]["rps"] + results["bare Flask (end)"]["rps"]) / 2
    problems = {f"{r.who}/{r.name}": r.problem for r in plan}
    print(f"\n## HTTP: {args.duration} s of wrk -t2 -c16 per row; gunicorn {' '.join(gunicorn[1:])}"
          f"; load average {' before, '.join(load)} after; share = the row's req/s / bare "
          f"Flask req/s (mean {bare_rps:.0f})\n")
    print("| endpoint | who | req/s | p50 | p99 | share of bare Flask | non-2xx/3xx |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for label, who, key in ([(n, "-", n) for n in ("bare Flask (start)", "bare Flask (end)")] +
                            [(f"{r.name} `{r.url}`", r.who, f"{r.who}/{r.name}") for r in plan]):
        r = results.get(key)
        if r is None:
            print(f"| {label} | {who} | {problems[key]} | | | | |")
            continue
        ratio = f"{r['rps'] / bare_rps:.3f}" if r["rps"] else "no answer in time"
        extra = f" ({r['errors']})" if r["errors"] else ""
        print(f"| {label} | {who} | {r['rps']:.1f} | {r['p50']} | {r['p99']} | {ratio} | "
              f"{r['bad']}{extra} |")
    print("\n## SQL statements per request (in-process, test client)\n")
    print("| page | who | per_page=20 (or the page's own size) | per_page=100 | slowest |")
    print("| --- | --- | ---: | ---: | --- |")
    for line in statements:
        print("| " + " | ".join(line) + " |")
    print(f"\nfill {fill_seconds:.0f} s; whole run {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
