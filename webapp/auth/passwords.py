"""Password hashing (argon2id) and the password policy of 等保2.0."""
import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l

_hashers: dict[tuple, PasswordHasher] = {}

MIN_LENGTH = 8
MIN_CLASSES = 3


def _hasher() -> PasswordHasher:
    """argon2id at the library's cost, unless the config sets ``PASSWORD_HASH_COST`` (the
    tests' does: they sign in a thousand times)."""
    cost = (current_app.config.get("PASSWORD_HASH_COST") if has_app_context() else None) or {}
    key = tuple(sorted(cost.items()))
    if key not in _hashers:
        _hashers[key] = PasswordHasher(**cost)
    return _hashers[key]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        # Spend the same time as a real check, so unknown names do not answer faster.
        _hasher().hash(password)
        return False
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


def policy_error(password: str):
    """The reason ``password`` breaks the policy, or None when it is acceptable."""
    classes = sum(
        any(c in group for c in password)
        for group in (string.ascii_lowercase, string.ascii_uppercase, string.digits)
    ) + any(not c.isalnum() for c in password)
    if len(password) < MIN_LENGTH or classes < MIN_CLASSES:
        return _l(
            "At least %(n)d characters, using at least 3 of: upper-case letters, lower-case letters, "
            "digits, symbols.",
            n=MIN_LENGTH,
        )
    return None
