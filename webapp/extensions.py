"""The Flask extensions, created unbound and initialised in create_app()."""
import re
import time

from flask import has_request_context, request, session
from flask_babel import Babel
from flask_htmx import HTMX
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.exc import DisconnectionError

# Deterministic constraint names, so Alembic can alter them on SQLite and PostgreSQL alike.
naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=naming_convention))
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
htmx = HTMX()
limiter = Limiter(key_func=get_remote_address, in_memory_fallback_enabled=True)


def select_locale() -> str:
    from flask import current_app

    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # the CLI and jobs speak the default language
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    asked = request.args.get("lang")
    if asked in languages:
        session["lang"] = asked
        return asked
    if session.get("lang") in languages:
        return session["lang"]
    if current_user and getattr(current_user, "is_authenticated", False):
        if current_user.locale in languages:
            return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


babel = Babel()


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
