"""Passwords: how they are hashed (Argon2, with the app's cost settings) and checked, and
which ones will do (``password_problem``: at least 8 characters, not the person's own
username, name or phone number, not among the passwords guessers try first).

``accounts.services`` re-exports the public names (``hash_password``, ``password_problem``,
``check_password`` and the ``PASSWORD_*`` messages).
"""

from __future__ import annotations

import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from wishboard.accounts.models import fold_username
from wishboard.errors import ValidationFailedError

MIN_PASSWORD_LENGTH = 8
# zxcvbn's estimate (0-4) a new password must reach: 2 is "somewhat guessable", safe from a
# throttled guesser online.
MIN_PASSWORD_SCORE = 2
# Pieces of passwords common here that zxcvbn's English lists do not hold.
COMMON_PASSWORD_PIECES = ("woaini", "5201314", "1314", "520", "aini", "dearbook", "xiazhili",
                          "iloveyou", "qq", "wang", "zhang", "li", "liu", "chen", "yang")
PASSWORD_TOO_SHORT = f"密码至少{MIN_PASSWORD_LENGTH}位"
PASSWORD_HAS_USERNAME = "密码不能包含您的用户名"
PASSWORD_HAS_NAME = "密码不能包含您的姓名"
PASSWORD_HAS_PHONE = "密码不能包含您的电话号码"
PASSWORD_TOO_WEAK = "这个密码太常见、太容易被猜到，请换一个：可以把几个不相关的词和数字连起来"
# zxcvbn keeps the user inputs of a call in a module-level dictionary: one call at a time.
_ZXCVBN_LOCK = threading.Lock()


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return PasswordHasher(
        time_cost=cfg["ARGON2_TIME_COST"],
        memory_cost=cfg["ARGON2_MEMORY_COST"],
        parallelism=cfg["ARGON2_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def password_problem(password: str, *, username: str = "", name: str = "",
                     phone: str = "") -> str | None:
    """Why ``password`` will not do for this person, in words they can act on; None if it
    will: at least 8 characters, not their username, name or phone number, and not among
    the passwords guessers try first (zxcvbn, told the person's own details)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return PASSWORD_TOO_SHORT
    folded = "".join(password.split()).casefold()
    username = fold_username(username)
    name = "".join(name.split()).casefold()
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(username) >= 3 and username in folded:
        return PASSWORD_HAS_USERNAME
    if len(name) >= 2 and name in folded:
        return PASSWORD_HAS_NAME
    if len(digits) >= 7 and digits in folded.replace("-", ""):
        return PASSWORD_HAS_PHONE
    from zxcvbn import zxcvbn  # its word lists load on first use

    # zxcvbn refuses more than 72 characters; a long password's first 72 decide.
    inputs = [username, name, digits, *COMMON_PASSWORD_PIECES]
    with _ZXCVBN_LOCK:
        score = zxcvbn(password[:72], user_inputs=[i for i in inputs if i])["score"]
    if score < MIN_PASSWORD_SCORE:
        return PASSWORD_TOO_WEAK
    return None


def check_password(password: str, *, username: str, name: str, phone: str,
                   field: str = "password") -> None:
    """400 ``validation_failed`` naming ``field`` when ``password_problem`` finds one."""
    problem = password_problem(password, username=username, name=name, phone=phone)
    if problem:
        raise ValidationFailedError(fields={field: [problem]})


def _verify(hasher: PasswordHasher, hashed: str, password: str) -> bool:
    try:
        return hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False
