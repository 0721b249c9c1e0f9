"""Failed log-ins counted in Redis hold across gunicorn's worker processes."""

import json
import socket
import urllib.error
import urllib.request
import uuid

import pytest
from live import gunicorn


def _token(base, username, password):
    request = urllib.request.Request(
        f"{base}/api/v1/auth/token", method="POST",
        data=json.dumps({"username": username, "password": password}).encode(),
        headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_failed_logins_are_counted_once_for_all_workers(app, migrated_url, community,
                                                        make_user):
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", 6379)) != 0:
            pytest.skip("no Redis on 127.0.0.1:6379")
    import redis

    storage = "redis://127.0.0.1:6379/15"  # a database of its own, emptied first
    redis.Redis.from_url(storage).flushdb()
    user = make_user("resident", community, username=f"redis_{uuid.uuid4().hex[:12]}")
    env = {"RATELIMIT_STORAGE_URI": storage, "LOGIN_FAILURES_PER_ACCOUNT": "3 per hour"}
    with gunicorn(migrated_url, workers=3, threads=1, extra_env=env) as base:
        assert [_token(base, user.username, "wrong-wrong") for _ in range(3)] == [401] * 3
        # Whichever worker answers now, it sees the three failures.
        assert [_token(base, user.username, "correct-horse-9") for _ in range(3)] == [429] * 3
