"""A real server process for tests that need real concurrency or a real browser."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn(database_url: str, *, workers: int = 4, threads: int = 5, extra_env=None):
    """Serve ``wsgi:app`` in production configuration on a free port; yields the base URL."""
    port = free_port()
    env = dict(os.environ)
    env.update(WISHBOARD_CONFIG="production", SECRET_KEY="live-test-" + "k" * 40,
               DATABASE_URL=database_url, SESSION_COOKIE_SECURE="0",
               # Per-process counters are fine for a test server; production needs Redis.
               RATELIMIT_STORAGE_URI="memory://", RATELIMIT_ALLOW_MEMORY="1")
    env.update(extra_env or {})
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--threads", str(threads),
         "--bind", f"127.0.0.1:{port}", "--graceful-timeout", "5",
         # gunicorn.conf.py logs every request; nobody reads this pipe while tests run.
         "--access-logfile", os.devnull, "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(base + "/api/v1/categories", timeout=5).read()
                break
            except OSError:
                if server.poll() is not None:
                    raise RuntimeError("gunicorn exited:\n" + server.stdout.read())
                if time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start in 30 s")
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        try:
            server.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.communicate()


def post_all_at_once(url: str, tokens: list[str], body: dict) -> list[tuple[int, dict]]:
    """POST ``body`` to ``url`` once per token, every request released at the same instant
    from its own thread; returns (status, JSON body) per token, in token order."""
    return post_each_at_once([(url, token) for token in tokens], body)


def post_each_at_once(requests: list[tuple[str, str]], body: dict) -> list[tuple[int, dict]]:
    """POST ``body`` to each (url, token), all released at the same instant, each from its
    own thread; returns (status, JSON body) per request, in order."""
    import json
    import threading
    import urllib.error

    barrier = threading.Barrier(len(requests))
    results: list = [None] * len(requests)

    def send(index: int, url: str, token: str) -> None:
        request = urllib.request.Request(
            url, data=json.dumps(body).encode(), method="POST",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        barrier.wait()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                results[index] = (response.status, json.loads(response.read()))
        except urllib.error.HTTPError as error:
            results[index] = (error.code, json.loads(error.read()))

    threads = [threading.Thread(target=send, args=(i, url, token))
               for i, (url, token) in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results
