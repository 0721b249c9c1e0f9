"""One stale-work sweep on PostgreSQL over 1,000,000 wishes of which 10,000 are due.

Due: 4,000 open wishes past their expiry, 3,000 claims past their promised date (each with
its claim and points entry, so the release reverses real points), 3,000 completed wishes
past the rating window. Reports the sweep's time against a plain SELECT of one row from the
same database in the same run. Run on demand:

    .venv/bin/python bench/sweep.py [--wishes 1000000] [--due 10000]

It uses BENCH_DATABASE_URL (default: the local server's database wishboard_bench, created
if missing) and wipes that database.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from leaderboard import DEFAULT_URL, ensure_database, timed  # noqa: E402

from config import TestingConfig, normalize_database_url  # noqa: E402

NOW = datetime(2026, 11, 22, 4, 0, tzinfo=timezone.utc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wishes", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=10_000)
    args = parser.parse_args()
    url = normalize_database_url(os.environ.get("BENCH_DATABASE_URL")) or DEFAULT_URL
    ensure_database(url)
    expired, overdue = args.due * 4 // 10, args.due * 3 // 10
    closing = args.due - expired - overdue

    import flask_migrate

    from wishboard import create_app
    from wishboard.extensions import db
    from wishboard.jobs import sweeps

    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        flask_migrate.upgrade()
        run = lambda sql, **kw: db.session.execute(sa.text(sql), kw)  # noqa: E731
        start = time.perf_counter()
        run("INSERT INTO communities (id, name, level, auto_approve_reports, claim_window_days,"
            " open_wish_max_age_days, rating_window_days, expiry_reminder_days,"
            " due_reminder_days, rating_reminder_days, created_at)"
            " VALUES (1, '玉林北路社区', 'community', false, 7, 3650, 14, 0, 0, 0, now())")
        run("INSERT INTO users (id, username, password_hash, name, phone, role, community_id,"
            " volunteer_type, report_status, is_active, open_claim_count, show_on_boards,"
            " created_at) SELECT g, 'u' || g, 'x', '志愿者' || g, '', 'volunteer', 1,"
            " 'party_member', 'approved', true, 1000, true, now()"
            " FROM generate_series(1, 1000) g")
        category = db.session.scalar(sa.text("SELECT min(id) FROM categories"))
        # States by id range: [1, expired] open and past expiry; then overdue claims; then
        # completed past the window; the rest open with expiry far ahead, or closed.
        run("INSERT INTO wishes (id, community_id, kind, title, description, category_id,"
            " public_alias, state, created_by_id, created_at, published_at, expires_at,"
            " claimant_id, claimed_at, due_at, completed_at, rating_count, rating_sum) "
            "SELECT g, 1, 'micro_wish', '心愿' || g, '说明', :category, '某人',"
            " CASE WHEN g <= :a THEN 'open' WHEN g <= :b THEN 'claimed'"
            "      WHEN g <= :c THEN 'completed' WHEN g % 2 = 0 THEN 'open' ELSE 'closed' END,"
            " 1, :now - interval '40 days', :now - interval '40 days',"
            " CASE WHEN g <= :a THEN :now - interval '1 day'"
            "      ELSE :now + interval '300 days' END,"
            " CASE WHEN g > :a AND g <= :c THEN 1 + g % 1000"
            "      WHEN g > :c AND g % 2 = 1 THEN 1 + g % 1000 END,"
            " CASE WHEN g > :a AND g <= :c THEN :now - interval '30 days' END,"
            " CASE WHEN g > :a AND g <= :b THEN :now - interval '1 hour' END,"
            " CASE WHEN g > :b AND g <= :c THEN :now - interval '20 days' END, 0, 0"
            " FROM generate_series(1, :n) g",
            category=category, a=expired, b=expired + overdue, c=expired + overdue + closing,
            n=args.wishes, now=NOW)
        run("INSERT INTO claims (id, wish_id, volunteer_id, letter, status, claimed_at, due_at)"
            " SELECT id, id, claimant_id, '责任书', 'active', claimed_at, :now - interval '1 hour'"
            " FROM wishes WHERE state = 'claimed'", now=NOW)
        run("INSERT INTO points_entries (key, community_id, volunteer_id, source_type,"
            " source_id, rule, amount, d_claims, reason, created_at, year, quarter, month)"
            " SELECT 'claim:' || id, 1, volunteer_id, 'claim', id, 'per_claim', 5, 1, '认领',"
            " claimed_at, '2026', '2026-Q4', '2026-10' FROM claims")
        for sequence in ("wishes_id_seq", "claims_id_seq", "users_id_seq"):
            table = sequence.rsplit("_id_seq", 1)[0]
            run(f"SELECT setval('{sequence}', (SELECT max(id) FROM {table}))")
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE"))
        load_seconds = time.perf_counter() - start

        base = statistics.median(timed(lambda: db.session.execute(
            sa.text("SELECT id, title FROM wishes WHERE id = 424242")).all(), 200))

        start = time.perf_counter()
        due = sweeps.plan(NOW)
        plan_seconds = time.perf_counter() - start

        start = time.perf_counter()
        result = sweeps.run_sweep(NOW)
        sweep_seconds = time.perf_counter() - start

        start = time.perf_counter()
        again = sweeps.run_sweep(NOW)
        again_seconds = time.perf_counter() - start

        print(f"data: {args.wishes} wishes, {args.due} due ({expired} to expire, {overdue} "
              f"overdue claims, {closing} to close); loaded in {load_seconds:.1f} s")
        print(f"baseline  SELECT one wish by primary key: median {base * 1000:.3f} ms")
        print(f"dry run (plan) found {len(due)} changes in {plan_seconds:.2f} s")
        print(f"sweep: {result.summary()} in {sweep_seconds:.2f} s "
              f"({sweep_seconds / max(args.due, 1) * 1000:.2f} ms per due wish, "
              f"{sweep_seconds / base:.0f}x the one-row SELECT)")
        print(f"second sweep: {again.summary()} in {again_seconds:.3f} s")
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
