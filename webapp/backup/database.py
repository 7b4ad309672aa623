"""The database half of a backup: a consistent snapshot, its row counts, and loading it back.

SQLite (the embedded default) is copied with its online-backup API while the service runs;
PostgreSQL with ``pg_dump --format=custom`` inside a snapshot that the row counts are read in
too, so the counts describe exactly the dump. Both run as the owner (``DATABASE_OWNER_URL``
when set): the app's own role sees nothing through row-level security.
"""
import os
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

import psycopg
from sqlalchemy import create_engine, make_url

from tenants.rls import grant_app_role

# The tenant policies admit every row when this is on (tenants/rls.py); pg_dump and pg_restore
# read and write with row-level security in force, as the owner is subject to it too.
_ALL_TENANTS = "-c app.all_tenants=on"


class RestoreRefused(Exception):
    """The target is not empty, or cannot be restored into."""


@dataclass
class Snapshot:
    dialect: str
    path: Path
    counts: dict
    schema_version: str | None
    app_role: str | None = None


def owner_url(config) -> str:
    return config.get("DATABASE_OWNER_URL") or config["SQLALCHEMY_DATABASE_URI"]


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite:")


def sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise RestoreRefused("an in-memory SQLite database cannot be backed up or restored into")
    return Path(database)


def libpq_url(url: str) -> str:
    """pg_dump and psycopg take ``postgresql://``, not SQLAlchemy's ``postgresql+psycopg://``."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _pg_env() -> dict:
    env = dict(os.environ)
    env["PGOPTIONS"] = (env.get("PGOPTIONS", "") + " " + _ALL_TENANTS).strip()
    return env


# -- taking the snapshot --------------------------------------------------------------------


def snapshot(config, into: Path) -> Snapshot:
    url = owner_url(config)
    if is_sqlite(url):
        return _sqlite_snapshot(sqlite_path(url), into / "tiaojie.sqlite")
    app_user = make_url(config["SQLALCHEMY_DATABASE_URI"]).username
    app_role = app_user if app_user != make_url(url).username else None
    return _pg_snapshot(libpq_url(url), into / "tiaojie.pgdump", app_role)


def _sqlite_snapshot(source: Path, target: Path) -> Snapshot:
    if not source.exists():
        raise FileNotFoundError(f"no database at {source}")
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
    try:
        return Snapshot("sqlite", target, _sqlite_counts(dst), _sqlite_version(dst))
    finally:
        dst.close()


def _sqlite_tables(conn) -> list[str]:
    return [row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]


def _sqlite_counts(conn) -> dict:
    return {table: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in _sqlite_tables(conn)}


def _sqlite_version(conn) -> str | None:
    if "alembic_version" not in _sqlite_tables(conn):
        return None
    row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return row[0] if row else None


def _pg_connect(url: str):
    return psycopg.connect(url, options=_ALL_TENANTS)


def _pg_tables(cur) -> list[str]:
    cur.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
                "AND table_type = 'BASE TABLE' ORDER BY table_name")
    return [row[0] for row in cur.fetchall()]


def _pg_counts(cur) -> dict:
    counts = {}
    for table in _pg_tables(cur):
        cur.execute(f'SELECT count(*) FROM "{table}"')
        counts[table] = cur.fetchone()[0]
    return counts


def _pg_version(cur) -> str | None:
    if "alembic_version" not in _pg_tables(cur):
        return None
    cur.execute("SELECT version_num FROM alembic_version")
    row = cur.fetchone()
    return row[0] if row else None


def _pg_snapshot(url: str, target: Path, app_role: str | None) -> Snapshot:
    with _pg_connect(url) as conn, conn.cursor() as cur:
        cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        cur.execute("SELECT pg_export_snapshot()")
        snapshot_id = cur.fetchone()[0]
        counts, version = _pg_counts(cur), _pg_version(cur)
        # The exporting transaction stays open until pg_dump has taken the same snapshot.
        result = subprocess.run(["pg_dump", "--format=custom", f"--snapshot={snapshot_id}", "--enable-row-security",
                                 f"--file={target}", f"--dbname={url}"], env=_pg_env(),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        conn.rollback()
    if result.returncode:
        raise RuntimeError(f"pg_dump failed: {result.stderr.strip()}")
    return Snapshot("postgresql", target, counts, version, app_role)


# -- loading it back ------------------------------------------------------------------------


def ensure_empty(url: str) -> None:
    """Restoring over a database that holds anything is refused."""
    if is_sqlite(url):
        path = sqlite_path(url)
        if path.exists() and path.stat().st_size:
            conn = sqlite3.connect(path)
            try:
                tables = _sqlite_tables(conn)
            finally:
                conn.close()
            if tables:
                raise RestoreRefused(f"{path} holds a database already ({len(tables)} tables): "
                                     "restore into an empty one")
        return
    with _pg_connect(libpq_url(url)) as conn, conn.cursor() as cur:
        tables = _pg_tables(cur)
    if tables:
        raise RestoreRefused(f"the database holds {len(tables)} tables already: restore into an empty one")


def load(dialect: str, dump: Path, url: str, app_role: str | None) -> None:
    if dialect != ("sqlite" if is_sqlite(url) else "postgresql"):
        raise RestoreRefused(f"this backup holds a {dialect} database; it cannot be restored into {url.split(':')[0]}")
    if dialect == "sqlite":
        path = sqlite_path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        src = sqlite3.connect(dump)
        dst = sqlite3.connect(path)
        try:
            src.backup(dst)
        finally:
            src.close()
            dst.close()
        return
    result = subprocess.run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
                             f"--dbname={libpq_url(url)}", str(dump)], env=_pg_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if result.returncode:
        raise RestoreRefused(f"pg_restore failed: {result.stderr.strip()}")


def sqlalchemy_url(url: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def grant(url: str, app_role: str) -> None:
    """The app's role gets back what it had (restores leave privileges out: the target's
    cluster may not know the role)."""

    engine = create_engine(sqlalchemy_url(url))
    try:
        with engine.begin() as connection:
            grant_app_role(connection, app_role)
    finally:
        engine.dispose()


def counts(url: str) -> dict:
    if is_sqlite(url):
        conn = sqlite3.connect(sqlite_path(url))
        try:
            return _sqlite_counts(conn)
        finally:
            conn.close()
    with _pg_connect(libpq_url(url)) as conn, conn.cursor() as cur:
        return _pg_counts(cur)
