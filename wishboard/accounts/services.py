"""Accounts: registration, log-in, staff accounts, and the secretary's decision on a 报到.

Accounts are the foundation: this module imports no feature above it. What those features
do when an account changes (filing a sign-up's request to join an organisation, counting a
newly trusted rater's ratings, booking held points, telling the honours lists of a hidden
name) they register on the hooks of ``accounts/events.py``, called here inside the use
case's one transaction.

Hashing and the password policy are in ``passwords.py``; their public names are re-exported
here (``accounts.hash_password``, ``password_problem``, ``PASSWORD_TOO_WEAK``...)."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from wishboard.access import ensure_admin, ensure_can_manage_community, reset_code_refusal
from wishboard.accounts import events, hats, tokens
from wishboard.accounts.models import (
    NO_PASSWORD, PasswordReset, ReportStatus, Role, User, VolunteerType, fold_username,
)
from wishboard.accounts.passwords import (  # noqa: F401  (re-exported: passwords.py)
    COMMON_PASSWORD_PIECES, MIN_PASSWORD_LENGTH, MIN_PASSWORD_SCORE, PASSWORD_HAS_NAME,
    PASSWORD_HAS_PHONE, PASSWORD_HAS_USERNAME, PASSWORD_TOO_SHORT, PASSWORD_TOO_WEAK,
    _hasher, _verify, check_password, hash_password, password_problem,
)
from wishboard.audit import services as audit
from wishboard.core.clock import utcnow
from wishboard.core.db import commit_keeping_what_was_read, flush_or_conflict, page_of
from wishboard.errors import ConflictError, NotFoundError, UnauthorizedError, ValidationFailedError
from wishboard.extensions import db
from wishboard.notifications.services import notify
from wishboard.places.models import Community, Organization
from wishboard.privacy import mask_name

# Verified against when the username is unknown, so both cases take the same time. Made once
# per set of hasher parameters, not on every log-in.
_DUMMY_HASH: dict[tuple, str] = {}

# A wrong current password on the password form; the log-in limits count it as a failure.
WRONG_PASSWORD = "wrong_password"


def normalize_username(username: str) -> str:
    return fold_username(username)


def _community_for_members(community_id: int) -> Community:
    """The community a person joins must exist and be a 社区/村, not a district or a building."""
    community = db.session.get(Community, community_id)
    if community is None:
        raise ValidationFailedError(fields={"community_id": ["没有这个社区"]})
    if not community.is_community:
        raise ValidationFailedError(
            fields={"community_id": [f"请选择一个社区或村，而不是{community.level.label}"]}
        )
    return community


def _place_for_secretary(community_id: int) -> Community:
    """A secretary runs a 社区/村; or, placed at a street or district (街道/区, 镇/县), the
    account reads the roll-up of the communities under it and manages none
    (``access.is_rollup_account``). Never a grid place (片区, 院落, 楼栋, 社)."""
    community = db.session.get(Community, community_id)
    if community is None:
        raise ValidationFailedError(fields={"community_id": ["没有这个社区"]})
    if community.community_id is not None:
        raise ValidationFailedError(fields={"community_id": [
            f"请选择社区、村，或街道、区（汇总账号），而不是{community.level.label}"]})
    return community


def _organization_to_join(organization_id: int | None) -> Organization | None:
    """The organisation a volunteer asks to join as they sign up: an approved one, of any
    community (双报到: it may report where its unit is, not where they live)."""
    if organization_id is None:
        return None
    org = db.session.get(Organization, organization_id)
    if org is None or not org.is_approved:
        raise ValidationFailedError(fields={"organization_id": ["没有这个报到党组织"]})
    return org


def _username_taken() -> ConflictError:
    return ConflictError("这个用户名已有人使用，请换一个", message_en="Username taken",
                         code="username_taken", fields={"username": ["已有人使用"]})


def _free_username(username: str) -> str:
    """The name as it will be stored; 409 when someone already has it."""
    username = normalize_username(username)
    if db.session.scalar(sa.select(User.id).where(User.username == username)) is not None:
        raise _username_taken()
    return username


def _new_user(username: str, password: str, *, name: str, phone: str, role: Role,
              community_id: int | None, now: datetime | None = None, **more) -> User:
    """A new account, added and flushed; 409 when two sign up with one name at once (the
    unique index decides). The password must pass ``password_problem``."""
    check_password(password, username=username, name=name, phone=phone)
    now = now or utcnow()
    user = User(username=username, password_hash=hash_password(password), name=name,
                phone=phone, role=role, community_id=community_id, created_at=now, **more)
    db.session.add(user)
    flush_or_conflict(_username_taken())
    return user


def register_user(
    *,
    username: str,
    password: str,
    name: str,
    phone: str,
    role: str,
    community_id: int,
    volunteer_type: str | None = None,
    organization_id: int | None = None,
    now: datetime | None = None,
) -> User:
    """A resident or volunteer signs up. A volunteer's 报到 waits for the secretary unless the
    community approves automatically. A volunteer who names an organisation asks to join
    it (a request its contact or the staff of its community decide), in the same
    transaction: membership is never taken by saying so."""
    role_ = Role(role)
    if role_ not in (Role.RESIDENT, Role.VOLUNTEER):
        raise ValidationFailedError(fields={"role": ["只能注册为居民或志愿者"]})
    username = _free_username(username)
    community = _community_for_members(community_id)
    if role_ is Role.RESIDENT and (organization_id is not None or volunteer_type is not None):
        raise ValidationFailedError(
            fields={"role": ["只有志愿者可以填写志愿者类型和报到党组织"]}
        )
    now = now or utcnow()
    volunteer, org = {}, None
    if role_ is Role.VOLUNTEER:
        org = _organization_to_join(organization_id)
        approved = community.auto_approve_reports
        volunteer = {
            "volunteer_type": VolunteerType(volunteer_type or VolunteerType.OTHER.value),
            "report_status": ReportStatus.APPROVED if approved else ReportStatus.PENDING,
            "report_reviewed_at": now if approved else None,
        }
    user = _new_user(username, password, name=name, phone=phone, role=role_,
                     community_id=community.id, now=now, **volunteer)
    if org is not None:  # the organisations feature files the request (events.py)
        events.membership_asked(user, org, now)
    db.session.commit()
    return user


def create_staff_user(
    actor: User | None,
    *,
    username: str,
    password: str,
    name: str,
    phone: str = "",
    role: str = "secretary",
    community_id: int | None = None,
) -> User:
    """An admin creates a secretary (or, from the CLI with no actor, an admin)."""
    if actor is not None:
        ensure_admin(actor)
    role_ = Role(role)
    if role_ not in (Role.SECRETARY, Role.ADMIN):
        raise ValidationFailedError(fields={"role": ["只能创建社区书记或管理员"]})
    username = _free_username(username)
    community = None
    if role_ is Role.SECRETARY:
        if community_id is None:
            raise ValidationFailedError(fields={"community_id": ["社区书记需要所属社区"]})
        community = _place_for_secretary(community_id)
    user = _new_user(username, password, name=name, phone=phone, role=role_,
                     community_id=community.id if community else None)
    audit.record("staff_created", actor=actor, object_type="user", object_id=user.id,
                 community_id=user.community_id,
                 after={"username": user.username, "name": user.name, "role": role_.value})
    db.session.commit()
    return user


PHONE = re.compile(r"1[0-9]{10}")


def users_with_phone(phone: str, *, community_id: int | None = None,
                     role: Role | None = None, verified_only: bool = False,
                     logins_only: bool = False) -> list[User]:
    """Active accounts with this mobile number (two at most: enough to tell one from
    several). ``logins_only``: leave out volunteer hats, which share their person's number
    but are not logged in to."""
    query = sa.select(User).where(User.phone == phone, User.is_active.is_(True))
    if logins_only:
        query = query.where(User.password_hash != NO_PASSWORD)
    if community_id is not None:
        query = query.where(User.community_id == community_id)
    if role is not None:
        query = query.where(User.role == role)
    if verified_only:
        query = query.where(User.verified_at.is_not(None))
    return list(db.session.scalars(query.order_by(User.id).limit(2)))


def find_login(login: str) -> User | None:
    """The account a person names to log in: their username, or their mobile number when
    it is unique among active accounts (a family may share one: then the username is
    needed, and the error says so)."""
    login = login.strip()
    if PHONE.fullmatch(login):
        found = users_with_phone(login, logins_only=True)
        if len(found) > 1:
            raise ValidationFailedError(
                "这个手机号有几个账号，请用用户名登录", code="phone_not_unique",
                fields={"username": ["这个手机号有几个账号，请用用户名"]})
        if found:
            return found[0]
    return db.session.scalar(sa.select(User).where(User.username == normalize_username(login)))


def authenticate(username: str, password: str) -> User:
    """Check a username (or mobile number) and password; the same error whichever was
    wrong."""
    hasher = _hasher()
    name = normalize_username(username)
    user = find_login(username)
    if user is None:
        key = (hasher.time_cost, hasher.memory_cost, hasher.parallelism)
        dummy = _DUMMY_HASH.get(key)
        if dummy is None:
            dummy = _DUMMY_HASH.setdefault(key, hasher.hash("not-a-password"))
        _verify(hasher, dummy, password)
        _record_login(None, name, ok=False)
        raise _bad_credentials()
    if not _verify(hasher, user.password_hash, password) or not user.is_active:
        _record_login(user, name, ok=False)
        raise _bad_credentials()
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    _record_login(user, name, ok=True)
    return user


def _next_session_version(user: User) -> None:
    """Every session and 记住我 cookie ``user`` holds stops working (``User.get_id``), and
    those of the person's other hat (``accounts.hats``): one person, one log-out."""
    user.session_version = User.session_version + 1
    others = hats.linked_ids(user.id)
    if others:
        db.session.execute(sa.update(User).where(User.id.in_(others))
                           .values(session_version=User.session_version + 1))


def end_sessions(user: User) -> None:
    """Log-out: the person's sessions and 记住我 cookies end, on this device and every other,
    so a copied cookie is worthless. API tokens are left alone (``log_out_everywhere``)."""
    _next_session_version(user)
    db.session.commit()


def log_out_everywhere(user: User, *, now: datetime | None = None) -> int:
    """退出所有设备: every session, 记住我 cookie and API token of ``user`` ends. Returns how
    many tokens were revoked."""
    revoked = _end_everything(user, "logged_out_everywhere", now or utcnow())
    db.session.commit()
    return revoked


def _end_everything(user: User, action: str, now: datetime) -> int:
    """End every session, 记住我 cookie and API token of ``user``, and audit why."""
    _next_session_version(user)
    revoked = tokens.revoke_user_tokens(user, now=now)
    for other in hats.linked_ids(user.id):
        revoked += tokens.revoke_user_tokens(db.session.get(User, other), now=now)
    audit.record(action, actor=user, object_type="user", object_id=user.id,
                 community_id=user.community_id, after={"tokens_revoked": revoked}, now=now)
    return revoked


def confirm_own_password(user: User, password: str) -> None:
    """The person says their password again (switching back to a staff account): 400
    ``wrong_password`` otherwise."""
    if not _verify(_hasher(), user.password_hash, password):
        raise ValidationFailedError("密码不对，请再输一遍", code=WRONG_PASSWORD,
                                    fields={"password": ["密码不对"]})


def change_password(user: User, old: str, new: str, *, now: datetime | None = None) -> User:
    """A person changes their own password, knowing the current one. Their sessions, 记住我
    cookies and API tokens end everywhere (the page logs this device in again)."""
    hasher = _hasher()
    if not _verify(hasher, user.password_hash, old):
        raise ValidationFailedError(code=WRONG_PASSWORD, fields={"old_password": ["原密码不对"]})
    if new == old:
        raise ValidationFailedError(fields={"new_password": ["新密码不能和原密码一样"]})
    check_password(new, username=user.username, name=user.name, phone=user.phone,
                   field="new_password")
    user.password_hash = hasher.hash(new)
    _end_everything(user, "password_changed", now or utcnow())
    db.session.commit()
    return user


# A reset code: six digits to read out over the phone or print, valid this long.
RESET_CODE_HOURS = 24
RESET_CODE_WRONG = "reset_code_wrong"


def _reset_digest(user_id: int, code: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"{user_id}:{code}".encode(), hashlib.sha256).hexdigest()


def issue_reset_code(actor: User, user_id: int, *, now: datetime | None = None
                     ) -> tuple[User, str, datetime]:
    """The secretary of a person's community (or an admin) gives them a one-time code to
    set a new password with, shown once. An earlier code stops working. A secretary cannot
    reset staff accounts; an admin resets anyone from the command line or here."""
    now = now or utcnow()
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFoundError("没有这个人", message_en="No such person")
    refusal = reset_code_refusal(actor, user)
    if refusal is not None:
        raise refusal
    code = f"{secrets.randbelow(10 ** 6):06d}"
    expires_at = now + timedelta(hours=RESET_CODE_HOURS)
    db.session.execute(sa.update(PasswordReset).where(
        PasswordReset.user_id == user.id, PasswordReset.ended_at.is_(None)).values(ended_at=now))
    db.session.add(PasswordReset(user_id=user.id, issued_by_id=actor.id, created_at=now,
                                 expires_at=expires_at, code_hash=_reset_digest(user.id, code)))
    audit.record("password_reset_issued", actor=actor, object_type="user", object_id=user.id,
                 community_id=user.community_id, after={"expires_at": expires_at.isoformat()},
                 now=now)
    # The person hears of it too: a code they did not ask for is a reason to call the
    # community.
    notify([user.id], "password_reset_issued",
           f"{actor.name}为您生成了密码重置码。如果不是您请人办的，请联系社区。", now=now)
    db.session.commit()
    return user, code, expires_at


def reset_password(login: str, code: str, password: str, *, now: datetime | None = None
                   ) -> User:
    """Set a new password with a reset code. A wrong code, an unknown person or a used or
    expired code all get the same answer. Every session, 记住我 and API token of the person
    ends."""
    now = now or utcnow()
    user = find_login(login)
    wrong = ValidationFailedError("用户名或重置码不对，或者重置码已过期。请找社区书记重新领取。",
                                  code=RESET_CODE_WRONG, fields={"code": ["重置码不对或已过期"]})
    if user is None or not user.is_active:
        raise wrong
    reset = db.session.scalar(sa.select(PasswordReset).where(
        PasswordReset.user_id == user.id, PasswordReset.ended_at.is_(None),
        PasswordReset.expires_at > now).order_by(PasswordReset.id.desc()).limit(1))
    if reset is None or not hmac.compare_digest(reset.code_hash, _reset_digest(user.id, code)):
        raise wrong
    check_password(password, username=user.username, name=user.name, phone=user.phone,
                   field="password")
    # Once only, even when two tries race with the same code.
    if db.session.execute(sa.update(PasswordReset).where(
            PasswordReset.id == reset.id, PasswordReset.ended_at.is_(None))
            .values(ended_at=now).execution_options(synchronize_session=False)).rowcount != 1:
        db.session.rollback()
        raise wrong
    user.password_hash = _hasher().hash(password)
    _end_everything(user, "password_reset_used", now)
    notify([user.id], "password_reset_used",
           "您的密码已用重置码重新设置，其他设备上的登录都已退出。如果不是您本人设置的，"
           "请马上联系社区。", now=now)
    db.session.commit()
    return user


def set_password_by_admin(username: str, password: str, *, now: datetime | None = None
                          ) -> User:
    """``flask wishboard reset-password``: someone at the server sets a person's password.
    Every session, 记住我 and API token of the person ends."""
    user = find_login(username)
    if user is None:
        raise NotFoundError("没有这个用户名", message_en="No such username")
    check_password(password, username=user.username, name=user.name, phone=user.phone,
                   field="password")
    user.password_hash = _hasher().hash(password)
    _end_everything(user, "password_changed", now or utcnow())
    db.session.commit()
    return user


def _record_login(user: User | None, username: str, *, ok: bool) -> None:
    """Every log-in, and every failed try (committed before the failure is raised)."""
    # An unknown name is kept only masked: people type their password in the wrong box.
    shown = username[:40] if user is not None else mask_name(username[:40])
    audit.record("login_succeeded" if ok else "login_failed", actor=user, object_type="user",
                 object_id=user.id if user else None,
                 community_id=user.community_id if user else None,
                 after={"username": shown})
    db.session.commit()


def _bad_credentials() -> UnauthorizedError:
    return UnauthorizedError("用户名或密码不对", message_en="Wrong username or password",
                             code="invalid_credentials")


def _volunteer_in_my_community(actor: User, user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.role is not Role.VOLUNTEER:
        raise NotFoundError("没有这位志愿者", message_en="No such volunteer")
    ensure_can_manage_community(actor, user.community_id)
    return user


def approve_report(actor: User, user_id: int, *, now: datetime | None = None) -> User:
    """The secretary accepts a volunteer's 报到 (also one rejected earlier, on second
    thought), or confirms one the community approved automatically: from then on a person
    has approved it (``User.report_approved_by_person``), so the volunteer's work earns and
    their stars count, and what was held while they were unchecked (their points, and what
    they earned for an organisation) counts now: the ``rater_trusted`` and
    ``report_approved`` hooks (``events.py``: ratings and points listen)."""
    user = _volunteer_in_my_community(actor, user_id)
    if user.report_approved_by_person:
        raise ConflictError("这位志愿者已经报到", message_en="Already approved",
                            code="report_already_approved")
    return _decide_report(actor, user, ReportStatus.APPROVED, None, now)


def reject_report(actor: User, user_id: int, reason: str, *, now: datetime | None = None) -> User:
    user = _volunteer_in_my_community(actor, user_id)
    if user.report_status is not ReportStatus.PENDING:
        raise ConflictError("只能退回待审核的报到", message_en="Only pending reports can be rejected",
                            code="report_not_pending")
    return _decide_report(actor, user, ReportStatus.REJECTED, reason, now)


def _decide_report(actor: User, user: User, status: ReportStatus, reason: str | None,
                   now: datetime | None) -> User:
    now = now or utcnow()
    audit.record("report_approved" if status is ReportStatus.APPROVED else "report_rejected",
                 actor=actor, object_type="user", object_id=user.id,
                 community_id=user.community_id,
                 before={"report_status": user.report_status.value,
                         "reason": user.report_reject_reason},
                 after={"report_status": status.value, "reason": reason}, now=now)
    user.report_status = status
    user.report_reject_reason = reason
    user.report_reviewed_at = now
    user.report_reviewed_by_id = actor.id
    community = user.community.name if user.community else "社区"
    notify([user.id], "report_decided",
           f"您向{community}的报到已通过审核，现在可以认领心愿了。"
           if status is ReportStatus.APPROVED else
           f"您向{community}的报到没有通过：{reason}。如有疑问，请联系社区工作人员。", now=now)
    if status is ReportStatus.APPROVED:
        # A volunteer who lives here may have rated a neighbour's service while waiting:
        # the secretary now knows them, so those stars earn now (as a verification does).
        events.rater_trusted(user, now)
        # What they earned while nobody had checked them is booked now, dated as earned.
        events.report_approved(user, actor, now)
    db.session.commit()
    return user


def verify_resident(actor: User, user_id: int, *, now: datetime | None = None) -> User:
    """The secretary vouches for a resident they know (认识的街坊): from now on the
    resident's ratings earn points, and those already given earn now."""
    now = now or utcnow()
    user = db.session.get(User, user_id)
    if user is None or user.role is not Role.RESIDENT:
        raise NotFoundError("没有这位居民", message_en="No such resident")
    ensure_can_manage_community(actor, user.community_id)
    moved = db.session.execute(
        sa.update(User).where(User.id == user.id, User.verified_at.is_(None))
        .values(verified_at=now, verified_by_id=actor.id)
        .execution_options(synchronize_session=False)).rowcount
    if not moved:
        db.session.rollback()
        raise ConflictError("这位居民已经核实过了", message_en="Already verified",
                            code="already_verified")
    counted = sum(events.rater_trusted(user, now))  # ratings count what waited (events.py)
    audit.record("resident_verified", actor=actor, object_type="user", object_id=user.id,
                 community_id=user.community_id, before={"verified": False},
                 after={"verified": True, "ratings_counted": counted}, now=now)
    db.session.commit()
    db.session.refresh(user)
    return user


def list_residents(actor: User, *, community_id: int | None = None,
                   verified: bool | None = None, page: int = 1, per_page: int = 20,
                   shown: bool = False) -> tuple[list[User], int]:
    """A community's residents, those waiting for verification first (oldest first).
    ``shown``: the list, phones included, goes to a screen; the sight is recorded."""
    community_id = community_id or actor.community_id
    if community_id is None:
        raise ValidationFailedError(fields={"community_id": ["请指定社区"]})
    ensure_can_manage_community(actor, community_id)
    query = sa.select(User).where(User.role == Role.RESIDENT, User.community_id == community_id)
    if verified is not None:
        query = query.where(User.verified_at.is_not(None) if verified
                            else User.verified_at.is_(None))
    users, total = page_of(query, page, per_page,
                           User.verified_at.is_not(None), User.created_at, User.id)
    if shown and users:
        audit.record("residents_viewed", actor=actor, object_type="user", object_id=None,
                     community_id=community_id, after={"user_ids": [u.id for u in users]})
        db.session.commit()
    return users, total


def list_volunteers(
    actor: User,
    *,
    community_id: int | None = None,
    status: str | None = ReportStatus.PENDING.value,
    page: int = 1,
    per_page: int = 20,
    shown: bool = False,
) -> tuple[list[User], int]:
    """The secretary's queue: volunteers of one community by report status (or
    ``unchecked``: approved automatically, not yet checked by a person), oldest first.
    ``shown``: the list, phones included, goes to a screen; the sight is recorded."""
    community_id = community_id or actor.community_id
    if community_id is None:
        raise ValidationFailedError(fields={"community_id": ["请指定社区"]})
    ensure_can_manage_community(actor, community_id)
    query = sa.select(User).where(User.role == Role.VOLUNTEER, User.community_id == community_id)
    if status == "unchecked":  # approved automatically, and nobody has looked yet
        query = query.where(User.report_status == ReportStatus.APPROVED,
                            sa.not_(User.report_approved_by_person))
    elif status:
        query = query.where(User.report_status == ReportStatus(status))
    users, total = page_of(query, page, per_page, User.created_at, User.id,
                           options=(joinedload(User.organization),))
    if shown and users:
        audit.record("volunteers_viewed", actor=actor, object_type="user", object_id=None,
                     community_id=community_id, after={"user_ids": [u.id for u in users]})
        commit_keeping_what_was_read()
    return users, total


def list_staff(role: Role) -> list[User]:
    return list(db.session.scalars(
        sa.select(User).where(User.role == role)
        .options(joinedload(User.community)).order_by(User.id)
    ))


def update_preferences(user: User, *, show_on_boards: bool) -> User:
    hides = user.show_on_boards and not show_on_boards
    user.show_on_boards = show_on_boards
    if hides:  # a volunteer on a year-end list: the secretaries are told (events.py)
        events.name_hidden(user)
    db.session.commit()
    return user
