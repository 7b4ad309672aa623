"""Engine set-up that differs between the embedded SQLite default and PostgreSQL."""
import re
import sqlite3
import time
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError


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


# -- the database connection on the request path ---------------------------------------------
# Statements that only read: a transaction that ran nothing else may end with COMMIT.
_READS = re.compile(r"\s*SELECT\b", re.IGNORECASE)


def tune_engine(engine, ping_after_idle: float) -> None:
    """Two round trips fewer per page, and statements PostgreSQL has already planned."""
    _ping_when_idle(engine, ping_after_idle)
    if engine.dialect.driver == "psycopg":
        _keep_prepared_statements(engine)


def _ping_when_idle(engine, after: float) -> None:
    """Check a pooled connection before use only when it sat idle ``after`` seconds or more:
    one just returned by the previous request is known to work, and pinging it (what
    ``pool_pre_ping`` does on every checkout) cost every page a round trip. A connection
    found dead is replaced, as with ``pool_pre_ping``."""

    @event.listens_for(engine.pool, "checkin")
    def _returned(dbapi_connection, record):
        if record is not None:
            record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.pool, "checkout")
    def _taken(dbapi_connection, record, proxy):
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < after:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise DisconnectionError() from error  # the pool replaces it and tries again


def _keep_prepared_statements(engine) -> None:
    """End a transaction that only read with COMMIT rather than ROLLBACK (for it they are the
    same): psycopg forgets every prepared statement on ROLLBACK, and a page that only reads
    ends with one, so PostgreSQL parsed and planned each statement of every page afresh
    (0.1 to 0.3 ms each). Anything but a SELECT, a savepoint included, keeps the ROLLBACK."""
    from psycopg.pq import TransactionStatus

    @event.listens_for(engine, "begin")
    def _began(conn):
        conn.info["wrote"] = False

    @event.listens_for(engine, "before_cursor_execute")
    def _executing(conn, cursor, statement, parameters, context, executemany):
        if not _READS.match(statement):
            conn.info["wrote"] = True

    @event.listens_for(engine, "rollback")
    def _ending(conn):
        dbapi_connection = conn.connection.dbapi_connection
        if not conn.info.get("wrote", True) and \
                dbapi_connection.info.transaction_status == TransactionStatus.INTRANS:
            dbapi_connection.commit()  # the ROLLBACK that follows finds no transaction to end
