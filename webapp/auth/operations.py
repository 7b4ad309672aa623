"""Signing in and out: lockout, server-side sessions, and the audit trail of each."""
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from flask import current_app, g, session
from flask_login import login_user, logout_user
from sqlalchemy import bindparam, exists, select, update
from sqlalchemy.orm import aliased, with_expression

from tenants.models import COUNTY_ROLES, Membership

from webapp import audit
from webapp.auth.models import LoginSession, User
from webapp.auth.passwords import hash_password, needs_rehash, verify_password
from webapp.extensions import db
from webapp.types import utcnow

# Writing last_seen on every request would turn each page view into a write.
_TOUCH_EVERY = timedelta(seconds=60)


@dataclass
class LoginResult:
    user: User | None
    locked: bool = False


def authenticate(username: str, password: str) -> LoginResult:
    """Check a password. Five failures in a row lock the account for 15 minutes (等保2.0)."""
    now = utcnow()
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        verify_password(None, password)
        audit.record("login.failure", username=username, success=False, detail={"reason": "unknown"})
        return LoginResult(None)
    if user.is_locked(now):
        verify_password(None, password)  # as long as any other refusal takes
        audit.record("login.locked", user=user, success=False)
        return LoginResult(None, locked=True)
    if not verify_password(user.password_hash, password):
        return count_failure(user, now, "password")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return LoginResult(user)


def count_failure(user: User, now, reason: str) -> LoginResult:
    """One more failure in a row, a wrong password or a wrong second-factor code alike; the
    fifth locks the account for 15 minutes."""
    user.failed_logins += 1
    audit.record("login.failure", user=user, success=False, detail={"reason": reason})
    if user.failed_logins >= current_app.config["LOGIN_MAX_FAILURES"]:
        user.locked_until = now + current_app.config["LOGIN_LOCKOUT"]
        user.failed_logins = 0
        audit.record("login.lockout", user=user, success=False)
        return LoginResult(None, locked=True)
    return LoginResult(None)


def succeeded(user: User) -> None:
    """A sign-in went through every step: the failures in a row start again from none."""
    user.failed_logins = 0
    user.locked_until = None


def start_session(user: User, ip: str | None, detail: dict | None = None) -> None:
    """A fresh session on every login: nothing from before survives (no session fixation)."""
    succeeded(user)
    lang = session.get("lang")
    session.clear()
    token = secrets.token_urlsafe(32)
    db.session.add(LoginSession(id=LoginSession.key_for(token), user_id=user.id, ip=ip))
    session["sid"] = token
    if lang:
        session["lang"] = lang
    session.permanent = True
    login_user(user)
    audit.record("login.success", user=user, detail=detail)


def end_session(user: User | None, reason: str = "logout") -> None:
    token = session.get("sid")
    if token:
        db.session.execute(
            update(LoginSession)
            .where(LoginSession.id == LoginSession.key_for(token), LoginSession.ended_at.is_(None))
            .values(ended_at=utcnow(), end_reason=reason)
        )
    if user is not None:
        audit.record(reason if reason == "logout" else f"session.{reason}", user=user)
    logout_user()
    session.clear()


@cache
def with_county_member():
    """A loader option: whether the user holds an active county-wide membership (the menu's
    county review), read in the same statement as the user. Built once, on first use (the
    models are all mapped by then)."""
    county = aliased(Membership)  # a statement may join the memberships too (tenants.web)
    return with_expression(User.county_member, exists().where(
        county.user_id == User.id, county.active.is_(True), county.role.in_(COUNTY_ROLES)).correlate_except(county))


@cache
def _session_and_user():
    """The session and its user in one statement, built once: every signed-in page pays for it."""
    return select(LoginSession, User).join(User, User.id == LoginSession.user_id) \
        .where(LoginSession.id == bindparam("key")).options(with_county_member())


def session_key() -> str | None:
    """The key of this browser's server-side session, if it holds one."""
    token = session.get("sid")
    return LoginSession.key_for(token) if token else None


def session_read_along(key: str, login: LoginSession | None, user: User | None) -> None:
    """Hand the loader the session ``key`` and its user, read by another statement of this
    request (a township page reads them with the township, ``tenants.web``): not read twice."""
    g.session_read_along = (key, login, user)


def load_session_user(user_id: str) -> User | None:
    """Flask-Login's user loader: the user only while their server-side session lives."""
    key = session_key()
    if key is None:
        return None
    read = g.pop("session_read_along", None)
    if read is not None and read[0] == key:
        login, user = read[1], read[2]
    else:
        row = db.session.execute(_session_and_user(), {"key": key}).first()
        login, user = row if row is not None else (None, None)
    if login is None:
        return None
    if login.ended_at is not None or str(login.user_id) != str(user_id) or not user.active:
        return None
    now = utcnow()
    if now - login.last_seen_at > current_app.config["SESSION_IDLE_TIMEOUT"]:
        login.ended_at, login.end_reason = now, "idle"
        audit.record("session.expired", user=user)
        db.session.commit()
        session.pop("sid", None)
        session["expired"] = True
        return None
    if now - login.last_seen_at > _TOUCH_EVERY:
        login.last_seen_at = now
        db.session.commit()
    return user


def end_idle_sessions() -> int:
    """Mark sessions idle past the limit as ended (the user loader also refuses them)."""
    cutoff = utcnow() - current_app.config["SESSION_IDLE_TIMEOUT"]
    result = db.session.execute(
        update(LoginSession)
        .where(LoginSession.ended_at.is_(None), LoginSession.last_seen_at < cutoff)
        .values(ended_at=utcnow(), end_reason="idle")
    )
    return result.rowcount


def set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    # A new password ends every open session of the account.
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason="password")
    )
