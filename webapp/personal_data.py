"""Personal data of the parties: encryption at rest, masking, validation, and the keyed hashes
that find a party by ID number or phone without decrypting anyone.

ID-card numbers, phone numbers and addresses are stored encrypted (Fernet, keys from
``DATA_KEY``, rotated with ``flask keys rotate``) and leave the server masked — on every page,
export and PDF — unless a role that needs the full value reveals one field, which is written
to the audit log.
"""
import hashlib
import hmac
import re
from datetime import date
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

from webapp.keys import data_keys, lookup_keys

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


# -- encryption -----------------------------------------------------------------------------


def fernet() -> MultiFernet:
    """The keys of ``DATA_KEY`` (comma-separated, newest first): the newest encrypts, every one
    decrypts. There is no default: create_app() refuses to start without one (webapp/keys.py)."""
    return _fernet(current_app.config["DATA_KEY"])


@lru_cache(maxsize=4)
def _fernet(configured: str) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in data_keys(configured)])


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise ValueError("personal data cannot be decrypted with the configured DATA_KEY") from error


class Encrypted(TypeDecorator):
    """A text column stored encrypted; Python sees the plain value."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None or value == "":
            return None
        return encrypt(value)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return decrypt(value)


# -- finding a party without decrypting anyone -------------------------------------------------
#
# Beside the ciphertext of a party's ID number and phone lies a keyed hash (HMAC-SHA256) of the
# value normalised: the likely-duplicate check at intake compares hashes in an index, never
# decrypting every party. The key is derived from the newest DATA_KEY (webapp/keys.py), so the
# hashes are no dictionary for whoever reads the database without the key.

LOOKUP_KINDS = ("id_number", "phone")


def normalize_id_number(value: str) -> str:
    return value.strip().upper()


def normalize_phone(value: str) -> str:
    """Digits only, without the country code: "+86 138-1234-5678" is "13812345678"."""
    digits = re.sub(r"\D", "", value)
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


_NORMALIZE = {"id_number": normalize_id_number, "phone": normalize_phone}


def lookup_hash(kind: str, value: str | None, key: bytes) -> str | None:
    """The keyed hash of ``value`` normalised (``kind``: "id_number" or "phone"), or None."""
    normal = _NORMALIZE[kind](value) if value else ""
    if not normal:
        return None
    return hmac.new(key, f"{kind}:{normal}".encode(), hashlib.sha256).hexdigest()


def stored_lookup_hash(kind: str, value: str | None) -> str | None:
    """The hash stored beside a value: under the newest key."""
    if not value:
        return None
    return lookup_hash(kind, value, lookup_keys(current_app.config["DATA_KEY"])[0])


def lookup_hashes(kind: str, value: str | None) -> list[str]:
    """The hashes a search compares: under every configured key, so that between adding a new
    DATA_KEY and ``flask keys rotate`` (which computes the stored hashes again) nothing is missed."""
    found = (lookup_hash(kind, value, key) for key in lookup_keys(current_app.config["DATA_KEY"]))
    return [h for h in found if h]


# -- masking --------------------------------------------------------------------------------


def mask_id_number(value: str | None) -> str:
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    digits = value.replace("-", "")
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_address(value: str | None) -> str:
    """Keep the township and village part, hide the house."""
    if not value:
        return ""
    keep = max(2, min(len(value) // 2, 8))
    return value[:keep] + "****"


MASKS = {"id_number": mask_id_number, "phone": mask_phone, "address": mask_address}


# -- validation -----------------------------------------------------------------------------


def id_number_problem(value: str) -> str | None:
    """Why ``value`` is not a valid resident ID number (GB 11643-1999), or None."""

    value = value.strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return _("An ID number has 18 characters: 17 digits and a final digit or X.")
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return _("The date of birth inside this ID number (digits 7–14) is not a real date.")
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS))
    if _ID_CHECK[total % 11] != value[17]:
        return _("The last character of this ID number does not match the others: please check it.")
    return None


def phone_problem(value: str) -> str | None:
    compact = value.strip().replace(" ", "")
    if _MOBILE.match(compact) or _LANDLINE.match(compact):
        return None
    return _("Enter an 11-digit mobile number or a landline with its area code, e.g. 0875-5123456.")


def id_check_digit(first17: str) -> str:
    """The check character for 17 digits; used by the demo data to make valid numbers."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS)) % 11]
