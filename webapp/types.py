"""Column types shared by every model, and the one clock the product reads."""
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone

from sqlalchemy import DateTime, Enum
from sqlalchemy.types import TypeDecorator

_frozen: ContextVar[datetime | None] = ContextVar("frozen_now", default=None)


class UTCDateTime(TypeDecorator):
    """Timestamps stored in UTC and always returned timezone-aware.

    SQLite keeps no zone; PostgreSQL does. Either way Python sees an aware UTC datetime,
    so arithmetic on time limits never mixes naive and aware values.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def utcnow() -> datetime:
    return _frozen.get() or datetime.now(timezone.utc)


@contextmanager
def clock_at(moment: datetime):
    """Let everything inside happen at ``moment``: for the demo's history and for tests of
    time limits. Production code never calls it."""
    if moment.tzinfo is None:
        raise ValueError("clock_at needs an aware datetime")
    token = _frozen.set(moment)
    try:
        yield
    finally:
        _frozen.reset(token)


def enum_column(cls, length: int = 20) -> Enum:
    """A Python enum stored as its values in a plain string column (no database enum type to
    migrate when a value is added)."""
    return Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


def frozen_moment() -> datetime | None:
    """The moment ``clock_at`` holds the clock at here, if any: the test client carries it
    into the requests it makes, which run in contexts of their own."""
    return _frozen.get()
