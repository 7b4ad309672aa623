"""The second factor: TOTP codes (RFC 6238) from the member's phone, and ten recovery codes.

A code is accepted once: the time step of the last accepted code is kept, and a code of that
step or an earlier one is refused, so a code seen over a shoulder cannot be typed again within
its window. Wrong codes count toward the lockout like wrong passwords
(``webapp.auth.operations.count_failure``). Which roles must use one is the county's setting
(``County.two_factor_roles``).
"""
import hashlib
import io
import secrets
import time

import pyotp
import segno
from markupsafe import Markup
from sqlalchemy import delete, select, update

from tenants.models import Membership, Role
from webapp import audit
from webapp.auth.models import RecoveryCode, SecondFactor, User
from webapp.extensions import db
from webapp.types import utcnow

ISSUER = "调解台"
RECOVERY_CODES = 10
# codes of the step before and after now are taken too: a phone's clock may be 30 s off
DRIFT_STEPS = 1
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


def factor_of(user: User, confirmed: bool = True) -> SecondFactor | None:
    factor = db.session.get(SecondFactor, user.id)
    if factor is None or (confirmed and factor.confirmed_at is None):
        return None
    return factor


def has_second_factor(user: User) -> bool:
    return factor_of(user) is not None


def required_of(user: User) -> bool:
    """Whether a role the user holds is one their county requires a second factor of."""
    for membership in db.session.scalars(select(Membership).where(
            Membership.user_id == user.id, Membership.active.is_(True))):
        if membership.role.value in required_roles(membership.county.two_factor_roles):
            return True
    return False


def required_roles(setting: str) -> set[str]:
    return {value for value in (setting or "").split(",") if value in {role.value for role in Role}}


# -- enrolling -----------------------------------------------------------------------------


def begin_enrolment(user: User) -> SecondFactor:
    """A new secret for ``user``, not yet in force (the first code confirms it). A secret that
    was begun and never confirmed is kept, so reloading the page does not change the QR code."""
    factor = factor_of(user, confirmed=False)
    if factor is None:
        factor = SecondFactor(user_id=user.id, secret=pyotp.random_base32())
        db.session.add(factor)
        db.session.flush()
    return factor


def provisioning_uri(user: User, factor: SecondFactor) -> str:
    return pyotp.TOTP(factor.secret).provisioning_uri(name=user.username, issuer_name=ISSUER)


def qr_svg(uri: str) -> Markup:
    """The QR code as inline SVG, drawn here: the secret never leaves for a third party."""
    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="svg", xmldecl=False, svgns=True, scale=5, border=2,
                                    title="QR", svgclass="qr")
    # Safe as markup: segno writes the data as the QR's modules (paths), never as text, and the
    # one text it writes, the title, is fixed here.
    return Markup(out.getvalue().decode())


def confirm_enrolment(user: User, factor: SecondFactor, code: str) -> list[str] | None:
    """Put the factor in force if ``code`` is right; returns the new recovery codes (shown
    once), or None for a wrong code."""
    step = _matching_step(factor, code)
    if step is None:
        return None
    factor.last_step = step
    factor.confirmed_at = utcnow()
    codes = new_recovery_codes(user)
    audit.record("two_factor.enrol", user=user)
    return codes


def new_recovery_codes(user: User) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["".join(secrets.choice(_ALPHABET) for _ in range(10)) for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_code_hash(user, code)) for code in codes)
    db.session.flush()
    return [f"{code[:5]}-{code[5:]}" for code in codes]


def remove(user: User, *, by: User | None = None, tenant=None) -> bool:
    """Turn the second factor off (by the member) or reset it (by a director or the county
    admin, ``by``). Returns whether there was one."""
    had = db.session.get(SecondFactor, user.id) is not None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(delete(SecondFactor).where(SecondFactor.user_id == user.id))
    if by is None:
        audit.record("two_factor.remove", user=user)
    else:
        audit.record("two_factor.reset", user=by, tenant=tenant, detail={"member": user.username})
    db.session.expire_all()
    return had


# -- checking ------------------------------------------------------------------------------


def _normalized(code: str) -> str:
    return "".join((code or "").split()).replace("-", "").lower()


def _code_hash(user: User, code: str) -> str:
    return hashlib.sha256(f"{user.id}:{_normalized(code)}".encode()).hexdigest()


def _matching_step(factor: SecondFactor, code: str, now: float | None = None) -> int | None:
    code = _normalized(code)
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(factor.secret)
    current = int((now if now is not None else time.time()) // totp.interval)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if factor.last_step is not None and step <= factor.last_step:
            continue
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def check_code(user: User, code: str) -> str | None:
    """Accept a TOTP code or an unused recovery code: returns "totp" or "recovery", or None.
    The step (or the recovery code) is spent by a conditional UPDATE, so of two requests
    racing with the same code only one is let in."""
    factor = factor_of(user)
    if factor is None:
        return None
    step = _matching_step(factor, code)
    if step is not None:
        spent = db.session.execute(
            update(SecondFactor)
            .where(SecondFactor.user_id == user.id,
                   (SecondFactor.last_step.is_(None)) | (SecondFactor.last_step < step))
            .values(last_step=step)
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.expire(factor)
        return "totp" if spent == 1 else None
    spent = db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _code_hash(user, code),
               RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    return "recovery" if spent == 1 else None


def recovery_codes_left(user: User) -> int:
    return len(db.session.scalars(select(RecoveryCode.id).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))).all())
