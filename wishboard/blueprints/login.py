"""Who is asking: session log-ins (browser) and bearer tokens (API), and the access decorators.

A request that carries ``Authorization: Bearer ...`` is judged by its token alone, even if a
session cookie rides along; only cookie-authenticated API writes need the CSRF header.
"""

from __future__ import annotations

from functools import wraps

from flask import flash, g, redirect, request, url_for
from flask_login import LoginManager, current_user

from wishboard.accounts.models import Role, User
from wishboard.errors import ForbiddenError, UnauthorizedError, wants_json
from wishboard.extensions import db


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


LOGIN_FAILED_KEY = "wishboard.login_failed"


def _forget_cached_user() -> None:
    """Resolve the user afresh for every request. Flask-Login caches it on ``g``, which lives
    as long as the app context; a context shared by several requests (tests, scripts) would
    otherwise carry one request's user into the next."""
    g.pop("_login_user", None)


def init_login_manager(manager: LoginManager, app) -> None:
    app.before_request(_forget_cached_user)
    manager.login_view = "auth.login"
    manager.session_protection = "basic"

    @manager.user_loader
    def load_user(user_id: str) -> User | None:
        if "Authorization" in request.headers:
            return None  # the token decides (request_loader below)
        try:
            user = db.session.get(User, int(user_id))
        except (TypeError, ValueError):
            return None
        if user is not None and user.is_active:
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
                raise UnauthorizedError("登录已过期或令牌无效,请重新登录",
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


def _login_account_key() -> str:
    if request.blueprint == "api":
        body = request.get_json(force=True, silent=True, cache=True)
        username = body.get("username") if isinstance(body, dict) else None
    else:
        username = request.form.get("username")
    if not isinstance(username, str) or not username.strip():
        return "account:-"
    return "account:" + username.strip().casefold()[:60]


def _login_failed(_response) -> bool:
    return bool(request.environ.get(LOGIN_FAILED_KEY))


def limit_login_failures(view):
    """Count failed log-ins per account and per address, shared by the web form and the API.

    Successful log-ins cost nothing, so a community centre full of people on one address
    is not locked out by its own members logging in.
    """
    from flask import current_app
    from flask_limiter.util import get_remote_address

    from wishboard.extensions import limiter

    view = limiter.shared_limit(
        lambda: current_app.config["LOGIN_FAILURES_PER_ACCOUNT"], scope="login-account",
        key_func=_login_account_key, deduct_when=_login_failed,
    )(view)
    view = limiter.shared_limit(
        lambda: current_app.config["LOGIN_FAILURES_PER_ADDRESS"], scope="login-address",
        key_func=get_remote_address, deduct_when=_login_failed,
    )(view)
    return view


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
    """accounts.services.authenticate, marking the request as a failed log-in when it fails."""
    from wishboard.accounts import services as accounts

    try:
        return accounts.authenticate(username, password)
    except UnauthorizedError:
        request.environ[LOGIN_FAILED_KEY] = True
        raise
