"""``flask wishboard ...``: thin commands over the services, as the views are."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from wishboard.errors import WishboardError
from wishboard.places.models import PlaceLevel

wishboard = AppGroup("wishboard", help="Wishboard administration.")


def _fail(error: WishboardError) -> None:
    details = "; ".join(f"{k}: {', '.join(map(str, v))}" for k, v in error.fields.items())
    raise click.ClickException(error.message + (f" ({details})" if details else ""))


@wishboard.command("create-admin")
@click.option("--username", prompt="用户名 username")
@click.option("--password", prompt="密码 password", hide_input=True, confirmation_prompt=True)
@click.option("--name", prompt="姓名 name")
@click.option("--phone", default="")
def create_admin(username, password, name, phone):
    """Create an administrator account."""
    from wishboard.accounts import services as accounts
    from wishboard.accounts.schemas import StaffUserCreateSchema
    from wishboard.core.schemas import load_or_raise

    try:
        data = load_or_raise(StaffUserCreateSchema(), {
            "username": username, "password": password, "name": name, "phone": phone,
            "community_id": 0})
        user = accounts.create_staff_user(None, username=data["username"],
                                          password=data["password"], name=data["name"],
                                          phone=data["phone"], role="admin")
    except WishboardError as error:
        _fail(error)
    click.echo(f"created admin {user.username} (id {user.id})")


@wishboard.command("reset-password")
@click.option("--username", required=True, help="The account (username or mobile number).")
@click.option("--password", prompt="新密码 new password", hide_input=True,
              confirmation_prompt=True)
def reset_password(username, password):
    """Set a person's password (for an admin at the server). Every session, 记住我 and API
    token of the person ends; the change is audited."""
    from wishboard.accounts import services as accounts

    try:
        user = accounts.set_password_by_admin(username, password)
    except WishboardError as error:
        _fail(error)
    click.echo(f"password set for {user.username} ({user.name}); their sessions have ended")


@wishboard.command("create-community")
@click.option("--name", required=True)
@click.option("--level", required=True, type=click.Choice([lv.value for lv in PlaceLevel]))
@click.option("--parent-id", type=int, default=None)
@click.option("--auto-approve-reports", is_flag=True)
def create_community(name, level, parent_id, auto_approve_reports):
    """Add a place (district, street, community, area, courtyard, building...)."""
    from wishboard.places import services as places

    try:
        place = places.create_community(None, name=name, level=level, parent_id=parent_id,
                                        auto_approve_reports=auto_approve_reports)
    except WishboardError as error:
        _fail(error)
    click.echo(f"created {place.level.value} {place.name} (id {place.id})")


@wishboard.command("create-secretary")
@click.option("--username", required=True)
@click.option("--password", prompt="密码 password", hide_input=True, confirmation_prompt=True)
@click.option("--name", required=True)
@click.option("--phone", default="")
@click.option("--community-id", type=int, required=True)
def create_secretary(username, password, name, phone, community_id):
    """Create a community secretary account."""
    from wishboard.accounts import services as accounts
    from wishboard.accounts.schemas import StaffUserCreateSchema
    from wishboard.core.schemas import load_or_raise

    try:
        data = load_or_raise(StaffUserCreateSchema(), {
            "username": username, "password": password, "name": name, "phone": phone,
            "community_id": community_id})
        user = accounts.create_staff_user(None, **data)
    except WishboardError as error:
        _fail(error)
    click.echo(f"created secretary {user.username} (id {user.id})")


@wishboard.command("create-organization")
@click.option("--name", required=True)
@click.option("--community-id", type=int, required=True)
def create_organization(name, community_id):
    """Add a reporting organisation (报到党组织) to a community."""
    from wishboard.organizations import services as organizations

    try:
        org = organizations.create_organization(None, name=name, community_id=community_id)
    except WishboardError as error:
        _fail(error)
    click.echo(f"created organization {org.name} (id {org.id})")


@wishboard.command("create-category")
@click.option("--name", required=True)
@click.option("--description", default="")
@click.option("--sort-order", type=int, default=100)
def create_category(name, description, sort_order):
    """Add a category of need."""
    from wishboard.places import services as places

    try:
        category = places.create_category(None, name=name, description=description,
                                          sort_order=sort_order)
    except WishboardError as error:
        _fail(error)
    click.echo(f"created category {category.name} (id {category.id})")


@wishboard.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only when the database has no users yet.")
def seed_demo(if_empty):
    """Load the demo community 玉林北路社区 (idempotent)."""
    from wishboard.cli import demo

    if if_empty and not demo.database_is_empty():
        click.echo("database has data; demo not loaded")
        return
    logins = demo.seed_demo()
    click.echo("demo community 玉林北路社区 is ready. Log-ins (password for all: "
               f"{demo.DEMO_PASSWORD}):")
    for login in logins:
        click.echo(f"  {login.username:<16} {login.name:<6} {login.role}")


@wishboard.command("recompute")
@click.option("--check", is_flag=True, help="Report differences without repairing them.")
def recompute(check):
    """Rebuild every derived number (board tallies, a wish's ratings, project members and
    hours, open claims, activity seats, points totals) from the base tables, and report
    each that disagreed."""
    from wishboard.jobs.recompute import recompute as rebuild

    differences, mismatches = rebuild(repair=not check)
    for d in differences:
        click.echo(f"mismatch {d}")
    for m in mismatches:
        click.echo(f"mismatch points total {m.owner_type} {m.owner_id} {m.period}: "
                   f"stored {m.stored or 'nothing'} ledger {m.ledger or 'nothing'}")
    found = len(differences) + len(mismatches)
    verb = "found" if check else "repaired"
    click.echo(f"{found} derived values {verb}" if found
               else "every derived value matches the base tables")
    if check and found:
        raise SystemExit(1)


points_cli = AppGroup("points", help="The positive-energy score ledger.")
wishboard.add_command(points_cli)


@points_cli.command("recompute")
@click.option("--community-id", type=int, default=None, hidden=True)
@click.option("--check", is_flag=True, help="Report differences without repairing them.")
@click.pass_context
def points_recompute(ctx, community_id, check):
    """The old name of `flask wishboard recompute` (which rebuilds the points totals with
    everything else derived); kept so existing jobs keep working."""
    click.echo("flask wishboard points recompute is now flask wishboard recompute", err=True)
    ctx.invoke(recompute, check=check)


@wishboard.command("sweep")
@click.option("--dry-run", is_flag=True, help="List what would change and why; change nothing.")
@click.option("--now", "at", default=None, metavar="ISO-TIME",
              help="Sweep as of this moment instead of now (e.g. 2026-12-01T08:00:00+08:00).")
def sweep(dry_run, at):
    """Apply the stale-work policy once: expire, release overdue claims, close, remind."""
    from datetime import datetime

    from wishboard.jobs import sweeps

    now = None
    if at:
        try:
            now = datetime.fromisoformat(at)
        except ValueError:
            raise click.BadParameter("use an ISO time such as 2026-12-01T08:00:00+08:00",
                                     param_hint="--now") from None
        if now.tzinfo is None:
            raise click.BadParameter("give the time zone, e.g. +08:00", param_hint="--now")
    if dry_run:
        due = sweeps.plan(now)
        for item in due:
            click.echo(f"{item.rule:<14} wish {item.wish_id:<7} {item.title}: {item.why}")
        click.echo(f"{len(due)} changes due" if due else "nothing is due")
        return
    result = sweeps.run_sweep(now)
    click.echo(result.summary())


@wishboard.command("deliver")
@click.option("--now", "everything", is_flag=True,
              help="Treat every waiting retry as due (after fixing a bridge, or in tests).")
def deliver(everything):
    """Send the messages waiting for outside channels once (the scheduler does this every
    half minute)."""
    from wishboard.notifications import outbox

    report = outbox.deliver_due(everything=everything)
    for line in report.errors:
        click.echo(line, err=True)
    click.echo(report.summary())


@wishboard.command("digest")
@click.option("--now", "everything", is_flag=True,
              help="Send every waiting item, not only those written before the latest "
                   "DIGEST_HOUR (in tests, or to send today's digests early).")
def digest_command(everything):
    """Send the followers' daily digests once (the scheduler does this every day at
    DIGEST_HOUR, local time). Each person's waiting wishes are sent once, however often
    or in how many processes this runs."""
    from wishboard.matching import digest

    click.echo(digest.send_digests(everything=everything).summary())


@wishboard.command("purge-tokens")
def purge_tokens():
    """Delete API tokens that expired or were revoked over a week ago."""
    from wishboard.accounts import tokens

    click.echo(f"purged {tokens.purge_expired_tokens()} tokens")


_pg_bin_option = click.option(
    "--pg-bin", envvar="WISHBOARD_PG_BIN", default=None, metavar="DIR",
    help="PostgreSQL: the bin directory of the pg_dump/pg_restore to use.")


@wishboard.command("backup")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
@_pg_bin_option
def backup_command(path, force, pg_bin):
    """Write a consistent copy of the database to PATH (SQLite: a database file;
    PostgreSQL: a pg_dump custom-format archive) while the site keeps running."""
    from wishboard.cli.backup import backup_database

    for line in backup_database(path, force=force, pg_bin=pg_bin).lines():
        click.echo(line)


@wishboard.command("restore")
@click.argument("path", type=click.Path(path_type=Path))
@_pg_bin_option
def restore_command(path, pg_bin):
    """Read a backup made by `backup` into the configured database, which must hold no rows
    (a new database, or one with just the migrated schema)."""
    from wishboard.cli.backup import restore_database

    for line in restore_database(path, pg_bin=pg_bin).lines():
        click.echo(line)


@wishboard.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
def serve(host, port):
    """Development server with the scheduler running inside it (one process, no reloader)."""
    from werkzeug.serving import run_simple

    from wishboard.jobs.scheduler import build_scheduler

    app = current_app._get_current_object()
    scheduler = build_scheduler(app)
    scheduler.start()
    click.echo(f"scheduler started with {len(scheduler.get_jobs())} jobs")
    try:
        run_simple(host, port, app, use_reloader=False, threaded=True)
    finally:
        scheduler.shutdown(wait=False)


@wishboard.command("scheduler")
def run_scheduler():
    """Run the scheduler in the foreground: the one place jobs run in production."""
    from apscheduler.schedulers.blocking import BlockingScheduler

    from wishboard.jobs.scheduler import build_scheduler

    scheduler = build_scheduler(current_app._get_current_object(), BlockingScheduler)
    click.echo(f"scheduler running {len(scheduler.get_jobs())} jobs; Ctrl-C to stop")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
