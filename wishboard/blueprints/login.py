"""Who is asking: session log-ins (browser) and bearer tokens (API), and the access decorators.

A request that carries ``Authorization: Bearer ...`` is judged by its token alone, even if a
session cookie rides along; only cookie-authenticated API writes need the CSRF header.

A session (and a 记住我 cookie) holds ``User.get_id()``, the id with the person's session
version: log-out, a password change and 退出所有设备 raise the version, and every session made
before stops counting.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import os
import time
from datetime import timedelta
from functools import wraps
from typing import Callable, NamedTuple

import sqlalchemy as sa
from flask import current_app, flash, g, redirect, request, session, url_for
from flask_login import LoginManager, current_user, login_user

from wishboard.accounts.models import Role, User, fold_username
from wishboard.core.schemas import clean_text
from wishboard.errors import (
    ForbiddenError, UnauthorizedError, WishboardError, client_language, error_response, wants_json,
)
from wishboard.extensions import db
from wishboard.notifications.services import unread_count_of


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


# How the password check of this request went: "failed", "succeeded", or unset (no check).
LOGIN_OUTCOME_KEY = "wishboard.login_outcome"


def refuse_memory_counters_when_shared(app) -> None:
    """Failed log-ins counted in ``memory://`` are counted per process: with several gunicorn
    workers each allows the full number. Production (or ``WEB_CONCURRENCY`` above 1, which
    gunicorn reads as its number of workers) will not start on them unless
    ``RATELIMIT_ALLOW_MEMORY`` says so."""
    uri = str(app.config.get("RATELIMIT_STORAGE_URI") or "memory://")
    if not uri.startswith("memory://") or app.config.get("RATELIMIT_ALLOW_MEMORY"):
        return
    try:
        workers = int(os.environ.get("WEB_CONCURRENCY") or 1)
    except ValueError:
        workers = 1
    if app.config.get("ENV_NAME") == "production" or workers > 1:
        raise RuntimeError(
            "RATELIMIT_STORAGE_URI is memory://, which counts failed log-ins separately in "
            "each worker process. Set RATELIMIT_STORAGE_URI to a shared store, e.g. "
            "redis://127.0.0.1:6379/0, or set RATELIMIT_ALLOW_MEMORY=1 to run with per-process "
            "counts knowingly (a single process)."
        )


def init_login_manager(manager: LoginManager, app) -> None:
    refuse_memory_counters_when_shared(app)
    app.config["REMEMBER_COOKIE_DURATION"] = timedelta(
        days=app.config["REMEMBER_COOKIE_DURATION_DAYS"])
    manager.login_view = "auth.login"
    manager.session_protection = "basic"

    @manager.user_loader
    def load_user(user_id: str) -> User | None:
        """From the session or the 记住我 cookie: ``"<id>:<session version>"``; an old
        version (or the bare id of sessions made before versions) counts as logged out."""
        if "Authorization" in request.headers:
            return None  # the token decides (request_loader below)
        raw_id, _, raw_version = str(user_id).partition(":")
        try:
            user_id_, version = int(raw_id), int(raw_version)
        except ValueError:
            return None
        if not 0 < user_id_ <= 2 ** 31 - 1:
            return None
        # The header's unread count comes with the person: one query, not two, per page.
        row = db.session.execute(sa.select(User, unread_count_of(User.id))
                                 .where(User.id == user_id_)).first()
        if row is None:
            return None
        user, g.unread_notifications = row
        if user.is_active and user.session_version == version:
            return user
        return None

    @manager.request_loader
    def load_user_from_token(_request) -> User | None:
        from wishboard.accounts import tokens

        raw = bearer_token()
        if raw is None:
            return None
        return tokens.user_for_token(raw)

    @manager.unauthorized_handler
    def unauthorized():
        if wants_json():
            if bearer_token() is not None:
                raise UnauthorizedError("登录已过期或令牌无效，请重新登录",
                                        message_en="Token invalid or expired",
                                        code="invalid_token")
            raise UnauthorizedError()
        flash("请先登录", "info")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def login_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            from wishboard.extensions import login_manager

            return login_manager.unauthorized()
        return view(*args, **kwargs)

    wrapper.requires_login = True
    return wrapper


def roles_required(*roles: Role):
    """Coarse access: only these roles reach the view. Finer rules live in the services."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(*args, **kwargs):
            if current_user.role not in roles:
                raise ForbiddenError()
            return view(*args, **kwargs)

        wrapper.required_roles = [r.value for r in roles]
        return wrapper

    return decorator


def has_remember_cookie() -> bool:
    return current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies


def start_session(user: User, *, remember: bool = False) -> None:
    """Log ``user`` in on this device with a fresh session: nothing of the session before it
    survives (whatever someone planted in it, the old CSRF secret: Flask-WTF makes a new one).
    ``remember``: the 记住我 cookie, valid for ``REMEMBER_COOKIE_DURATION_DAYS``; without it,
    a 记住我 cookie left by someone before is deleted."""
    had_cookie = has_remember_cookie()
    session.clear()
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    login_user(user, remember=remember)
    if not remember and had_cookie:
        session["_remember"] = "clear"


# Failed log-ins -----------------------------------------------------------------------------
#
# Two counts, kept in the rate limiter's storage (shared by all workers with Redis): failures
# for one account from one address, and failures from one address. The first
# ``LOGIN_FAILURES_PER_*`` failures are free; from then on each try waits
# ``LOGIN_DELAY_SECONDS`` after the failure before it, doubling with every further failure up
# to ``LOGIN_DELAY_MAX_SECONDS``. A try takes its number before the password is checked, so a
# burst of simultaneous guesses gets no more tries than a patient guesser. Someone guessing
# from elsewhere never delays the owner at home; a correct password from an address clears
# that account's count there.

class _Count(NamedTuple):
    key: str
    free: int  # failures allowed before the waiting starts
    window: int  # seconds a count lives, from its first failure


def _now() -> float:
    return time.time()


def _login_username() -> str:
    """The account a log-in tries, spelled as the log-in will look it up (so other
    spellings of one name share its count). This runs before the form's schema: a name the
    schema will refuse (a NUL, half of a surrogate pair, which no UTF-8 can hold and so no
    hash can take) names no account, and the schema answers 400 with no password checked."""
    if request.blueprint == "api":
        try:
            body = request.get_json(force=True, silent=True, cache=True)
        except RecursionError:  # nested past sense: the view answers invalid_json
            body = None
        username = body.get("username") if isinstance(body, dict) else None
    else:
        username = request.form.get("username")
    if not isinstance(username, str) or clean_text(username) is None:
        return ""
    return fold_username(username)


def _network(address: str) -> str:
    """Who is guessing: an IPv4 address, or an IPv6 address's /64 (one household or one
    server is handed a whole /64, and could otherwise try from each of its addresses)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 4:
        return str(ip)
    if ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ipaddress.ip_network(f"{ip}/64", strict=False))


class PasswordTries:
    """The failed-log-in counts of one try at ``username``'s password from this address."""

    def __init__(self, username: str):
        from flask_limiter.util import get_remote_address
        from limits import parse

        from wishboard.extensions import limiter

        cfg = current_app.config
        self.storage = limiter.storage
        address = _network(get_remote_address() or "-")
        account = hashlib.sha256(username.encode("utf-8")).hexdigest()[:32]
        per_account = parse(cfg["LOGIN_FAILURES_PER_ACCOUNT"])
        per_address = parse(cfg["LOGIN_FAILURES_PER_ADDRESS"])
        self.account = _Count(f"login-failures:account:{account}:{address}",
                              per_account.amount, per_account.get_expiry())
        self.address = _Count(f"login-failures:address:{address}",
                              per_address.amount, per_address.get_expiry())
        self.taken: list[tuple[_Count, int]] = []

    def _delay(self, count: _Count, n: int) -> float:
        """How long after failure number ``n`` (at least ``count.free``) the next try waits."""
        cfg = current_app.config
        step = min(n - count.free, 30)
        return min(cfg["LOGIN_DELAY_SECONDS"] * 2 ** step, cfg["LOGIN_DELAY_MAX_SECONDS"])

    def start(self) -> int:
        """Take this try's number in both counts: 0 when it may go ahead, or the seconds to
        wait (the numbers are given back then)."""
        now, wait = _now(), 0.0
        for count in (self.account, self.address):
            n = self.storage.incr(f"{count.key}:n", count.window)
            self.taken.append((count, n))
            if n > count.free:
                until = self.storage.get(f"{count.key}:until:{n - 1}") / 1000
                wait = max(wait, until - now)
        if wait > 0:
            self._give_back(self.taken)
            return max(1, math.ceil(wait))
        for count, n in self.taken:
            if n >= count.free:
                # Written before the check, as if it will fail: a try that arrives while this
                # one is being checked waits too. Given back, the number is written again by
                # the next try that takes it.
                self._set_until(count, n, now + self._delay(count, n))
        return 0

    def _set_until(self, count: _Count, n: int, until: float) -> None:
        key = f"{count.key}:until:{n}"
        self.storage.clear(key)
        self.storage.incr(key, count.window + int(self._delay(count, n)) + 60,
                          amount=int(until * 1000))

    def _give_back(self, taken) -> None:
        for count, _n in taken:
            self.storage.incr(f"{count.key}:n", count.window, amount=-1)
        self.taken = []

    def finish(self, outcome: str | None) -> None:
        """A failure keeps its numbers; a success clears the account's count from this
        address; a request that checked no password gives its numbers back."""
        if outcome == "failed" or not self.taken:
            return
        if outcome == "succeeded":
            self.storage.clear(f"{self.account.key}:n")
            self._give_back([t for t in self.taken if t[0] is self.address])
        else:
            self._give_back(self.taken)


def too_many_failures_words(seconds: int) -> tuple[str, str]:
    if seconds < 60:
        zh_wait, en_wait = f"{seconds}秒", f"{seconds} seconds"
    else:
        minutes = math.ceil(seconds / 60)
        zh_wait, en_wait = f"{minutes}分钟", f"{minutes} minutes"
    return (f"登录失败的次数太多了。为了保护账号，请{zh_wait}后再试",
            f"Too many failed log-ins; try again in {en_wait}")


def limit_password_guesses(account: Callable[[], str],
                           page: Callable[[str], object] | None = None):
    """A view that checks a password: refused with 429 and ``Retry-After`` while its tries
    wait (``PasswordTries``). ``account`` names the account tried; ``page(message)`` renders
    the refusal for a browser (JSON clients get the error shape)."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if request.method != "POST":
                return view(*args, **kwargs)
            tries = PasswordTries(account())
            wait = tries.start()
            if wait:
                return _refusal(wait, page)
            try:
                return view(*args, **kwargs)
            finally:
                tries.finish(request.environ.get(LOGIN_OUTCOME_KEY))

        return wrapper

    return decorator


def _refusal(wait: int, page):
    zh, en = too_many_failures_words(wait)
    message = en if client_language() == "en" else zh
    if page is None or wants_json():
        response = error_response(429, "rate_limited", message)
    else:
        response = current_app.make_response(page(zh))
        response.status_code = 429
    response.headers["Retry-After"] = str(wait)
    return response


def _login_page_refusal(message: str):
    from flask import render_template

    from wishboard.blueprints.forms import FormResult

    values = {"username": request.form.get("username", "")}
    return render_template("auth/login.html", form=FormResult(values, {"_form": [message]}))


# The log-in form and POST /auth/token: the same counts.
limit_login_failures = limit_password_guesses(_login_username, _login_page_refusal)


def limit_registrations(view):
    """Sign-ups per address (``REGISTRATIONS_PER_ADDRESS``): generous enough for a
    registration drive in the community office, too tight for a script making raters.
    Only sign-ups that succeed count."""
    from flask import current_app
    from flask_limiter.util import get_remote_address

    from wishboard.extensions import limiter

    return limiter.shared_limit(
        lambda: current_app.config["REGISTRATIONS_PER_ADDRESS"], scope="register-address",
        key_func=get_remote_address,
        deduct_when=lambda response: response.status_code in (201, 302),
        exempt_when=lambda: request.method != "POST",
    )(view)


def authenticate_counting_failures(username: str, password: str) -> User:
    """accounts.services.authenticate, telling the log-in limits how the check went."""
    from wishboard.accounts import services as accounts

    try:
        user = accounts.authenticate(username, password)
    except UnauthorizedError:
        request.environ[LOGIN_OUTCOME_KEY] = "failed"
        raise
    request.environ[LOGIN_OUTCOME_KEY] = "succeeded"
    return user


def _counting_failures(use_case, wrong: str, *args) -> User:
    """Run ``use_case``; tell the log-in limits it failed when it refuses with ``wrong``
    (a wrong password or code), and that it succeeded when it does."""
    try:
        user = use_case(*args)
    except WishboardError as error:
        if error.code == wrong:
            request.environ[LOGIN_OUTCOME_KEY] = "failed"
        raise
    request.environ[LOGIN_OUTCOME_KEY] = "succeeded"
    return user


def change_password_counting_failures(user: User, old: str, new: str) -> User:
    """accounts.services.change_password; a wrong current password counts as a failed
    log-in (a borrowed session cannot be used to guess the password)."""
    from wishboard.accounts import services as accounts

    return _counting_failures(accounts.change_password, accounts.WRONG_PASSWORD, user, old,
                              new)


def switch_hat_counting_failures(user: User, target_id: int, password: str | None) -> User:
    """accounts.hats.switch_to; a wrong password (switching back to the account that logs
    in) counts as a failed log-in."""
    from wishboard.accounts import hats
    from wishboard.accounts import services as accounts

    return _counting_failures(lambda: hats.switch_to(user, target_id, password=password),
                              accounts.WRONG_PASSWORD)


def reset_password_counting_failures(login: str, code: str, password: str) -> User:
    """accounts.services.reset_password; a wrong code counts as a failed log-in for that
    account and address (six digits must not be guessable by trying)."""
    from wishboard.accounts import services as accounts

    return _counting_failures(accounts.reset_password, accounts.RESET_CODE_WRONG, login, code,
                              password)
