"""API bearer tokens: issued on log-in, stored hashed, expiring, revocable."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from wishboard.accounts.models import ApiToken, User
from wishboard.core.clock import utcnow
from wishboard.extensions import db


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def issue_token(user: User, *, now: datetime | None = None) -> tuple[str, ApiToken]:
    """Create a token for ``user``; the raw value is returned once and never stored."""
    now = now or utcnow()
    raw = secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        token_hash=_digest(raw),
        created_at=now,
        expires_at=now + timedelta(hours=current_app.config["API_TOKEN_TTL_HOURS"]),
    )
    db.session.add(token)
    db.session.commit()
    return raw, token


def user_for_token(raw: str, *, now: datetime | None = None) -> User | None:
    now = now or utcnow()
    row = db.session.execute(
        sa.select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == _digest(raw))
    ).first()
    if row is None:
        return None
    token, user = row
    if token.revoked_at is not None or token.expires_at <= now or not user.is_active:
        return None
    return user


def revoke_token(raw: str, *, now: datetime | None = None) -> bool:
    """Revoke one token; True if it was live. Revoking twice is harmless."""
    result = db.session.execute(
        sa.update(ApiToken)
        .where(ApiToken.token_hash == _digest(raw), ApiToken.revoked_at.is_(None))
        .values(revoked_at=now or utcnow())
    )
    db.session.commit()
    return result.rowcount == 1


def revoke_user_tokens(user: User, *, now: datetime | None = None) -> int:
    """Revoke every live token of ``user`` (a password change, 退出所有设备); how many were
    live. Part of the caller's transaction: the caller commits."""
    result = db.session.execute(
        sa.update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def purge_expired_tokens(*, now: datetime | None = None, keep_days: int = 7) -> int:
    """Delete tokens that expired or were revoked more than ``keep_days`` ago."""
    cutoff = (now or utcnow()) - timedelta(days=keep_days)
    result = db.session.execute(
        sa.delete(ApiToken).where(
            sa.or_(ApiToken.expires_at < cutoff, ApiToken.revoked_at < cutoff)
        )
    )
    db.session.commit()
    return result.rowcount
