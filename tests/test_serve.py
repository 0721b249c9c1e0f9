"""What `make run` does, end to end: migrate an empty SQLite file, load the demo, serve it
with the scheduler, and answer real HTTP requests."""

import contextlib
import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _flask(env, *args):
    return subprocess.run([sys.executable, "-m", "flask", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode("utf-8")


def _sweep_finished(path) -> bool:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        row = conn.execute("SELECT last_summary FROM job_locks WHERE name = 'sweep'").fetchone()
    return bool(row and row[0])


def test_make_run_steps_serve_the_demo_community(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
    env.update(FLASK_APP="wsgi", WISHBOARD_CONFIG="development",
               WISHBOARD_INSTANCE_PATH=str(tmp_path))
    upgrade = _flask(env, "db", "upgrade")
    assert upgrade.returncode == 0, upgrade.stderr
    seed = _flask(env, "wishboard", "seed-demo", "--if-empty")
    assert seed.returncode == 0 and "shuji_zhang" in seed.stdout, seed.stderr
    again = _flask(env, "wishboard", "seed-demo", "--if-empty")
    assert "not loaded" in again.stdout

    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "flask", "wishboard", "serve", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                status, home = _get(base + "/")
                break
            except OSError:
                assert server.poll() is None, server.stdout.read()
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        assert status == 200 and "玉林北路社区" in home
        status, login = _get(base + "/auth/login")
        assert status == 200 and "登录" in login
        status, body = _get(base + "/api/v1/communities")
        names = [c["name"] for c in json.loads(body)["items"]]
        assert "玉林北路社区" in names
        # The stale-work sweep runs at start: its lease records that it finished.
        finished = time.monotonic() + 30
        while not _sweep_finished(tmp_path / "wishboard.sqlite"):
            assert time.monotonic() < finished, "the start-up sweep did not finish"
            time.sleep(0.2)
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=10)
    assert "scheduler started with 4 jobs" in output  # sweep, deliver, tokens, digest
    assert (tmp_path / "wishboard.sqlite").exists()
