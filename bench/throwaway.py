"""The PostgreSQL database a benchmark builds and throws away.

It lives on the server of ``BENCH_DATABASE_URL`` (default
postgresql://postgres@127.0.0.1:5432/test). The benchmark loads it as the owner; the app
connects as ``tiaojie_app``, a role that owns nothing, so row-level security is on as in
production.
"""
import os

APP_ROLE = "tiaojie_app"
SERVER = "postgresql://postgres@127.0.0.1:5432/test"


def driver_url(url):
    """``url`` for SQLAlchemy with psycopg 3."""
    from sqlalchemy import make_url

    return make_url(url).set(drivername="postgresql+psycopg")


def libpq(url) -> str:
    """``url`` (a SQLAlchemy URL) as psycopg itself takes it."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class ThrowawayPostgres:
    """``database`` on the benchmark's server: created empty (dropped first if a stopped run
    left it) unless ``create`` is false, and dropped by ``drop()``."""

    def __init__(self, database: str, create: bool = True):
        self.database = database
        self.server = driver_url(os.environ.get("BENCH_DATABASE_URL", SERVER))
        if create:
            self._admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)', f'CREATE DATABASE "{database}"',
                        f"DO $$ BEGIN CREATE ROLE {APP_ROLE} LOGIN; "
                        f"EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$")
        self.owner_url = self.server.set(database=database)
        self.app_url = self.owner_url.set(username=APP_ROLE, password=None)

    def urls(self) -> tuple[str, str]:
        """The app's and the owner's URLs."""
        return (self.app_url.render_as_string(hide_password=False),
                self.owner_url.render_as_string(hide_password=False))

    def drop(self) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')

    def _admin(self, *statements) -> None:
        from sqlalchemy import create_engine, text

        admin = create_engine(self.server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for statement in statements:
                conn.execute(text(statement))
        admin.dispose()
