"""Personal data of the parties: encryption at rest, masking, and validation.

ID-card numbers, phone numbers and addresses are stored encrypted (Fernet, key from
``DATA_KEY``) and leave the server masked — on every page, export and PDF — unless a role
that needs the full value reveals one field, which is written to the audit log.
"""
import base64
import hashlib
import re
from datetime import date

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


# -- encryption -----------------------------------------------------------------------------


def _fernet() -> MultiFernet:
    """Keys from ``DATA_KEY`` (comma-separated, newest first, for rotation). Without one,
    a key is derived from ``SECRET_KEY`` so the laptop default works; production sets it."""
    configured = current_app.config.get("DATA_KEY") or ""
    keys = [k.strip() for k in configured.split(",") if k.strip()]
    if not keys:
        digest = hashlib.sha256(("tiaojie-data:" + current_app.config["SECRET_KEY"]).encode()).digest()
        keys = [base64.urlsafe_b64encode(digest).decode()]
    return MultiFernet([Fernet(k) for k in keys])


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
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
    from flask_babel import gettext as _

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
    from flask_babel import gettext as _

    compact = value.strip().replace(" ", "")
    if _MOBILE.match(compact) or _LANDLINE.match(compact):
        return None
    return _("Enter an 11-digit mobile number or a landline with its area code, e.g. 0875-5123456.")


def id_check_digit(first17: str) -> str:
    """The check character for 17 digits; used by the demo data to make valid numbers."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS)) % 11]
