"""PostgreSQL restarting under the app: no page view fails, a write cut in the middle answers
503 "请重试" and leaves nothing half-written.

On a throwaway PostgreSQL cluster of the test's own (initdb and pg_ctl on a spare port, in a
temporary directory), which the tests restart and whose connections they cut; never the
server the rest of the suite uses. Skipped where the PostgreSQL server binaries are missing.
"""
import http.cookiejar
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, select, text

from tenants.scope import tenant_scope
from tests import factories
from tests.conftest import APP_ROLE, CSRF, csrf_token, login
from tests.deadlines.conftest import Center
from webapp import create_app
from webapp.cases.models import Case, Referral
from webapp.config import TestConfig
from webapp.extensions import db
from webapp.types import utcnow

PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)), None)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(PG_BIN is None or not (PG_BIN / "initdb").exists(), reason="no PostgreSQL server binaries"),
]
WAIT = 30


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """A PostgreSQL cluster in a temporary directory, run as the postgres user when we are root."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="tiaojie-pg-"))
        self.port = _free_port()
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self._pg("initdb", "-D", self.dir / "data", "-A", "trust", "-U", "postgres", "-E", "UTF8",
                 "--locale=C", "--no-sync")
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60"
        self._pg("pg_ctl", "-D", self.dir / "data", "-l", self.dir / "log", "-o", options, "-w", "start")
        self.owner_url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/tiaojie"
        self.app_url = f"postgresql+psycopg://{APP_ROLE}@127.0.0.1:{self.port}/tiaojie"
        admin = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres",
                              isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("CREATE DATABASE tiaojie"))
            conn.execute(text(f"CREATE ROLE {APP_ROLE} LOGIN"))
        admin.dispose()
        self.owner = create_engine(self.owner_url, isolation_level="AUTOCOMMIT", poolclass=None)

    def _pg(self, program, *args):
        command = [str(PG_BIN / program), *map(str, args)]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        # No pipes: the server started would hold them open, and this would wait for it to end.
        subprocess.run(command, check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=120)

    def restart(self):
        self._pg("pg_ctl", "-D", self.dir / "data", "-l", self.dir / "log", "-m", "fast", "-w", "restart")

    def cut_connections(self):
        """Every backend of the app's database ends, as in a restart, the server staying up."""
        with self.owner.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = 'tiaojie' AND usename = :role"), {"role": APP_ROLE})

    def close(self):
        self.owner.dispose()
        try:
            self._pg("pg_ctl", "-D", self.dir / "data", "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="module")
def cluster():
    c = Cluster()
    yield c
    c.close()


@pytest.fixture(scope="module")
def center_app(cluster, services):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=cluster.app_url, DATABASE_OWNER_URL=cluster.owner_url,
                     REDIS_URL=services.redis_url, RATELIMIT_STORAGE_URI="memory://")
    with app.app_context():
        upgrade()
        tenant = factories.township(factories.county(), "restart", "重启镇")
        center = Center(tenant)
        cases = [center.case(utcnow(), mediate=False, title=f"重启测试纠纷{n}") for n in range(3)]
        app.center = {"tenant": tenant.id, "director": center.director.user.username,
                      "department": center.department.id, "cases": [case.id for case in cases]}
        app.usernames = [factories.user("township_admin", tenant).username for _ in range(4)]
        db.session.commit()
    return app


def _client(app, username):
    client = app.test_client()
    assert login(client, username).status_code == 302
    client.csrf = csrf_token(client, "/settings")
    return client


def test_page_views_after_the_connections_were_cut_are_served(cluster, center_app):
    client = _client(center_app, center_app.center["director"])
    case_id = center_app.center["cases"][0]
    pages = [f"/t/restart/cases/{case_id}", "/t/restart/cases/", "/settings"]
    for page in pages:
        assert client.get(page).status_code == 200
    for page in pages:
        cluster.cut_connections()  # each page's connection was used a moment ago: no ping would catch it
        response = client.get(page)
        assert response.status_code == 200, (page, response.get_data(as_text=True)[-500:])
    cluster.cut_connections()
    saved = client.post("/settings", data={"locale": "zh_CN", "csrf_token": client.csrf})
    assert saved.status_code == 302


def test_a_write_cut_in_the_middle_answers_503_and_writes_nothing(cluster, center_app):
    client = _client(center_app, center_app.center["director"])
    case_id = center_app.center["cases"][1]
    with center_app.app_context(), tenant_scope(center_app.center["tenant"]):
        state = db.session.get(Case, case_id).state
    # Another transaction holds the case timeline: the referral writes the case and the
    # referral, then waits to add its event, and its connection is cut there.
    locker = cluster.owner.connect().execution_options(isolation_level="READ COMMITTED")
    locker.begin()
    locker.execute(text("LOCK TABLE case_events IN EXCLUSIVE MODE"))
    answer = {}
    post = threading.Thread(target=lambda: answer.setdefault("response", client.post(
        f"/t/restart/cases/{case_id}/do/refer", data={"department": center_app.center["department"],
                                                      "note": "请派出所协助", "csrf_token": client.csrf})))
    post.start()
    try:
        deadline = time.monotonic() + WAIT
        while True:
            with cluster.owner.connect() as conn:
                pid = conn.scalar(text("SELECT pid FROM pg_stat_activity WHERE datname = 'tiaojie' "
                                       "AND wait_event_type = 'Lock' AND query ILIKE 'INSERT INTO case_events%'"))
            if pid:
                break
            assert time.monotonic() < deadline and post.is_alive(), answer
            time.sleep(0.05)
        with cluster.owner.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        locker.rollback()
        locker.close()
        post.join(timeout=WAIT)
    response = answer["response"]
    assert response.status_code == 503
    assert "请重试" in response.get_data(as_text=True)
    with center_app.app_context(), tenant_scope(center_app.center["tenant"]):
        assert db.session.get(Case, case_id).state == state
        assert db.session.scalars(select(Referral).where(Referral.case_id == case_id)).all() == []
    assert client.get(f"/t/restart/cases/{case_id}").status_code == 200


# -- a restart under load ---------------------------------------------------------------------

LOAD_SECONDS = 8
RESTART_AT = 2.5


class Browser:
    """A signed-in user over HTTP (loopback), with cookies."""

    def __init__(self, base, username):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        token = CSRF.search(self.get("/login")[1]).group(1)
        status, _ = self.post("/login", {"username": username, "password": factories.PASSWORD, "csrf_token": token})
        assert status in (200, 302), status
        self.csrf = CSRF.search(self.get("/settings")[1]).group(1)

    def _open(self, request):
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def get(self, path):
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path, data):
        return self._open(urllib.request.Request(self.base + path, data=urllib.parse.urlencode(data).encode()))


def test_a_restart_under_load_costs_no_page_view(cluster, center_app, capsys):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, center_app, threaded=True)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    base = f"http://127.0.0.1:{server.server_port}"
    case_ids = center_app.center["cases"]
    pages = [f"/t/restart/cases/{case_ids[2]}", "/t/restart/cases/", "/settings"]
    reads, writes = Counter(), Counter()
    stop = threading.Event()
    errors = []

    def reader(browser):
        try:
            n = 0
            while not stop.is_set():
                status, body = browser.get(pages[n % len(pages)])
                reads[status] += 1
                n += 1
        except Exception as error:  # reported below
            errors.append(error)

    def writer(browser):
        try:
            while not stop.is_set():
                status, body = browser.post("/settings", {"locale": "zh_CN", "csrf_token": browser.csrf})
                writes[status] += 1
                if status == 503:
                    assert "请重试" in body
                time.sleep(0.05)
        except Exception as error:
            errors.append(error)

    browsers = [Browser(base, name) for name in center_app.usernames]
    threads = [threading.Thread(target=reader, args=(browser,)) for browser in browsers[:3]]
    threads.append(threading.Thread(target=writer, args=(browsers[3],)))
    try:
        for thread in threads:
            thread.start()
        time.sleep(RESTART_AT)
        began = time.monotonic()
        cluster.restart()
        restart_took = time.monotonic() - began
        time.sleep(max(0, LOAD_SECONDS - RESTART_AT - restart_took))
        stop.set()
        for thread in threads:
            thread.join(timeout=WAIT)
    finally:
        stop.set()
        server.shutdown()
    assert not errors, errors
    with capsys.disabled():
        print(f"\ndatabase restart under load: restart took {restart_took:.1f} s; page views {sum(reads.values())} "
              f"(failed {sum(n for s, n in reads.items() if s != 200)}); writes {sum(writes.values())} "
              f"(503 {writes[503]}, other failures {sum(n for s, n in writes.items() if s not in (200, 503))})")
    assert set(reads) == {200}, reads
    assert set(writes) <= {200, 503}, writes  # 200: the page the saved form redirects to
    assert sum(reads.values()) > 20
