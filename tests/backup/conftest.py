"""Backups: a fresh, empty database to restore into (a new PostgreSQL database under
TEST_DATABASE_URL, else an instance folder), and what a database holds, table by table."""
import os
from contextlib import contextmanager

from sqlalchemy import create_engine, inspect, text

from tests.conftest import TEST_DATABASE_URL, _create_pg_database, _drop_pg_database

KEY = "q0Bn7v0y2b9JcYzS3x0m7f2nDkq1HcW4oVv1tH9y0aE="


@contextmanager
def fresh_database(tmp_path, label: str):
    """Yields ``(--into argument, --files argument or None, its SQLAlchemy URL)``."""
    if TEST_DATABASE_URL:
        name = f"tiaojie_restore_{label}_{os.getpid()}"
        _, owner_url = _create_pg_database(name)
        url = owner_url.render_as_string(hide_password=False)
        try:
            yield url, str(tmp_path / f"{label}-files"), url
        finally:
            _drop_pg_database(name)
    else:
        folder = tmp_path / f"{label}-instance"
        yield str(folder), None, f"sqlite:///{folder / 'tiaojie.db'}"


def table_rows(url: str) -> dict:
    """Every row of every table, in an order that does not depend on how they were stored."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SET app.all_tenants = 'on'"))
            return {table: sorted(repr(tuple(row)) for row in connection.execute(text(f'SELECT * FROM "{table}"')))
                    for table in inspect(connection).get_table_names()}
    finally:
        engine.dispose()
