"""Log-in limits that stop guessers, not owners: failures count per account from one address
and per address, the waits grow and end, production will not count in one process's memory,
and an unknown username costs the same as a known one without hashing anything new."""

import argon2
import pytest
from helpers import error_of

from config import DevelopmentConfig, ProductionConfig, TestingConfig
from wishboard import create_app
from wishboard.blueprints import login

# conftest.PASSWORD, the fixtures' password (a top-level test module cannot import
# conftest: the name may be tests/browser/conftest.py by the time it is collected).
PASSWORD = "correct-horse-9"
ATTACKER = {"REMOTE_ADDR": "203.0.113.66"}
OWNER = {"REMOTE_ADDR": "198.51.100.7"}


def _token(client, username, password, environ=None):
    return client.post("/api/v1/auth/token", environ_base=environ or {},
                       json={"username": username, "password": password})


class Clock:
    def __init__(self, start=1_800_000_000.0):
        self.now = start

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(login, "_now", fake)
    return fake


def test_guesses_from_elsewhere_never_lock_the_owner_out(client, community, make_user):
    owner = make_user("resident", community)
    for _ in range(5):
        assert _token(client, owner.username, "guess-guess", ATTACKER).status_code == 401
    assert _token(client, owner.username, PASSWORD, ATTACKER).status_code == 429

    assert _token(client, owner.username, PASSWORD, OWNER).status_code == 200
    page = client.post("/auth/login", environ_base=OWNER,
                       data={"username": owner.username, "password": PASSWORD})
    assert page.status_code == 302


def test_the_waits_grow_with_every_failure_and_end(make_app, community, make_user, clock):
    app = make_app(LOGIN_FAILURES_PER_ACCOUNT="3 per hour", LOGIN_DELAY_SECONDS=10,
                   LOGIN_DELAY_MAX_SECONDS=35)
    client = app.test_client()
    user = make_user("resident", community)
    for _ in range(3):
        assert _token(client, user.username, "guess-guess").status_code == 401
    waits = []
    for _ in range(3):
        refused = _token(client, user.username, PASSWORD)
        assert refused.status_code == 429
        assert error_of(refused)["code"] == "rate_limited"
        waits.append(int(refused.headers["Retry-After"]))
        clock.now += waits[-1] - 1
        assert _token(client, user.username, PASSWORD).status_code == 429  # not yet
        clock.now += 1
        assert _token(client, user.username, "guess-again").status_code == 401
    assert waits == [10, 20, 35]  # doubling, up to the maximum

    refused = _token(client, user.username, PASSWORD)
    assert "35秒后再试" in error_of(refused)["message"]
    english = client.post("/api/v1/auth/token", headers={"Accept-Language": "en"},
                          json={"username": user.username, "password": PASSWORD})
    assert error_of(english)["message"] == \
        "Too many failed log-ins; try again in 35 seconds"
    clock.now += 35
    assert _token(client, user.username, PASSWORD).status_code == 200
    # The right password cleared the count: the next mistake is free again.
    assert _token(client, user.username, "guess-guess").status_code == 401
    assert _token(client, user.username, PASSWORD).status_code == 200


def test_the_log_in_page_says_how_long_to_wait(make_app, community, make_user, clock):
    app = make_app(LOGIN_FAILURES_PER_ACCOUNT="2 per hour", LOGIN_DELAY_SECONDS=90)
    client = app.test_client()
    user = make_user("resident", community)
    for _ in range(2):
        client.post("/auth/login", data={"username": user.username, "password": "nope-nope"})
    page = client.post("/auth/login", data={"username": user.username, "password": PASSWORD})
    assert page.status_code == 429
    assert page.headers["Retry-After"] == "90"
    html = page.get_data(as_text=True)
    assert "请2分钟后再试" in html and 'name="username"' in html
    # The API counts the same failures.
    assert _token(client, user.username, PASSWORD).status_code == 429


def test_a_try_waits_while_the_one_before_it_is_still_being_checked(make_app, community,
                                                                    make_user, clock):
    """A burst of simultaneous guesses gets no more tries than guesses made one by one."""
    app = make_app(LOGIN_FAILURES_PER_ACCOUNT="2 per hour", LOGIN_DELAY_SECONDS=30)
    client = app.test_client()
    user = make_user("resident", community)
    assert _token(client, user.username, "guess-guess").status_code == 401
    with app.test_request_context("/auth/login", method="POST"):
        second = login.PasswordTries(user.username)
        assert second.start() == 0  # the last free try, now being checked
        third = login.PasswordTries(user.username)
        assert third.start() == 30  # arrives meanwhile: waits as if the second failed
        second.finish(None)  # the second checked no password after all
        assert login.PasswordTries(user.username).start() == 0


def test_failures_on_many_accounts_from_one_address_make_that_address_wait(
        make_app, community, make_user):
    app = make_app(LOGIN_FAILURES_PER_ADDRESS="3 per hour")
    client = app.test_client()
    users = [make_user("resident", community) for _ in range(4)]
    for user in users[:3]:
        assert _token(client, user.username, "wrong-wrong", ATTACKER).status_code == 401
    assert _token(client, users[3].username, PASSWORD, ATTACKER).status_code == 429
    assert _token(client, users[3].username, PASSWORD, OWNER).status_code == 200


def test_requests_that_check_no_password_cost_nothing(make_app, community, make_user):
    app = make_app(LOGIN_FAILURES_PER_ACCOUNT="2 per hour")
    client = app.test_client()
    user = make_user("resident", community)
    for _ in range(5):
        assert client.post("/api/v1/auth/token",
                           json={"username": user.username}).status_code == 400
    assert _token(client, user.username, PASSWORD).status_code == 200


def _production(**overrides):
    settings = dict(SECRET_KEY="k" * 40, SQLALCHEMY_DATABASE_URI="sqlite://",
                    RATELIMIT_STORAGE_URI="memory://", RATELIMIT_ALLOW_MEMORY=False)
    settings.update(overrides)
    return create_app(ProductionConfig, **settings)


def test_production_will_not_count_failures_in_one_process_memory(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    with pytest.raises(RuntimeError, match="RATELIMIT_STORAGE_URI"):
        _production()
    assert _production(RATELIMIT_ALLOW_MEMORY=True).config["ENV_NAME"] == "production"
    assert _production(RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0")


def test_several_workers_will_not_count_in_memory_either(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "4")
    for config in (DevelopmentConfig, TestingConfig):
        with pytest.raises(RuntimeError, match="RATELIMIT_ALLOW_MEMORY=1"):
            create_app(config, SQLALCHEMY_DATABASE_URI="sqlite://", SECRET_KEY="k" * 40,
                       RATELIMIT_STORAGE_URI="memory://", RATELIMIT_ALLOW_MEMORY=False)
    monkeypatch.setenv("WEB_CONCURRENCY", "1")
    assert create_app(TestingConfig, SQLALCHEMY_DATABASE_URI="sqlite://",
                      RATELIMIT_ALLOW_MEMORY=False)


def test_an_unknown_username_hashes_nothing_new(client, community, make_user, monkeypatch):
    hashed, verified = [], []
    real_hash, real_verify = argon2.PasswordHasher.hash, argon2.PasswordHasher.verify

    def counting_hash(self, *args, **kwargs):
        hashed.append(1)
        return real_hash(self, *args, **kwargs)

    def counting_verify(self, *args, **kwargs):
        verified.append(1)
        return real_verify(self, *args, **kwargs)

    monkeypatch.setattr(argon2.PasswordHasher, "hash", counting_hash)
    monkeypatch.setattr(argon2.PasswordHasher, "verify", counting_verify)
    assert _token(client, "nobody_0", "not-it-at-all").status_code == 401  # may make the dummy
    hashed.clear(), verified.clear()
    for n in range(1, 4):
        assert _token(client, f"nobody_{n}", "not-it-at-all").status_code == 401
    assert hashed == []
    assert len(verified) == 3  # each still checks a password, as for a known name


def test_the_waits_hold_when_counted_in_redis(make_app, community, make_user, clock):
    """The shared store of several workers keeps the same numbers (and the wait's moment)."""
    import socket
    import uuid

    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", 6379)) != 0:
            pytest.skip("no Redis on 127.0.0.1:6379")
    app = make_app(RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/15",
                   LOGIN_FAILURES_PER_ACCOUNT="2 per hour", LOGIN_DELAY_SECONDS=10)
    client = app.test_client()
    user = make_user("resident", community, username=f"redis_{uuid.uuid4().hex[:12]}")
    address = {"REMOTE_ADDR": f"192.0.2.{uuid.uuid4().int % 250 + 1}"}
    for _ in range(2):
        assert _token(client, user.username, "guess-guess", address).status_code == 401
    assert _token(client, user.username, PASSWORD, address).headers["Retry-After"] == "10"
    clock.now += 10
    assert _token(client, user.username, "guess-guess", address).status_code == 401
    assert _token(client, user.username, PASSWORD, address).headers["Retry-After"] == "20"
    clock.now += 20
    assert _token(client, user.username, PASSWORD, address).status_code == 200


def test_a_borrowed_session_cannot_guess_the_password_on_the_account_page(
        make_app, community, make_user, clock):
    app = make_app(LOGIN_FAILURES_PER_ACCOUNT="2 per hour", LOGIN_DELAY_SECONDS=30)
    client = app.test_client()
    user = make_user("resident", community)
    assert client.post("/auth/login", data={"username": user.username,
                                            "password": PASSWORD}).status_code == 302
    guess = {"old_password": "guess-guess", "new_password": "quiet-river-2031",
             "new_password_again": "quiet-river-2031"}
    for _ in range(2):
        page = client.post("/auth/account/password", data=guess)
        assert "原密码不对" in page.get_data(as_text=True)
    refused = client.post("/auth/account/password", data={**guess, "old_password": PASSWORD})
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "30"
    assert "请30秒后再试" in refused.get_data(as_text=True)
    # The same count as the log-in form's, from this address.
    assert _token(app.test_client(), user.username, PASSWORD).status_code == 429


def test_other_spellings_of_a_name_share_its_count(make_app, community):
    # é as one character or as e + accent, ü as u + diaeresis, full-width letters: the
    # log-in finds the same account, so the count must be the same count.
    app = make_app()
    client = app.test_client()
    assert client.post("/api/v1/auth/register", json={
        "username": "josé_lü", "password": PASSWORD, "name": "何塞", "phone": "13800000001",
        "role": "resident", "community_id": community.id}).status_code == 201
    spellings = ["josé_lü", "jose\u0301_lü", "josé_lu\u0308", "JOSÉ_LÜ", "ｊｏｓé_lü"]
    for spelling in spellings:
        assert _token(client, spelling, "wrong-wrong", ATTACKER).status_code == 401
    refused = _token(client, "jose\u0301_lu\u0308", PASSWORD, ATTACKER)
    assert refused.status_code == 429 and error_of(refused)["code"] == "rate_limited"
    assert _token(client, "josé_lü", PASSWORD, OWNER).status_code == 200


def test_one_ipv6_network_counts_as_one_address(make_app, community, make_user):
    app = make_app(LOGIN_FAILURES_PER_ACCOUNT="3 per hour")
    client = app.test_client()
    user = make_user("resident", community)
    for host in range(1, 4):
        guess = _token(client, user.username, "wrong-wrong", {"REMOTE_ADDR": f"2001:db8::{host}"})
        assert guess.status_code == 401
    next_door = _token(client, user.username, PASSWORD, {"REMOTE_ADDR": "2001:db8::99"})
    assert next_door.status_code == 429
    elsewhere = _token(client, user.username, PASSWORD, {"REMOTE_ADDR": "2001:db9::1"})
    assert elsewhere.status_code == 200


def test_json_nested_past_sense_on_the_log_in_is_malformed_json(client):
    response = client.post("/api/v1/auth/token", data="[" * 200_000,
                           content_type="application/json")
    assert response.status_code == 400 and error_of(response)["code"] == "invalid_json"
