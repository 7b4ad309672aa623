"""Jobs are thin and idempotent, and are enqueued only once their transaction commits."""
from datetime import timedelta

import pytest
from rq import Queue
from sqlalchemy import select

from tests import factories
from tests.conftest import login
from webapp.auth.models import LoginSession
from webapp.types import utcnow
from worker.jobs import sweep_sessions
from worker.queue import enqueue_after_commit, redis_connection


@pytest.fixture
def queue(app, db):
    connection = redis_connection()
    connection.flushdb()
    yield Queue("default", connection=connection)
    connection.flushdb()


def test_sweep_sessions_ends_idle_sessions_once(app, db, tenant):
    user = factories.user("mediator", tenant)
    client = app.test_client()
    login(client, user.username)
    row = db.session.scalar(select(LoginSession).where(LoginSession.user_id == user.id))
    row.last_seen_at = utcnow() - timedelta(minutes=45)
    db.session.commit()

    assert sweep_sessions() == 1
    assert sweep_sessions() == 0
    db.session.expire_all()
    assert db.session.get(LoginSession, row.id).end_reason == "idle"


def test_enqueue_waits_for_commit(db, queue):
    enqueue_after_commit(sweep_sessions, job_id="sweep-test")
    assert queue.count == 0
    db.session.commit()
    assert queue.job_ids == ["sweep-test"]


def test_nothing_is_enqueued_when_the_transaction_rolls_back(db, queue):
    enqueue_after_commit(sweep_sessions, job_id="sweep-test")
    db.session.rollback()
    db.session.commit()
    assert queue.count == 0


def test_the_same_job_id_is_one_job(db, queue):
    for _ in range(2):
        enqueue_after_commit(sweep_sessions, job_id="sweep-test")
        db.session.commit()
    assert queue.job_ids == ["sweep-test"]
