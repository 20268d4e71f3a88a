"""Passwords: argon2id hashes, and the complexity 等保 2.0 asks of them."""

from __future__ import annotations

import secrets
import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from services.identity.errors import IdentityError

_HASHER = PasswordHasher()  # argon2id with the library's recommended cost
MIN_LENGTH = 10
_CLASSES = (string.ascii_lowercase, string.ascii_uppercase, string.digits)


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def check_complexity(password: str, login: str) -> None:
    """At least 10 characters from all four kinds (lower, upper, digit, other), without the
    sign-in name in it."""
    kinds = sum(any(c in chars for c in password) for chars in _CLASSES)
    kinds += any(not c.isascii() or not c.isalnum() for c in password)
    if len(password) < MIN_LENGTH or kinds < 4:
        raise IdentityError(
            "weak_password",
            f"口令须至少 {MIN_LENGTH} 位，同时包含大写字母、小写字母、数字和符号",
            f"a password needs at least {MIN_LENGTH} characters with upper- and lower-case "
            "letters, digits and symbols")
    if login.lower() in password.lower():
        raise IdentityError("weak_password", "口令不得包含登录名",
                            "a password must not contain the sign-in name")


def generate_password() -> str:
    """A random initial password that meets the complexity rule."""
    alphabet = string.ascii_letters + string.digits
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(12)) + "-" + \
            secrets.choice(string.digits) + secrets.choice(string.ascii_uppercase)
        try:
            check_complexity(candidate, "\0")
        except IdentityError:
            continue
        return candidate
