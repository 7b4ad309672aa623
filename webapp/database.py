"""Engine set-up that differs between the embedded SQLite default and PostgreSQL."""
import sqlite3
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine


def prepare(app) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite:///"):
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


@event.listens_for(Engine, "connect")
def _sqlite_connect(dbapi_connection, connection_record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy emit BEGIN itself, so SAVEPOINTs and transactions behave as on PostgreSQL.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA busy_timeout = 10000")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection):
    # IMMEDIATE takes the write lock up front: a transaction that read first and writes
    # later (numbering a new case) would otherwise fail with "database is locked" when
    # another writer got in between, instead of waiting its turn.
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def limiter_storage_uri(redis_url: str) -> str:
    """The limits library names Redis over a unix socket ``redis+unix://``."""
    if redis_url.startswith("unix://"):
        return "redis+unix://" + redis_url.removeprefix("unix://")
    return redis_url
