"""Leaderboard speed on PostgreSQL: 10,000 volunteers, 1,000,000 ledger entries.

Times the leaderboard (top 50, as the 光荣榜 page asks for it) against a plain SELECT of one
row from the same database in the same run, and reports the ratio. Run on demand:

    .venv/bin/python bench/leaderboard.py [--volunteers 10000] [--entries 1000000]

It uses BENCH_DATABASE_URL (default: the local server's database wishboard_bench, created
if missing) and wipes that database.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config import TestingConfig, normalize_database_url  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/wishboard_bench"


def ensure_database(url: str) -> None:
    target = sa.engine.make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"),
                             {"n": target.database})
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{target.database}"'))
        else:
            conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                 "WHERE datname = :n AND pid <> pg_backend_pid()"),
                         {"n": target.database})
    admin.dispose()
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def timed(fn, repeat: int) -> list[float]:
    fn()  # warm
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--volunteers", type=int, default=10_000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    url = normalize_database_url(os.environ.get("BENCH_DATABASE_URL")) or DEFAULT_URL
    ensure_database(url)

    import flask_migrate

    from wishboard import create_app
    from wishboard.extensions import db
    from wishboard.points import services as points

    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        flask_migrate.upgrade()
        start = time.perf_counter()
        db.session.execute(sa.text(
            "INSERT INTO communities (id, name, level, auto_approve_reports, claim_window_days,"
            " created_at) VALUES (1, '玉林北路社区', 'community', false, 7, now())"))
        db.session.execute(sa.text(
            "INSERT INTO organizations (id, name, community_id, created_at) "
            "SELECT g, '党支部' || g, 1, now() FROM generate_series(1, 50) g"))
        db.session.execute(sa.text(
            "INSERT INTO users (id, username, password_hash, name, phone, role, community_id,"
            " volunteer_type, organization_id, report_status, is_active, open_claim_count,"
            " show_on_boards, created_at) "
            "SELECT g, 'v' || g, 'x', '志愿者' || g, '', 'volunteer', 1,"
            " (ARRAY['party_member','elder','other'])[1 + g % 3],"
            " CASE WHEN g % 4 = 0 THEN 1 + g % 50 END, 'approved', true, 0, g % 10 <> 0, now()"
            " FROM generate_series(1, :n) g"), {"n": args.volunteers})
        # Entries spread over two years; a mix of claims, completions, hours and ratings.
        db.session.execute(sa.text(
            "INSERT INTO points_entries (key, community_id, volunteer_id, organization_id,"
            " source_type, source_id, rule, amount, d_claims, d_completions, d_activities,"
            " d_hours, d_ratings, d_stars, reason, created_at, year, quarter, month) "
            "SELECT 'bench:' || g, 1, v, CASE WHEN v % 4 = 0 THEN 1 + v % 50 END,"
            " 'claim', g, 'per_claim', 1 + (g * 7919) % 20, (g % 2), (g % 5 = 0)::int, 0,"
            " (g % 5 = 0)::int, (g % 7 = 0)::int, CASE WHEN g % 7 = 0 THEN 1 + g % 5 ELSE 0 END,"
            " 'bench', ts, to_char(ts, 'YYYY'), to_char(ts, 'YYYY') || '-Q' || to_char(ts, 'Q'),"
            " to_char(ts, 'YYYY-MM') "
            "FROM (SELECT g, 1 + (g * 104729) % :v AS v,"
            " timestamptz '2025-01-01' + (g % 700) * interval '1 day' AS ts"
            " FROM generate_series(1::bigint, :n) g) s"), {"n": args.entries, "v": args.volunteers})
        db.session.commit()
        load_seconds = time.perf_counter() - start

        start = time.perf_counter()
        points.recompute_totals()
        recompute_seconds = time.perf_counter() - start
        db.session.commit()
        # What autovacuum does in a running system: statistics and the visibility map.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE"))
        totals = db.session.scalar(sa.text("SELECT count(*) FROM points_totals"))

        def one_row():
            db.session.execute(sa.text("SELECT id, name FROM users WHERE id = :id"),
                               {"id": 4242}).all()

        def board_all():
            points.leaderboard(1, period="all", per_page=50)

        def board_month():
            points.leaderboard(1, period="2026-06", per_page=50)

        def board_elders():
            points.leaderboard(1, period="all", volunteer_type="elder", per_page=50)

        def board_orgs():
            points.leaderboard(1, kind="organizations", period="2026", per_page=50)

        base = statistics.median(timed(one_row, args.repeat))
        print(f"data: {args.volunteers} volunteers, {args.entries} ledger entries, "
              f"{totals} totals rows (loaded in {load_seconds:.1f} s; "
              f"points recompute over the ledger took {recompute_seconds:.1f} s)")
        print(f"baseline  SELECT one row by primary key: median {base * 1000:.3f} ms")
        for name, fn in [("leaderboard all-time top 50", board_all),
                         ("leaderboard one month top 50", board_month),
                         ("leaderboard elders top 50", board_elders),
                         ("organisations one year top 50", board_orgs)]:
            median = statistics.median(timed(fn, args.repeat))
            print(f"{name:<32} median {median * 1000:.3f} ms  ratio {median / base:.1f}x")
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
