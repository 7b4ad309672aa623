"""/healthz reports the database, Redis and the worker heartbeat."""
import pytest
from rq import Queue, Worker

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
