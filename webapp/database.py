"""Engine set-up that differs between the embedded SQLite default and PostgreSQL, and what a
request does when the database restarts under it."""
import logging
import re
import sqlite3
import time
from pathlib import Path

from flask import g, has_request_context, request
from flask_login import AnonymousUserMixin
from psycopg import Error
from psycopg.pq import TransactionStatus
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, DisconnectionError
from werkzeug.exceptions import ServiceUnavailable

from webapp.extensions import db
from webapp.templating import render_error

log = logging.getLogger(__name__)


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
    """Check a pooled connection before use only when it sat idle ``after`` seconds or more,
    or when the request may write: one just returned by the previous request is known to
    work, and pinging it (what ``pool_pre_ping`` does on every checkout) cost every page a
    round trip. A connection found dead is replaced, as with ``pool_pre_ping``. A page view
    that meets a dead connection anyway (the database restarted since) is tried again
    (``RetryReads``); a write is not, and pays one round trip here instead."""

    @event.listens_for(engine.pool, "checkin")
    def _returned(dbapi_connection, record):
        if record is not None:
            record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.pool, "checkout")
    def _taken(dbapi_connection, record, proxy):
        since = record.info.get("idle_since")
        if since is None:
            return  # just connected
        if time.monotonic() - since < after and not (has_request_context() and request.method not in SAFE):
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

    @event.listens_for(engine, "begin")
    def _began(conn):
        conn.info["wrote"] = False

    @event.listens_for(engine, "before_cursor_execute")
    def _executing(conn, cursor, statement, parameters, context, executemany):
        if not _READS.match(statement):
            conn.info["wrote"] = True

    @event.listens_for(engine, "rollback")
    def _ending(conn):
        if conn.invalidated:
            return
        dbapi_connection = conn.connection.dbapi_connection
        if not conn.info.get("wrote", True) and dbapi_connection is not None and \
                dbapi_connection.info.transaction_status == TransactionStatus.INTRANS:
            try:
                dbapi_connection.commit()  # the ROLLBACK that follows finds no transaction to end
            except Error:
                pass  # the connection died: the ROLLBACK that follows finds that out, and the pool replaces it


# -- a connection lost (the database restarted) -------------------------------------------------
SAFE = {"GET", "HEAD", "OPTIONS"}
# Between the tries of a page view whose connection was lost: about 7 s in all, longer than a
# PostgreSQL restart takes.
READ_RETRY_WAITS = (0.05, 0.2, 0.5, 1, 2, 3)
_RETRY, _TRIES = "tiaojie.retry_request", "tiaojie.request_tries"


def connection_lost(error: BaseException) -> bool:
    """Whether ``error`` says the connection to PostgreSQL broke or could not be made (the
    server restarting or shutting down), rather than that the statement was refused."""
    if not isinstance(error, DBAPIError) or not type(error.orig).__module__.startswith("psycopg"):
        return False
    if error.connection_invalidated:
        return True
    state = getattr(error.orig, "sqlstate", None)
    return type(error.orig).__name__ == "OperationalError" and (state is None or state.startswith(("08", "57P")))


def answer_lost_connection(error):
    """Error handler: a page view whose connection was lost is tried again from the start
    (``RetryReads``); the pool has already dropped the broken connection, or the server is
    not back yet and the next try waits longer. Anything else answers 503, "请重试": the
    transaction died with its connection, so nothing of it was written — unless the COMMIT
    itself was cut, which no one can know, hence "check and try again"."""

    if not connection_lost(error):
        raise error
    try:
        db.session.rollback()
    except DBAPIError:
        pass  # the connection is gone, and its transaction with it: nothing is left to roll back
    tries = request.environ.get(_TRIES, 0)
    if request.method in SAFE and tries < len(READ_RETRY_WAITS):
        request.environ[_RETRY] = True
        return "", 503  # never sent: RetryReads runs the request again
    log.warning("%s %s answered 503: database connection lost (%s)", request.method, request.path,
                type(error.orig).__name__)

    if "_login_user" not in g:  # signing the user in needs the database too
        g._login_user = AnonymousUserMixin()
    return render_error(ServiceUnavailable())


def end_sessions_quietly(app) -> None:
    """At the end of a request the session's transaction is rolled back (a view has committed
    what it wrote). If the connection died after the last statement, that rollback fails, and
    would turn a finished page into a 500: it has nothing to undo, so let it fail quietly.
    Registered after Flask-SQLAlchemy, so that it runs before its own teardown."""

    @app.teardown_appcontext
    def _end_session(exc):
        try:
            db.session.remove()
        except DBAPIError as error:
            if not connection_lost(error):
                raise
            db.session.registry.clear()


class RetryReads:
    """WSGI middleware: runs a GET or HEAD again when ``answer_lost_connection`` asks for it,
    after a short wait, without sending the failed answer. Reads have no body to replay and
    change nothing twice."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") not in SAFE:
            return self.wsgi_app(environ, start_response)

        def start(status, headers, exc_info=None):
            if environ.get(_RETRY):
                return lambda data: None
            return start_response(status, headers, exc_info)

        while True:
            environ.pop(_RETRY, None)
            body = self.wsgi_app(environ, start)
            if not environ.get(_RETRY):
                return body
            if hasattr(body, "close"):
                body.close()
            tries = environ.get(_TRIES, 0)
            environ[_TRIES] = tries + 1
            time.sleep(READ_RETRY_WAITS[tries])
