"""/healthz reports the database, Redis and the heartbeats of the worker and the scheduler."""
import os
import signal
import subprocess
import sys
import time

import pytest
from rq import Queue, Worker, cron_scheduler_registry
from rq.cron import CronScheduler

from webapp.config import ROOT
from worker.queue import redis_connection


@pytest.fixture
def redis(app, db):
    connection = redis_connection()
    connection.flushdb()
    yield connection
    connection.flushdb()


@pytest.fixture
def beating(redis):
    """``beating(worker=True, scheduler=True)``: a worker and a scheduler registered with a
    heartbeat now, as the real processes register themselves."""
    started = []

    def _start(worker=True, scheduler=True):
        if worker:
            w = Worker([Queue("default", connection=redis)], connection=redis)
            w.register_birth()
            w.heartbeat()
            started.append(w)
        if scheduler:
            s = CronScheduler(connection=redis)
            s.register_birth()
            s.heartbeat()
            started.append(s)

    yield _start
    for process in started:
        process.register_death()


def test_no_worker_means_503(client, beating):
    beating(worker=False)
    response = client.get("/healthz")
    body = response.get_json()
    assert response.status_code == 503
    assert body["database"]["ok"] and body["redis"]["ok"] and body["scheduler"]["ok"] and not body["worker"]["ok"]


def test_no_scheduler_means_503_for_the_time_limits_go_unwatched(client, beating):
    beating(scheduler=False)
    response = client.get("/healthz")
    body = response.get_json()
    assert response.status_code == 503
    assert body["worker"]["ok"] and body["scheduler"] == {"ok": False, "alive": 0}


def test_a_scheduler_silent_too_long_is_not_alive(app, client, beating, redis, monkeypatch):
    beating()
    monkeypatch.setitem(app.config, "SCHEDULER_HEARTBEAT_MAX_AGE", 60)
    key = cron_scheduler_registry.get_registry_key()
    name, _ = redis.zrange(key, 0, -1, withscores=True)[0]
    redis.zadd(key, {name: time.time() - 90})
    body = client.get("/healthz").get_json()
    assert body["scheduler"]["ok"] is False and body["scheduler"]["last_heartbeat_seconds_ago"] >= 90
    assert body["ok"] is False


def test_all_up_means_200(client, beating):
    beating()
    response = client.get("/healthz")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["worker"]["alive"] == 1 and body["scheduler"]["alive"] == 1


def test_redis_down_means_503_and_pages_still_serve(app, client):
    saved = app.config["REDIS_URL"]
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    try:
        body = client.get("/healthz").get_json()
        assert body["redis"]["ok"] is False and body["ok"] is False
        assert body["worker"]["ok"] is False and body["scheduler"]["ok"] is False
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
            answers.append((response.status_code, response.get_json()["worker"]))  # no scheduler: 503
            time.sleep(0.25)
        assert worker.poll() is None, log.read_text()[-3000:]
        assert [a for a in answers if not a[1]["ok"]] == [], log.read_text()[-3000:]
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
