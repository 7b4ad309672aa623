"""Signing in and out: lockout, server-side sessions, and the audit trail of each."""
import secrets
from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from flask import current_app, g, session
from flask_babel import lazy_gettext as _l
from flask_login import login_user, logout_user
from sqlalchemy import bindparam, delete, exists, func, select, update
from sqlalchemy.orm import aliased, with_expression

from tenants.models import COUNTY_ROLES, Membership

from webapp import audit
from webapp.audit import AuditEvent
from webapp.auth.models import CountySecurity, LoginSession, PasswordHistory, User, normal_username
from webapp.auth.passwords import hash_password, needs_rehash, policy_error, verify_password
from webapp.errors import Refused
from webapp.extensions import db
from webapp.types import utcnow

# Writing last_seen on every request would turn each page view into a write.
_TOUCH_EVERY = timedelta(seconds=60)


@dataclass
class LoginResult:
    user: User | None
    locked: bool = False
    # The password was a one-time password past its 24 hours.
    expired: bool = False
    # Failures in a row for the name as typed (after this one), whether or not it names an
    # account: what the page may say about the tries left.
    failures: int = 0


def find_user(username: str) -> User | None:
    """The account a typed name means: compared trimmed and without case. Names stored before
    they were kept in lower case may differ only in case (``flask users case-collisions``
    lists them); the one typed exactly wins, and otherwise such a name means nobody."""
    typed = (username or "").strip()
    users = db.session.scalars(select(User).where(func.lower(User.username) == normal_username(typed))
                               .order_by(User.id)).all()
    exact = [u for u in users if u.username == typed]
    if exact:
        return exact[0]
    return users[0] if len(users) == 1 else None


def authenticate(username: str, password: str) -> LoginResult:
    """Check a password. Five failures in a row lock the account for 15 minutes (等保2.0).

    A name that is no account counts its failures and locks just the same (in the audit log,
    the rows without a user), so that neither the answer nor the tries left it reports tell
    which names exist."""
    now = utcnow()
    user = find_user(username)
    if user is None or not user.active:
        verify_password(None, password)
        return _refuse_unknown(normal_username(username), now)
    if user.is_locked(now):
        verify_password(None, password)  # as long as any other refusal takes
        audit.record("login.locked", user=user, success=False)
        return LoginResult(None, locked=True)
    if not verify_password(user.password_hash, password):
        return count_failure(user, now, "password")
    if user.must_change_password and user.one_time_password_expires_at is not None \
            and user.one_time_password_expires_at <= now:
        audit.record("login.failure", user=user, success=False, detail={"reason": "one_time_password_expired"})
        return LoginResult(None, expired=True)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    if not user.must_change_password and password_too_old(user, now):
        user.must_change_password = True
        audit.record("password.expired", user=user, detail={"max_age_days": password_max_age(user)})
    return LoginResult(user)


def password_max_age(user: User) -> int | None:
    """The shortest maximum age of a password set by the counties the user belongs to, or None."""
    county_ids = {m.county_id for m in user.memberships if m.active}
    if not county_ids:
        return None
    return db.session.scalar(select(func.min(CountySecurity.password_max_age_days))
                             .where(CountySecurity.county_id.in_(county_ids)))


def password_too_old(user: User, now) -> bool:
    days = password_max_age(user)
    if not days:
        return False
    return (user.password_changed_at or user.created_at) + timedelta(days=days) <= now


def _refuse_unknown(name: str, now) -> LoginResult:
    """The refusal of a name that is no (active) account, counted like an account's: its
    failures since its last lockout in the audit log, and a lockout at the fifth."""
    mine = (AuditEvent.username == name, AuditEvent.user_id.is_(None))
    last_lockout = db.session.scalar(select(func.max(AuditEvent.at)).where(*mine, AuditEvent.event == "login.lockout"))
    if last_lockout is not None and last_lockout + current_app.config["LOGIN_LOCKOUT"] > now:
        audit.record("login.locked", username=name, success=False)
        return LoginResult(None, locked=True)
    since = [AuditEvent.at > last_lockout] if last_lockout is not None else []
    failures = 1 + db.session.scalar(select(func.count()).select_from(AuditEvent)
                                     .where(*mine, AuditEvent.event == "login.failure", *since))
    audit.record("login.failure", username=name, success=False, detail={"reason": "unknown"})
    if failures >= current_app.config["LOGIN_MAX_FAILURES"]:
        audit.record("login.lockout", username=name, success=False)
        return LoginResult(None, locked=True)
    return LoginResult(None, failures=failures)


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
    return LoginResult(None, failures=user.failed_logins)


def succeeded(user: User) -> None:
    """A sign-in went through every step: the failures in a row start again from none."""
    user.failed_logins = 0
    user.locked_until = None


def start_session(user: User, ip: str | None, user_agent: str | None = None, detail: dict | None = None) -> None:
    """A fresh session on every login: nothing from before survives (no session fixation)."""
    succeeded(user)
    lang = session.get("lang")
    session.clear()
    token = secrets.token_urlsafe(32)
    db.session.add(LoginSession(id=LoginSession.key_for(token), user_id=user.id, ip=ip,
                                user_agent=(user_agent or "")[:255] or None))
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


def set_password(user: User, password: str, *, keep_session: str | None = None) -> None:
    """The user's own new password: kept in the history, its age counted from now. It ends
    every open session of the account but ``keep_session`` (the key of the browser that set it)."""
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.must_change_password = False
    user.one_time_password_expires_at = None
    user.failed_logins = 0
    user.locked_until = None
    db.session.add(PasswordHistory(user_id=user.id, password_hash=user.password_hash))
    db.session.flush()
    kept = db.session.scalars(select(PasswordHistory.id).where(PasswordHistory.user_id == user.id)
                              .order_by(PasswordHistory.id.desc()).limit(PASSWORD_HISTORY)).all()
    db.session.execute(delete(PasswordHistory).where(PasswordHistory.user_id == user.id,
                                                     PasswordHistory.id.not_in(kept)))
    end_sessions(user, "password", keep=keep_session)


# None of the last five passwords again (等保2.0).
PASSWORD_HISTORY = 5


def used_before(user: User, password: str) -> bool:
    """Whether ``password`` is the current one or one of the user's last five."""
    hashes = db.session.scalars(select(PasswordHistory.password_hash).where(PasswordHistory.user_id == user.id)
                                .order_by(PasswordHistory.id.desc()).limit(PASSWORD_HISTORY)).all()
    return any(verify_password(h, password) for h in {user.password_hash, *hashes})


def change_own_password(user: User, current: str, new: str) -> None:
    """Changing one's own password: the current one first, the policy, none of the last five;
    every other session of the account ends (this browser's stays)."""
    if not verify_password(user.password_hash, current):
        raise Refused(_l("This is not your current password."), "current_password")
    error = policy_error(new)
    if error:
        raise Refused(error, "new_password")
    if used_before(user, new):
        raise Refused(_l("Choose a password you have not used for your last %(n)d passwords.",
                         n=PASSWORD_HISTORY), "new_password")
    set_password(user, new, keep_session=session_key())
    audit.record("password.change", user=user)


# Letters and digits that cannot be mistaken for one another when read out or copied by hand.
_ONE_TIME_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789"
ONE_TIME_PASSWORD_LIFE = timedelta(hours=24)


def one_time_password() -> str:
    """Three groups of four, with upper- and lower-case letters and a digit: within the policy."""
    while True:
        text = "".join(secrets.choice(_ONE_TIME_ALPHABET) for _ in range(12))
        if policy_error(text + "-") is None and any(c.isdigit() for c in text):
            return "-".join(text[i:i + 4] for i in range(0, 12, 4))


def issue_one_time_password(user: User) -> str:
    """A reset: a one-time password that works for 24 hours, after which the member must set
    their own before anything else. The account's sessions end and a lockout is lifted."""
    password = one_time_password()
    user.password_hash = hash_password(password)
    user.must_change_password = True
    user.one_time_password_expires_at = utcnow() + ONE_TIME_PASSWORD_LIFE
    user.failed_logins = 0
    user.locked_until = None
    end_sessions(user, "reset")
    return password


def lift_lockout(user: User) -> None:
    user.failed_logins = 0
    user.locked_until = None


def end_sessions(user: User, reason: str, keep: str | None = None) -> int:
    """End every open session of ``user`` (but the one keyed ``keep``): each of those browsers
    is signed out at its next request (``load_session_user``)."""
    statement = update(LoginSession).where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
    if keep is not None:
        statement = statement.where(LoginSession.id != keep)
    return db.session.execute(statement.values(ended_at=utcnow(), end_reason=reason)).rowcount


def open_sessions(user: User) -> list[LoginSession]:
    """The user's sessions that still let a browser in, the latest first."""
    cutoff = utcnow() - current_app.config["SESSION_IDLE_TIMEOUT"]
    return db.session.scalars(select(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.ended_at.is_(None), LoginSession.last_seen_at >= cutoff)
        .order_by(LoginSession.last_seen_at.desc())).all()


def end_own_session(user: User, key: str) -> bool:
    """End one of the user's own sessions (not this browser's: that is signing out)."""
    if key == session_key():
        return False
    ended = db.session.execute(update(LoginSession).where(
        LoginSession.id == key, LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason="ended")).rowcount
    if ended:
        audit.record("session.end", user=user, detail={"session": key[:8]})
    return bool(ended)


def end_other_sessions(user: User) -> int:
    count = end_sessions(user, "ended", keep=session_key())
    audit.record("session.end_others", user=user, detail={"count": count})
    return count
