"""The Redis connection, the RQ queue, and enqueueing after commit."""
from flask import current_app
from redis import Redis
from rq import Queue, Retry
from sqlalchemy import event

from webapp.extensions import db


def redis_connection(url: str | None = None) -> Redis:
    url = url or current_app.config["REDIS_URL"]
    return Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)


def get_queue(name: str = "default") -> Queue:
    return Queue(name, connection=redis_connection())


def enqueue_after_commit(func, *args, job_id: str, **kwargs) -> None:
    """Enqueue ``func(*args)`` once the current transaction commits, under a deterministic id.

    A job enqueued before commit could run before its rows exist, and one enqueued for a
    transaction that rolls back would act on nothing. The fixed ``job_id`` means that
    enqueueing the same work twice keeps one job.
    """
    session = db.session()
    queue = get_queue()

    def _enqueue(_session):
        queue.enqueue(func, *args, job_id=job_id, retry=Retry(max=3, interval=[10, 60, 300]), **kwargs)

    event.listen(session, "after_commit", _enqueue, once=True)
