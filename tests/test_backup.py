"""``flask wishboard backup`` and ``restore``: a populated database goes through a backup into
a second, empty database and comes back row for row, on SQLite and on PostgreSQL."""

from __future__ import annotations

import contextlib
import os
import stat
import uuid
from datetime import timedelta

import flask_migrate
import pytest
import sqlalchemy as sa

from wishboard.cli import backup
from wishboard.cli.demo import DEMO_PASSWORD
from wishboard.core.clock import utcnow
from wishboard.extensions import db


@contextlib.contextmanager
def scratch_postgres(url: str, prefix: str = "wishboard_scratch"):
    """A database of its own on the server of ``url``, dropped afterwards (the suite's own
    database is shared by every test and is never touched); yields its URL."""
    server = sa.make_url(url)
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextlib.contextmanager
def second_database(tmp_path):
    """An empty database on the same engine as the test's: a new SQLite file, or a new
    PostgreSQL database."""
    if db.engine.dialect.name == "sqlite":
        yield "sqlite:///" + str(tmp_path / "restored.sqlite")
    else:
        with scratch_postgres(db.engine.url.render_as_string(hide_password=False),
                              "wishboard_restore") as url:
            yield url


def populate(runner, client) -> None:
    """The demo community, and what it leaves empty: an API token, the community's own
    points rules, a password reset code, a volunteer's profile and follows, a webhook with
    its deliveries and a person's opt-out, points held for an unchecked newcomer, the
    sweep's lease and a reminder."""
    from wishboard.accounts import services as accounts
    from wishboard.accounts.models import User
    from wishboard.points import services as points

    seeded = runner.invoke(args=["wishboard", "seed-demo"])
    assert seeded.exit_code == 0, seeded.output
    assert client.post("/api/v1/auth/token", json={
        "username": "dangyuan_li", "password": DEMO_PASSWORD}).status_code == 200
    secretary = db.session.scalar(sa.select(User).where(User.username == "shuji_zhang"))
    points.update_rules(secretary, secretary.community_id, per_star=3)
    resident = db.session.scalar(sa.select(User).where(User.username == "jumin_wu"))
    accounts.issue_reset_code(secretary, resident.id)
    # A volunteer's skills, service card, home place and follows.
    from wishboard.matching import services as matching
    from wishboard.places.models import Category, Community

    volunteer = db.session.scalar(sa.select(User).where(User.username == "dangyuan_li"))
    place = db.session.scalar(sa.select(Community).where(
        Community.community_id == volunteer.community_id).order_by(Community.id).limit(1))
    matching.update_profile(
        volunteer, skills=[matching.list_skills(volunteer.community_id)[0].id], offer="周末有空",
        availability=["weekend_morning"], home_place_id=place.id,
        follows={"categories": [db.session.scalar(sa.select(sa.func.min(Category.id)))],
                 "places": [place.id]})
    # 每天汇总一次: the volunteer takes the daily digest; a new wish waits for it.
    from wishboard.wishes import services as wishes

    matching.update_profile(volunteer, follow_digest=True)
    wishes.create_wish(secretary, title="帮忙取快递", description="每周两次",
                       category_id=db.session.scalar(sa.select(sa.func.min(Category.id))),
                       beneficiary_name="吴秀英")
    # 社区请您帮忙: the secretary invites the volunteer to claim an open wish.
    from wishboard.invitations import services as invitations
    from wishboard.wishes.models import Wish
    from wishboard.wishes.states import WishState

    open_wish = db.session.scalar(sa.select(Wish.id).where(
        Wish.community_id == secretary.community_id, Wish.state == WishState.OPEN)
        .order_by(Wish.id).limit(1))
    invitations.invite(secretary, open_wish, user_id=volunteer.id)
    # A bridge on this host: every message to the community is queued for it from now on.
    from flask import current_app

    from wishboard.notifications import services as notifications
    current_app.config["WEBHOOK_ALLOW_PRIVATE"] = True
    notifications.create_channel(secretary, community_id=secretary.community_id,
                                 name="社区服务号", url="http://127.0.0.1:9/hook")
    notifications.set_outside_groups(resident, muted=["reminders"])
    # 年度评选: this year's selection, cut off today and walked to its certificates on a
    # clock that runs ahead (the services take it), with an objection answered.
    from wishboard.core.clock import local_day
    from wishboard.honours import services as honours

    today = local_day(utcnow())
    selection = honours.open_selection(secretary, secretary.community_id, year=today.year,
                                       cutoff=today, min_completions=0, min_average_stars=0)
    after = selection.cutoff_at + timedelta(minutes=1)
    # An admin's exception to the rules, with its reason (a selection_decisions row).
    admin = db.session.scalar(sa.select(User).where(User.username == "admin"))
    honours.update_settings(admin, selection.id, quota_elders=9, reason="街道统一名额",
                            now=after)
    honours.freeze_selection(secretary, selection.id, now=after)
    honours.start_publicity(secretary, selection.id, days=5, now=after)
    nominee = honours.selection_view(secretary, selection.id, now=after).nominees[0]
    objection = honours.raise_objection(resident, selection.id, nominee_id=nominee.id,
                                        reason="请核实服务时长", now=after)
    honours.answer_objection(secretary, objection.id, upheld=False, answer="已核实无误",
                             now=after)
    honours.publish_selection(secretary, selection.id, now=selection.publicity_ends_at)
    # 切换身份: the secretary also reports as a volunteer in another community; 服务标识: the
    # volunteer voided the codes their card showed.
    from wishboard.accounts import hats
    from wishboard.places import services as places
    from wishboard.serviceid import services as serviceid

    home = db.session.get(Community, secretary.community_id)
    elsewhere = places.create_community(None, name="玉林南路社区", level="community",
                                        parent_id=home.parent_id)
    hats.add_volunteer_hat(secretary, community_id=elsewhere.id, volunteer_type="party_member")
    serviceid.revoke(volunteer, volunteer.id)
    # A newcomer approved automatically claims a wish: its points wait for a person's check.
    home.auto_approve_reports = True
    db.session.commit()
    newcomer = accounts.register_user(username="xin_zhiyuan", password=DEMO_PASSWORD,
                                      name="新志愿者", phone="13900009999", role="volunteer",
                                      community_id=home.id)
    fresh = wishes.create_wish(secretary, title="帮忙搬花盆", description="阳台上的花盆",
                               category_id=db.session.scalar(sa.select(sa.func.min(Category.id))),
                               beneficiary_name="吴秀英")
    wishes.claim_wish(newcomer, fresh.id, accept_letter=True)
    # Half a day before the claim of the demo's homework wish falls due: a reminder. (Its
    # due date is the end of a local day, so read it rather than count from now.)
    due = db.session.scalar(sa.select(Wish.due_at).where(Wish.title == "周末辅导三年级数学"))
    later = (due - timedelta(hours=12)).isoformat(timespec="seconds")
    swept = runner.invoke(args=["wishboard", "sweep", "--now", later])
    assert swept.exit_code == 0, swept.output


def table_rows(engine: sa.Engine) -> dict[str, tuple[list[str], list[tuple]]]:
    """Every table's columns and rows, in primary-key order."""
    meta = sa.MetaData()
    meta.reflect(engine)
    out = {}
    with engine.connect() as conn:
        for table in sorted(meta.tables.values(), key=lambda t: t.name):
            order = list(table.primary_key.columns) or list(table.columns)
            rows = conn.execute(sa.select(table).order_by(*order)).all()
            out[table.name] = ([c.name for c in table.columns], [tuple(r) for r in rows])
    return out


def schema_of(engine: sa.Engine) -> dict:
    """Indexes (the partial unique one on claims among them), keys, checks and triggers (the
    audit log's append-only guard)."""
    inspector = sa.inspect(engine)
    schema = {}
    for name in inspector.get_table_names():
        schema[name] = {
            "indexes": sorted((i["name"], tuple(i["column_names"]), bool(i["unique"]))
                              for i in inspector.get_indexes(name)),
            "foreign_keys": sorted((f["name"] or "", tuple(f["constrained_columns"]),
                                    f["referred_table"]) for f in inspector.get_foreign_keys(name)),
            "checks": sorted(c["name"] or "" for c in inspector.get_check_constraints(name)),
            "uniques": sorted(u["name"] or "" for u in inspector.get_unique_constraints(name)),
        }
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            triggers = conn.execute(sa.text(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars().all()
        else:
            triggers = conn.execute(sa.text(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")).scalars().all()
    schema["triggers"] = sorted(triggers)
    return schema


def run_cli(application, *args):
    """Run ``flask wishboard ARGS`` against ``application`` (its own app context, so not the
    test's app)."""
    with application.app_context():
        return application.test_cli_runner().invoke(args=["wishboard", *args])


@pytest.mark.parametrize("target", ["new", "migrated"])
def test_backup_and_restore_round_trip_every_row(app, runner, client, make_app, tmp_path,
                                                 target):
    populate(runner, client)
    source_rows, source_schema = table_rows(db.engine), schema_of(db.engine)
    empty = [name for name, (_, rows) in source_rows.items() if not rows]
    assert not empty, empty  # every table has something to carry over
    path = tmp_path / "wishboard.backup"

    made = runner.invoke(args=["wishboard", "backup", str(path)])
    assert made.exit_code == 0, made.output
    assert f"backed up {db.engine.dialect.name} database to {path}" in made.output
    users = len(source_rows["users"][1])
    assert any(line.split() == ["users", str(users)] for line in made.output.splitlines())
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600  # the people served's details

    with second_database(tmp_path) as target_url:
        restored_app = make_app(SQLALCHEMY_DATABASE_URI=target_url)
        if target == "migrated":  # `flask db upgrade` has run: tables, no data
            with restored_app.app_context():
                flask_migrate.upgrade()
        result = run_cli(restored_app, "restore", str(path))
        assert result.exit_code == 0, result.output
        assert "restored" in result.output and "Traceback" not in result.output
        assert any(line.split() == ["users", str(users)] for line in result.output.splitlines())

        with restored_app.app_context():
            restored_engine = db.engine
            assert table_rows(restored_engine) == source_rows
            assert schema_of(restored_engine) == source_schema
            # The restored database works: sequences go on, log-ins work, points add up.
            category = run_cli(restored_app, "create-category", "--name", "恢复测试")
            assert category.exit_code == 0, category.output
            next_id = max(row[0] for row in source_rows["categories"][1]) + 1
            assert category.output.strip().endswith(f"(id {next_id})")
            answer = restored_app.test_client().post("/api/v1/auth/token", json={
                "username": "shuji_zhang", "password": DEMO_PASSWORD})
            assert answer.status_code == 200
            check = run_cli(restored_app, "recompute", "--check")
            assert check.exit_code == 0
            assert "every derived value matches the base tables" in check.output
            db.session.remove()
            restored_engine.dispose()


def test_backup_never_overwrites_unless_forced(app, runner, tmp_path):
    path = tmp_path / "taken.backup"
    path.write_bytes(b"an older backup")
    refused = runner.invoke(args=["wishboard", "backup", str(path)])
    assert refused.exit_code == 1
    assert "exists" in refused.output and "--force" in refused.output
    assert path.read_bytes() == b"an older backup"
    assert list(tmp_path.iterdir()) == [path]  # no half-written file left behind

    forced = runner.invoke(args=["wishboard", "backup", "--force", str(path)])
    assert forced.exit_code == 0, forced.output
    assert path.read_bytes() != b"an older backup"

    nowhere = runner.invoke(args=["wishboard", "backup", str(tmp_path / "no" / "such.db")])
    assert nowhere.exit_code == 1 and "does not exist" in nowhere.output


def test_restore_refuses_a_database_with_data(app, runner, client, community, tmp_path):
    path = tmp_path / "wishboard.backup"
    assert runner.invoke(args=["wishboard", "backup", str(path)]).exit_code == 0
    before = table_rows(db.engine)
    refused = runner.invoke(args=["wishboard", "restore", str(path)])
    assert refused.exit_code == 1
    assert "already holds data" in refused.output and "communities (1)" in refused.output
    assert "目标数据库里已经有数据" in refused.output
    db.session.remove()
    assert table_rows(db.engine) == before

    missing = runner.invoke(args=["wishboard", "restore", str(tmp_path / "missing.backup")])
    assert missing.exit_code == 1 and "No backup file" in missing.output


def test_restore_refuses_a_file_of_the_other_engine(app, runner, tmp_path):
    other = tmp_path / "other.backup"
    if db.engine.dialect.name == "sqlite":
        other.write_bytes(b"PGDMP" + bytes(200))
        expected = "This is a PostgreSQL (pg_dump) backup"
    else:
        other.write_bytes(backup.SQLITE_MAGIC + bytes(200))
        expected = "This is an SQLite backup"
    result = runner.invoke(args=["wishboard", "restore", str(other)])
    assert result.exit_code == 1 and expected in result.output


@pytest.mark.postgres_only
def test_a_missing_or_old_pg_dump_is_said_plainly(app, runner, tmp_path, monkeypatch):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(backup, "PG_BIN_GLOBS", ())
    missing = runner.invoke(args=["wishboard", "backup", str(tmp_path / "a.backup")])
    assert missing.exit_code == 1
    assert "pg_dump not found" in missing.output and "postgresql-client-" in missing.output
    assert "找不到 pg_dump" in missing.output

    old = tmp_path / "old-bin"
    old.mkdir()
    fake = old / "pg_dump"
    fake.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    fake.chmod(0o755)
    too_old = runner.invoke(args=["wishboard", "backup", "--pg-bin", str(old),
                                  str(tmp_path / "b.backup")])
    assert too_old.exit_code == 1
    assert "older than the PostgreSQL" in too_old.output and "(9)" in too_old.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old-bin"]


def test_version_mismatch_messages_come_with_what_to_do():
    said = backup.explain("pg_dump: error: aborting because of server version mismatch\n"
                          "pg_dump: detail: server version: 17.2; pg_dump version: 15.20")
    assert said.startswith("pg_dump: error") and "postgresql-client-NN" in said
    said = backup.explain("pg_restore: error: unsupported version (1.16) in file header")
    assert "newer pg_dump than this pg_restore" in said
    said = backup.explain('ERROR:  unrecognized configuration parameter "transaction_timeout"')
    assert "newer PostgreSQL than the target server" in said


def test_libpq_url_keeps_the_password_off_the_command_line():
    url, env = backup.libpq_url(sa.make_url(
        "postgresql+psycopg://wishboard:s%40cret@db.example:6543/wishboard?sslmode=require"))
    assert url == "postgresql://wishboard@db.example:6543/wishboard?sslmode=require"
    assert env == {"PGPASSWORD": "s@cret"}
