"""The Redis connection, the RQ queue, and enqueueing after commit."""
import logging
from contextlib import contextmanager

from flask import current_app
from flask_sqlalchemy.session import Session
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import event

from webapp.extensions import db

log = logging.getLogger(__name__)

_PENDING = "jobs_after_commit"
_LEFT_TO_THE_WORKER = "jobs_left_to_the_worker"
_WAITING = {JobStatus.QUEUED, JobStatus.DEFERRED, JobStatus.SCHEDULED}


def redis_connection(url: str | None = None) -> Redis:
    url = url or current_app.config["REDIS_URL"]
    return Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)


def get_queue(name: str = "default") -> Queue:
    return Queue(name, connection=redis_connection())


def enqueue_after_commit(func, *args, job_id: str, queue: str = "default", **kwargs) -> None:
    """Enqueue ``func(*args)`` once the current transaction commits, under a deterministic id.

    A job enqueued before commit could run before its rows exist, and one enqueued for a
    transaction that rolls back would act on nothing. A job with the same id still waiting
    in the queue is not added twice. Workers take the queues in the order of ``RQ_QUEUES``:
    the time limits' jobs ("default") before the slow ones ("slow": renderings, summaries).
    """
    session = db.session()
    if not session.in_transaction():
        session.begin()  # so that a rollback, even of nothing else, drops the job too
    session.info.setdefault(_PENDING, []).append((func, args, kwargs, job_id, queue))


def _status(queue: Queue, job_id: str):
    try:
        return Job.fetch(job_id, connection=queue.connection).get_status()
    except NoSuchJobError:
        return None


def enqueue_unless_waiting(queue: Queue, func, *args, job_id: str, unless_running: bool = False, **kwargs):
    """Enqueue unless the job is waiting already (or, ``unless_running``, being run right now)."""
    status = _status(queue, job_id)
    if status in _WAITING or (unless_running and status == JobStatus.STARTED):
        return None
    return queue.enqueue(func, *args, job_id=job_id, retry=Retry(max=3, interval=[10, 60, 300]), **kwargs)


def move_to_front(queue: Queue, func, *args, job_id: str, **kwargs):
    """Put the job first in its queue, someone is waiting for it: moved there if it is waiting
    already, enqueued there if not (its request was made while Redis was down, say), left
    alone while it runs."""
    status = _status(queue, job_id)
    if status == JobStatus.STARTED or queue.get_job_ids(0, 1) == [job_id]:
        return None
    if status in _WAITING:
        queue.remove(job_id)
    return queue.enqueue(func, *args, job_id=job_id, at_front=True, retry=Retry(max=3, interval=[10, 60, 300]),
                         **kwargs)


def redis_is_up() -> bool:
    try:
        redis_connection().ping()
    except RedisError:
        return False
    return True


@contextmanager
def jobs_left_to_the_worker():
    """Commits inside enqueue nothing: Redis is not running yet (``make run`` seeds the demo
    before it starts), and the worker enqueues what is waiting when it starts
    (``worker.jobs.render_documents_at_start``) instead of each commit failing to reach Redis."""
    session = db.session()
    session.info[_LEFT_TO_THE_WORKER] = True
    try:
        yield
    finally:
        session.info.pop(_LEFT_TO_THE_WORKER, None)


@event.listens_for(Session, "after_commit")
def _enqueue_pending(session):
    pending = session.info.pop(_PENDING, [])
    if not pending or session.info.get(_LEFT_TO_THE_WORKER):
        return
    try:
        queues = {}
        for func, args, kwargs, job_id, name in pending:
            queue = queues.setdefault(name, get_queue(name))
            enqueue_unless_waiting(queue, func, *args, job_id=job_id, **kwargs)
    except RedisError as error:
        # The change is committed; what the job would do, the next sweep finds in the database.
        log.warning("could not enqueue %s after commit: %s", [p[3] for p in pending], error)


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session, previous_transaction):
    session.info.pop(_PENDING, None)
