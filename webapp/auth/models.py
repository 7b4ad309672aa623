"""Users and their server-side login sessions."""
import hashlib
from datetime import datetime

from flask_login import UserMixin
import sqlalchemy as sa
from sqlalchemy import BigInteger, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from webapp.extensions import db
from webapp.personal_data import Encrypted
from webapp.types import UTCDateTime, utcnow


def normal_username(name: str) -> str:
    """A username as stored and compared: trimmed and lower-case, so that a phone's capital
    first letter or a trailing space from autocomplete signs in all the same."""
    return (name or "").strip().lower()


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    locale: Mapped[str | None] = mapped_column(String(10))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # When the password was last set (None: before this was recorded; its age counts from
    # ``created_at``). The county's maximum age is counted from here.
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set by a reset (a one-time password) or an expired password: the member may do nothing
    # but set their own until they have (``webapp.auth.views.password_first``).
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # A one-time password is refused at sign-in after this moment.
    one_time_password_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    memberships: Mapped[list["Membership"]] = relationship(  # noqa: F821
        back_populates="user", order_by="Membership.id", cascade="all, delete-orphan"
    )
    # Read with the user by the session loader (``webapp.auth.operations``), for the menu:
    # whether an active membership is county-wide. None when the user was read otherwise.
    county_member: Mapped[bool | None] = query_expression()

    @property
    def holds_county_role(self) -> bool:
        """Whether the menu offers county review."""
        if self.county_member is not None:
            return self.county_member
        return any(m.active and m.role.is_county for m in self.memberships)

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now

    @property
    def name(self) -> str:
        return self.display_name or self.username


class LoginSession(db.Model):
    """One signed-in browser. The cookie holds a random token; only its hash is stored,
    so logging out or idling past the limit ends the session on the server for good."""

    __tablename__ = "login_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    end_reason: Mapped[str | None] = mapped_column(String(20))
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(255))

    @staticmethod
    def key_for(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


class PasswordHistory(db.Model):
    """The hashes of a user's last passwords, so that none of the last five is chosen again."""

    __tablename__ = "password_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CountySecurity(db.Model):
    """A county's security settings, one row per county (none: the defaults). Kept as a table
    of its own so that further settings are further columns."""

    __tablename__ = "county_security"

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"), unique=True)
    # Days after which a password must be changed at the next sign-in; None: no maximum age.
    password_max_age_days: Mapped[int | None] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class SecondFactor(db.Model):
    """A user's TOTP secret (RFC 6238), encrypted like personal data; ``confirmed_at`` is set by
    the first code typed back, and only then does sign-in ask for codes. ``last_step`` is the
    time step of the last code accepted: no code of that step or an earlier one is taken again."""

    __tablename__ = "user_second_factors"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    secret: Mapped[str] = mapped_column(Encrypted())
    last_step: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RecoveryCode(db.Model):
    """One of a user's ten one-time recovery codes, stored as a hash; used once, then spent."""

    __tablename__ = "recovery_codes"
    __table_args__ = (UniqueConstraint("user_id", "code_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
