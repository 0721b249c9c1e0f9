"""``flask wishboard backup`` and ``restore``: a consistent copy of the whole database, and
reading one back into an empty database.

SQLite is copied page by page with the sqlite3 online backup API, in one step under one read
lock: the copy is the database as of one moment, while the site keeps serving. The copy is
a single self-contained file (rollback journal, not WAL), openable with ``sqlite3``.

PostgreSQL goes through ``pg_dump --format=custom`` and ``pg_restore``. The backup exports
a snapshot from a read-only REPEATABLE READ transaction, counts the rows in it and hands it
to ``pg_dump --snapshot``, so the counts printed are exactly what the archive holds. The
restore runs ``pg_restore --no-owner --no-privileges --single-transaction
--exit-on-error``: all or nothing, objects owned by the user restoring. Into a database that
already has the migrated, empty schema it adds ``--clean --if-exists`` (each table of the
backup is dropped and created again as the backup has it); into a freshly created database
it only creates.

Either way a restore refuses a database that holds any row (``alembic_version`` aside), and
a PostgreSQL database with tables the backup does not have. Backups hold the private details
of the people served: the files are created readable by their owner only.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app

from wishboard.extensions import db

VERSION_TABLE = "alembic_version"
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_ARCHIVE_MAGIC = b"PGDMP"
# Where distributions install the client of each major version beside the one on PATH.
PG_BIN_GLOBS = ("/usr/lib/postgresql/*/bin", "/usr/pgsql-*/bin",
                "/opt/homebrew/opt/postgresql@*/bin", "/usr/local/opt/postgresql@*/bin")


class BackupError(click.ClickException):
    """A refusal or a failure, said in Chinese and English; the command exits with 1."""

    def __init__(self, chinese: str, english: str, detail: str = "") -> None:
        super().__init__(f"{chinese}\n{english}" + (f"\n\n{detail.rstrip()}" if detail else ""))


@dataclass
class Report:
    """What a backup or restore did, for the command to print."""

    action: str
    engine: str
    path: Path
    counts: dict[str, int]
    revision: str | None = None
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        size = self.path.stat().st_size if self.path.exists() else 0
        out = [f"{self.action} {self.engine} database "
               f"{'to' if self.action == 'backed up' else 'from'} {self.path} ({_size(size)})",
               f"schema revision {self.revision or 'unknown'}"]
        width = max((len(name) for name in self.counts), default=0)
        out += [f"  {name:<{width}}  {count:>9,}" for name, count in sorted(self.counts.items())]
        out.append(f"{len(self.counts)} tables, {sum(self.counts.values()):,} rows")
        return out + self.notes


def _size(n: int) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:,} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024
    return str(n)  # pragma: no cover


# Shared -----------------------------------------------------------------------------------

def _count_rows(conn, tables) -> dict[str, int]:
    return {name: conn.execute(sa.select(sa.func.count()).select_from(sa.table(name)))
            .scalar_one() for name in tables}


def _revision(counts: dict[str, int], conn) -> str | None:
    if VERSION_TABLE not in counts:
        return None
    return conn.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()


def _code_heads() -> set[str]:
    from alembic.script import ScriptDirectory

    config = current_app.extensions["migrate"].migrate.get_config()
    return set(ScriptDirectory.from_config(config).get_heads())


def _revision_note(revision: str | None) -> list[str]:
    heads = _code_heads()
    if revision is None or revision in heads:
        return []
    return [f"注意：备份的数据库结构版本是 {revision}，本程序是 {', '.join(sorted(heads))}；"
            "启动前请运行 flask db upgrade。",
            f"Note: the backup's schema revision is {revision}, this code's is "
            f"{', '.join(sorted(heads))}: run `flask db upgrade` before starting the site."]


def _refuse_unless_empty(conn) -> list[str]:
    """Refuse a target holding any row but what ``flask db upgrade`` writes itself (the
    revision, the seven default categories and the default skills as the migrations add
    them); return its tables."""
    from wishboard.matching.services import DEFAULT_SKILLS
    from wishboard.places.services import DEFAULT_CATEGORIES

    tables = sa.inspect(conn).get_table_names()
    counts = _count_rows(conn, [t for t in tables if t != VERSION_TABLE])
    if counts.get("categories"):
        defaults = set(DEFAULT_CATEGORIES)
        counts["categories"] = sum(
            1 for row in conn.execute(sa.text(
                "SELECT name, description, sort_order, is_active FROM categories"))
            if (row.name, row.description, row.sort_order) not in defaults or not row.is_active)
    if counts.get("skills"):
        counts["skills"] = sum(
            1 for row in conn.execute(sa.text("SELECT name, community_id FROM skills"))
            if row.community_id is not None or row.name not in DEFAULT_SKILLS)
    full = {name: n for name, n in counts.items() if n}
    if full:
        listing = ", ".join(f"{name} ({n:,})" for name, n in sorted(full.items()))
        raise BackupError(
            "目标数据库里已经有数据，不会覆盖。请恢复到一个新建的空数据库。",
            "The database already holds data; restore only goes into an empty database "
            "(a new one, or one just migrated with flask db upgrade).",
            f"tables with rows: {listing}")
    return tables


def _new_private_file(path: Path) -> Path:
    """An empty file beside ``path``, readable by its owner only, to write the copy into."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.partial")
    temp.unlink(missing_ok=True)
    os.close(os.open(temp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    return temp


def _check_target(path: Path, force: bool) -> None:
    if path.is_dir():
        raise BackupError(f"{path} 是一个目录，请给出文件名。",
                          f"{path} is a directory; give a file name.")
    if path.exists() and not force:
        raise BackupError(f"{path} 已经存在，不会覆盖（确需覆盖请加 --force）。",
                          f"{path} exists; not overwriting it (add --force to replace it).")
    if not path.parent.is_dir():
        raise BackupError(f"目录 {path.parent} 不存在。",
                          f"The directory {path.parent} does not exist.")


def _move_into_place(temp: Path, path: Path, force: bool) -> None:
    """Publish the finished copy: never half a file at ``path``, never over one unless
    ``force`` (a hard link refuses an existing name atomically)."""
    if force:
        os.replace(temp, path)
        return
    try:
        os.link(temp, path)
    except FileExistsError:
        temp.unlink()
        raise BackupError(f"{path} 已经存在，不会覆盖（确需覆盖请加 --force）。",
                          f"{path} appeared meanwhile; not overwriting it (use --force)."
                          ) from None
    except OSError:  # a file system without hard links
        if path.exists():
            temp.unlink()
            raise BackupError(f"{path} 已经存在，不会覆盖。", f"{path} exists; not overwriting it."
                              ) from None
        os.replace(temp, path)
    else:
        temp.unlink()


def _magic(path: Path) -> bytes:
    with open(path, "rb") as f:
        return f.read(16)


def _check_source(path: Path, engine: str) -> None:
    if not path.is_file():
        raise BackupError(f"找不到备份文件 {path}。", f"No backup file at {path}.")
    magic = _magic(path)
    if engine == "sqlite" and magic.startswith(PG_ARCHIVE_MAGIC):
        raise BackupError(
            "这是 PostgreSQL（pg_dump）备份，而当前配置的是 SQLite 数据库。",
            "This is a PostgreSQL (pg_dump) backup but the configured database is SQLite; "
            "set DATABASE_URL to the PostgreSQL database to restore into.")
    if engine == "postgresql" and magic.startswith(SQLITE_MAGIC):
        raise BackupError(
            "这是 SQLite 备份，而当前配置的是 PostgreSQL 数据库。",
            "This is an SQLite backup but the configured database is PostgreSQL.")


# Entry points -----------------------------------------------------------------------------

def backup_database(path: Path, *, force: bool = False, pg_bin: str | None = None) -> Report:
    """Write a consistent copy of the configured database to ``path``."""
    path = Path(path).expanduser().absolute()
    _check_target(path, force)
    engine = db.engine
    temp = _new_private_file(path)
    try:
        if engine.dialect.name == "sqlite":
            report = _sqlite_backup(engine, temp, path)
        elif engine.dialect.name == "postgresql":
            report = _pg_backup(engine, temp, path, pg_bin)
        else:
            raise BackupError(f"不支持的数据库 {engine.dialect.name}。",
                              f"Unsupported database {engine.dialect.name}.")
        _move_into_place(temp, path, force)
    finally:
        temp.unlink(missing_ok=True)
    return report


def restore_database(path: Path, *, pg_bin: str | None = None) -> Report:
    """Read the backup at ``path`` into the configured database, which must be empty."""
    path = Path(path).expanduser().absolute()
    engine = db.engine
    db.session.remove()
    if engine.dialect.name == "sqlite":
        report = _sqlite_restore(engine, path)
    elif engine.dialect.name == "postgresql":
        report = _pg_restore(engine, path, pg_bin)
    else:
        raise BackupError(f"不支持的数据库 {engine.dialect.name}。",
                          f"Unsupported database {engine.dialect.name}.")
    engine.dispose()  # every pooled connection sees the restored database afresh
    report.notes = _revision_note(report.revision) + report.notes
    return report


# SQLite -----------------------------------------------------------------------------------

def _sqlite_backup(engine: sa.Engine, temp: Path, path: Path) -> Report:
    raw = engine.raw_connection()
    try:
        target = sqlite3.connect(temp)
        try:
            # pages=-1: one step under one read lock, so the copy is of one moment.
            raw.driver_connection.backup(target, pages=-1)
            target.execute("PRAGMA journal_mode=DELETE")  # one file, no -wal beside it
            counts, revision = _sqlite_contents(target)
        finally:
            target.close()
    finally:
        raw.close()
    return Report("backed up", "sqlite", path, counts, revision)


def _sqlite_contents(conn: sqlite3.Connection) -> tuple[dict[str, int], str | None]:
    tables = [row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    counts = {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    revision = None
    if VERSION_TABLE in counts:
        row = conn.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchone()
        revision = row[0] if row else None
    return counts, revision


def _sqlite_restore(engine: sa.Engine, path: Path) -> Report:
    _check_source(path, "sqlite")
    try:
        source = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            counts, _ = _sqlite_contents(source)
        except sqlite3.DatabaseError as error:
            source.close()
            raise BackupError(f"{path} 不是 SQLite 数据库文件。",
                              f"{path} is not an SQLite database.", str(error)) from None
    except sqlite3.OperationalError as error:
        raise BackupError(f"无法打开 {path}。", f"Cannot open {path}.", str(error)) from None
    try:
        if VERSION_TABLE not in counts:
            raise BackupError(f"{path} 不是 Wishboard 的备份（没有 {VERSION_TABLE} 表）。",
                              f"{path} is not a Wishboard backup (no {VERSION_TABLE} table).")
        with engine.connect() as conn:
            _refuse_unless_empty(conn)
        engine.dispose()
        raw = engine.raw_connection()
        try:
            raw.commit()  # no transaction open on the target
            source.backup(raw.driver_connection, pages=-1)
        except sqlite3.Error as error:
            raise BackupError("恢复失败，数据库未改变。", "The restore failed; nothing was changed.",
                              str(error)) from None
        finally:
            raw.close()
    finally:
        source.close()
    return _sqlite_report(engine, path)


def _sqlite_report(engine: sa.Engine, path: Path) -> Report:
    with engine.connect() as conn:
        tables = sa.inspect(conn).get_table_names()
        counts = _count_rows(conn, tables)
        return Report("restored", "sqlite", path, counts, _revision(counts, conn))


# PostgreSQL -------------------------------------------------------------------------------

@dataclass
class Archive:
    """What ``pg_restore --list`` says of a custom-format archive."""

    tables: set[str]
    dumped_from: str | None
    dumped_by: str | None


# Known complaints of pg_dump and pg_restore, and what to do about them.
HINTS = [
    (r"server version mismatch",
     "pg_dump 的主版本必须不低于服务器的主版本：请安装对应版本的 PostgreSQL 客户端，或用 --pg-bin 指定。",
     "pg_dump must be at least the server's major version: install that client version "
     "(e.g. postgresql-client-NN) or point --pg-bin / WISHBOARD_PG_BIN at its bin directory."),
    (r"unsupported version \([\d.]+\) in file header",
     "这个备份由更新版本的 pg_dump 生成，请用同一版本或更新的 pg_restore（--pg-bin）。",
     "The backup was written by a newer pg_dump than this pg_restore: use the pg_restore of "
     "that version or newer (--pg-bin / WISHBOARD_PG_BIN)."),
    (r"unrecognized configuration parameter|syntax error",
     "备份来自更新版本的 PostgreSQL，而目标服务器较旧：请恢复到同版本或更新的服务器。",
     "The backup comes from a newer PostgreSQL than the target server: restore it into a "
     "server of the same major version or newer."),
    (r"input file does not appear to be a valid archive|did not find magic string",
     "这不是 pg_dump 自定义格式的备份文件。",
     "This is not a pg_dump custom-format archive (make backups with flask wishboard backup)."),
    (r"password authentication failed|no password supplied",
     "请检查 DATABASE_URL 中的用户名和密码。", "Check the user and password in DATABASE_URL."),
]


def explain(stderr: str) -> str:
    """The tool's own words, followed by what to do about the complaints we recognise."""
    hints = [f"{zh}\n{en}" for pattern, zh, en in HINTS if re.search(pattern, stderr)]
    return "\n\n".join([stderr.strip(), *hints]).strip()


def libpq_url(url: sa.URL) -> tuple[str, dict[str, str]]:
    """The SQLAlchemy URL (``postgresql+psycopg://...``) as a libpq URL for the client tools,
    and the environment they need: the password travels in PGPASSWORD, never on the command
    line where every user of the machine could read it."""
    env = {"PGPASSWORD": url.password} if url.password else {}
    plain = sa.URL.create("postgresql", username=url.username, host=url.host, port=url.port,
                          database=url.database, query=url.query)
    return plain.render_as_string(hide_password=False), env


def tool_major(executable: str) -> int | None:
    """The major version of a PostgreSQL client program, from ``--version``."""
    try:
        out = subprocess.run([executable, "--version"], capture_output=True, text=True,
                             timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"\(PostgreSQL\)\s+(\d+)", out)
    return int(match.group(1)) if match else None


def _server_major(conn) -> int:
    return int(conn.execute(sa.text("SHOW server_version_num")).scalar_one()) // 10000


def find_tool(name: str, server_major: int, pg_bin: str | None, *, strict: bool
              ) -> tuple[str, int]:
    """The client program to use: from ``pg_bin`` if given; else the one on PATH when it is
    at least the server's major version, else one of that major version (or the oldest newer
    one) where distributions install them. ``strict`` refuses an older program (pg_dump
    refuses a newer server); otherwise the one on PATH is used whatever its version."""
    if pg_bin:
        candidates = [os.path.join(pg_bin, name)]
    else:
        candidates = [shutil.which(name)] + [os.path.join(d, name) for pattern in PG_BIN_GLOBS
                                             for d in sorted(glob.glob(pattern))]
    found = []
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK) and candidate not in dict(found):
            major = tool_major(candidate)
            if major is not None:
                found.append((candidate, major))
    if not found:
        where = f"（在 {pg_bin} 中）" if pg_bin else ""
        raise BackupError(
            f"找不到 {name}{where}。请安装 PostgreSQL {server_major} 的客户端程序，例如 "
            f"apt-get install postgresql-client-{server_major},或用 --pg-bin 指定其目录。",
            f"{name} not found{' in ' + pg_bin if pg_bin else ' on PATH'}. Install the "
            f"PostgreSQL {server_major} client programs (e.g. apt-get install "
            f"postgresql-client-{server_major}) or point --pg-bin / WISHBOARD_PG_BIN at "
            "their bin directory.")
    if pg_bin or found[0][1] >= server_major:
        chosen = found[0]
    else:
        same = [f for f in found if f[1] == server_major]
        newer = sorted((f for f in found if f[1] > server_major), key=lambda f: f[1])
        chosen = (same or newer or found)[0]
    if chosen[1] >= server_major or not strict:
        return chosen
    versions = ", ".join(f"{path} ({major})" for path, major in found)
    raise BackupError(
        f"{name} 的版本比数据库服务器（PostgreSQL {server_major}）旧，无法使用。请安装 "
        f"postgresql-client-{server_major},或用 --pg-bin 指定其目录。",
        f"{name} is older than the PostgreSQL {server_major} server ({versions}) and refuses "
        f"it. Install postgresql-client-{server_major} or point --pg-bin / WISHBOARD_PG_BIN "
        "at a bin directory of that version or newer.")


def _run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True)


def read_archive(tool: str, path: Path) -> Archive:
    result = _run([tool, "--list", str(path)], {})
    if result.returncode != 0:
        raise BackupError(f"无法读取备份 {path}。", f"Cannot read the backup {path}.",
                          explain(result.stderr))
    tables = set(re.findall(r"^\d+; \d+ \d+ TABLE \S+ (\S+) ", result.stdout, re.MULTILINE))
    dumped_from = re.search(r"Dumped from database version: (\S+)", result.stdout)
    dumped_by = re.search(r"Dumped by pg_dump version: (\S+)", result.stdout)
    return Archive(tables, dumped_from and dumped_from.group(1), dumped_by and dumped_by.group(1))


def _connect_or_fail(engine: sa.Engine, **options):
    try:
        return engine.connect().execution_options(**options)
    except sa.exc.OperationalError as error:
        raise BackupError("无法连接数据库。", "Cannot connect to the database.",
                          explain(str(error.orig))) from None


def _pg_backup(engine: sa.Engine, temp: Path, path: Path, pg_bin: str | None) -> Report:
    url, env = libpq_url(engine.url)
    # One snapshot for the counts and for pg_dump: what is printed is what the archive holds.
    with _connect_or_fail(engine, isolation_level="REPEATABLE READ") as conn:
        snapshot = conn.execute(sa.text("SELECT pg_export_snapshot()")).scalar_one()
        tool, major = find_tool("pg_dump", _server_major(conn), pg_bin, strict=True)
        counts = _count_rows(conn, sa.inspect(conn).get_table_names())
        revision = _revision(counts, conn)
        result = _run([tool, "--format=custom", "--no-password", f"--snapshot={snapshot}",
                       "--file", str(temp), url], env)
        conn.rollback()
    if result.returncode != 0:
        raise BackupError("备份失败，没有写入文件。", "The backup failed; no file was written.",
                          explain(result.stderr))
    return Report("backed up", "postgresql", path, counts, revision,
                  [f"pg_dump {major} ({tool}), custom format; "
                   "read it back with: flask wishboard restore PATH"])


def _pg_restore(engine: sa.Engine, path: Path, pg_bin: str | None) -> Report:
    _check_source(path, "postgresql")
    url, env = libpq_url(engine.url)
    with _connect_or_fail(engine) as conn:
        server_major = _server_major(conn)
        existing = set(_refuse_unless_empty(conn))
        conn.rollback()
    tool, major = find_tool("pg_restore", server_major, pg_bin, strict=False)
    archive = read_archive(tool, path)
    if VERSION_TABLE not in archive.tables:
        raise BackupError(f"{path} 不是 Wishboard 的备份（没有 {VERSION_TABLE} 表）。",
                          f"{path} is not a Wishboard backup (no {VERSION_TABLE} table).")
    unknown = existing - archive.tables
    if unknown:
        raise BackupError(
            "目标数据库有备份中没有的表，请恢复到一个新建的空数据库。",
            "The database has tables the backup does not (a newer schema?); restore into a "
            "freshly created database.", "tables: " + ", ".join(sorted(unknown)))
    notes = []
    source_major = int(archive.dumped_from.split(".")[0]) if archive.dumped_from else None
    if source_major and source_major > server_major:
        notes.append(f"注意：备份来自 PostgreSQL {source_major}，目标服务器是 {server_major}。 "
                     f"Note: the backup comes from PostgreSQL {source_major}, the server is "
                     f"{server_major}.")
    command = [tool, "--no-owner", "--no-privileges", "--exit-on-error",
               "--single-transaction", "--no-password"]
    if existing:  # the migrated, empty schema: drop each table and create it as backed up
        command += ["--clean", "--if-exists"]
    result = _run(command + ["--dbname", url, str(path)], env)
    if result.returncode != 0:
        raise BackupError("恢复失败，数据库未改变（恢复在一个事务中进行）。",
                          "The restore failed and was rolled back; the database is unchanged.",
                          explain(result.stderr))
    with engine.connect() as conn:
        counts = _count_rows(conn, sa.inspect(conn).get_table_names())
        revision = _revision(counts, conn)
    how = "into the existing empty schema (--clean --if-exists)" if existing else \
        "into an empty database"
    notes.append(f"pg_restore {major} ({tool}) {how}, backup made by pg_dump "
                 f"{archive.dumped_by or 'unknown'}; objects now belong to {engine.url.username}")
    return Report("restored", "postgresql", path, counts, revision, notes)
