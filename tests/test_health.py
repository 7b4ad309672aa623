"""/healthz reports the database, Redis and the worker heartbeat."""
import os
import signal
import subprocess
import sys
import time

import pytest
from rq import Queue, Worker

from webapp.config import ROOT
from worker.queue import redis_connection


@pytest.fixture
def redis(app, db):
    connection = redis_connection()
    connection.flushdb()
    yield connection
    connection.flushdb()


def test_no_worker_means_503(client, redis):
    response = client.get("/healthz")
    body = response.get_json()
    assert response.status_code == 503
    assert body["database"]["ok"] and body["redis"]["ok"] and not body["worker"]["ok"]


def test_all_up_means_200(client, redis):
    worker = Worker([Queue("default", connection=redis)], connection=redis)
    worker.register_birth()
    worker.heartbeat()
    try:
        response = client.get("/healthz")
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["worker"]["alive"] == 1
    finally:
        worker.register_death()


def test_redis_down_means_503_and_pages_still_serve(app, client):
    saved = app.config["REDIS_URL"]
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    try:
        body = client.get("/healthz").get_json()
        assert body["redis"]["ok"] is False and body["ok"] is False
        assert client.get("/login").status_code == 200
    finally:
        app.config["REDIS_URL"] = saved


@pytest.mark.slow
def test_an_idle_worker_stays_alive(app, client, redis, services, tmp_path, monkeypatch):
    """An idle worker beats often enough for the check: polled for several times the age
    /healthz accepts, with no job to do, it is alive at every poll."""
    max_age = 3
    monkeypatch.setitem(app.config, "WORKER_HEARTBEAT_MAX_AGE", max_age)
    env = dict(os.environ, DATABASE_URL=services.database_url, REDIS_URL=app.config["REDIS_URL"],
               TIAOJIE_INSTANCE=str(tmp_path / "instance"), SECRET_KEY=app.config["SECRET_KEY"],
               DATA_KEY=app.config.get("DATA_KEY") or "", WORKER_HEARTBEAT_MAX_AGE=str(max_age))
    log = tmp_path / "worker.log"
    with open(log, "w") as out:
        worker = subprocess.Popen([sys.executable, "-m", "worker", "work"], cwd=ROOT, stdout=out,
                                  stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while not Worker.all(connection=redis):
            assert worker.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.1)
        answers = []
        until = time.monotonic() + 3 * max_age
        while time.monotonic() < until:
            response = client.get("/healthz")
            answers.append((response.status_code, response.get_json()["worker"]))
            time.sleep(0.25)
        assert worker.poll() is None, log.read_text()[-3000:]
        assert [a for a in answers if a[0] != 200] == [], log.read_text()[-3000:]
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        stopping = time.monotonic()
        try:
            worker.wait(timeout=30)
        finally:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(timeout=10)
    assert time.monotonic() - stopping < 10, "SIGTERM should stop an idle worker within seconds"
