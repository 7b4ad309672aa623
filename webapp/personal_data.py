"""Personal data of the parties: encryption at rest, masking, and validation.

ID-card numbers, phone numbers and addresses are stored encrypted (Fernet, keys from
``DATA_KEY``, rotated with ``flask keys rotate``) and leave the server masked — on every page,
export and PDF — unless a role that needs the full value reveals one field, which is written
to the audit log.
"""
import re
from datetime import date
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

from webapp.keys import data_keys

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


def normalize_id_number(value: str) -> str:
    return value.strip().upper()


def phone_problem(value: str) -> str | None:
    compact = value.strip().replace(" ", "")
    if _MOBILE.match(compact) or _LANDLINE.match(compact):
        return None
    return _("Enter an 11-digit mobile number or a landline with its area code, e.g. 0875-5123456.")


def id_check_digit(first17: str) -> str:
    """The check character for 17 digits; used by the demo data to make valid numbers."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS)) % 11]
