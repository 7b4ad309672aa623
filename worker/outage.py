"""Riding out a Redis outage: the worker and the scheduler wait for Redis and start afresh.

RQ's own loops give up on most Redis errors (the worker quits on a timeout or an error
outside its dequeue, the cron scheduler on any), and under honcho one exiting process
takes the whole service down. So each process runs inside ``ride_out_outages``: while Redis
is unreachable it waits, retrying with capped exponential backoff and logging once when
Redis goes and once when it is back, then starts a fresh worker or scheduler. A fresh
scheduler enqueues every periodic job at once, the full sweep included: what fell due
during the outage is caught up within minutes of Redis coming back.
"""
import logging
import signal
import time

import rq
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq import cron_scheduler_registry
from rq.cron import CronScheduler
from rq.exceptions import StopRequested

log = logging.getLogger("worker")

_UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


class RedisLost(SystemExit):
    """Raised inside RQ's work loop when Redis goes away. A ``SystemExit`` because that loop
    swallows every other exception (logging it and quitting as if nothing could be done)."""


class Restart(Exception):
    """The process's loop ended on an error other than Redis's (RQ logged it): start afresh."""


class RedisWatch:
    """Whether Redis is reachable, said in the log once per change."""

    def __init__(self, process: str, first_wait: float = 0.5, max_wait: float = 30.0):
        self.process = process
        self.first_wait, self.max_wait = first_wait, max_wait
        self.down_since: float | None = None

    def lost(self, error: BaseException) -> None:
        if self.down_since is None:
            self.down_since = time.monotonic()
            log.warning("Redis unreachable (%s): the %s waits and retries", error or type(error).__name__,
                        self.process)

    def back(self) -> None:
        if self.down_since is not None:
            log.warning("Redis back after %.0f s: the %s resumes", time.monotonic() - self.down_since, self.process)
            self.down_since = None

    def wait_until_up(self, connection) -> None:
        """Ping until Redis answers: 0.5 s, 1 s, 2 s … up to ``max_wait`` between tries, for as
        long as it takes."""
        wait = self.first_wait
        while True:
            try:
                connection.ping()
            except RedisError as error:
                self.lost(error)
                time.sleep(wait)
                wait = min(wait * 2, self.max_wait)
            else:
                self.back()
                return


def _stop(signum, frame):
    raise StopRequested()


def ride_out_outages(connection, run, watch: RedisWatch) -> None:
    """Call ``run()`` whenever Redis is reachable, again after each outage, until it returns
    (a stop on request: SIGTERM or SIGINT)."""
    restarts = 0
    try:
        while True:
            signal.signal(signal.SIGTERM, _stop)  # run() installs its own; a wait needs ours
            signal.signal(signal.SIGINT, _stop)
            watch.wait_until_up(connection)
            started = time.monotonic()
            try:
                run()
                return
            except (RedisError, RedisLost) as error:
                watch.lost(error.__cause__ or error)
            except Restart:
                log.warning("the %s stopped on an error: starting it again", watch.process)
            # Quick failures in a row with Redis up are not an outage: slow down, never spin.
            restarts = 0 if time.monotonic() - started > 60 else restarts + 1
            if restarts > 1:
                time.sleep(min(watch.first_wait * 2 ** restarts, watch.max_wait))
    except (StopRequested, KeyboardInterrupt):
        log.info("the %s stops on request", watch.process)


# -- the RQ worker --------------------------------------------------------------------------


class _Queue(rq.Queue):
    @classmethod
    def dequeue_any(cls, *args, **kwargs):
        try:
            return super().dequeue_any(*args, **kwargs)
        except _UNREACHABLE as error:
            raise RedisLost() from error


class Worker(rq.Worker):
    """RQ's worker, leaving its loop when Redis goes away instead of retrying inside it (where
    it logs every try and lets its scheduler process die) or quitting for good."""

    queue_class = _Queue

    def heartbeat(self, *args, **kwargs):
        try:
            return super().heartbeat(*args, **kwargs)
        except _UNREACHABLE as error:
            raise RedisLost() from error

    def subscribe(self):
        # RQ's listener for commands waits up to 60 s per read, and a stopping worker waits for
        # it (SIGTERM took that long to end an idle worker): wake every second instead.
        self.log.info("Worker %s: subscribing to channel %s", self.name, self.pubsub_channel_name)
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(sleep_time=1, daemon=True,
                                                       exception_handler=self._pubsub_exception_handler)

    def teardown(self):
        try:
            super().teardown()
        except RedisError:
            # Its death cannot be recorded (the record expires on its own); the scheduler
            # process is already stopped, the thread listening for commands is not.
            if self.pubsub_thread is not None:
                self.pubsub_thread.stop()


class _QuietWhileDown(logging.Filter):
    """RQ logs each failed try at ERROR (its command listener every 2 s): the watch says it once."""

    def filter(self, record):
        return "could not connect to Redis" not in record.getMessage()


def run_worker(connection, queue_names, heartbeat_every: int, watch: RedisWatch, on_start=None) -> None:
    """``on_start(queues)``: what each fresh worker enqueues before it takes its first job (at
    its first start and after every outage)."""
    logging.getLogger("rq.worker").addFilter(_QuietWhileDown())

    def run():
        queues = [_Queue(name, connection=connection) for name in queue_names]
        if on_start is not None:
            on_start(queues)
        # Idle, RQ's worker beats once per blocking wait, which is ``worker_ttl`` - 15 seconds;
        # busy, once per ``job_monitoring_interval``. /healthz wants one within
        # WORKER_HEARTBEAT_MAX_AGE, three times this.
        worker = Worker(queues, connection=connection, worker_ttl=heartbeat_every + 15,
                        job_monitoring_interval=heartbeat_every)
        worker.work(with_scheduler=True)
        if worker._shutdown_requested_date is None:
            # RQ quits its loop on errors it only logs (a lost connection in the middle of a job).
            connection.ping()  # raises if Redis is gone: an outage
            raise Restart()

    ride_out_outages(connection, run, watch)


class Scheduler(CronScheduler):
    """RQ's cron scheduler, looking at Redis every few seconds rather than once a minute, and
    starting afresh when Redis lost its data (restarted empty): the jobs it had enqueued are
    gone, so everything is enqueued again at once rather than at the next interval."""

    TICK = 5  # seconds

    def calculate_sleep_interval(self) -> float:
        return min(super().calculate_sleep_interval(), self.TICK)

    def heartbeat(self) -> None:
        try:
            with self.connection.pipeline() as pipeline:
                pipeline.exists(self.key)
                pipeline.zscore(cron_scheduler_registry.get_registry_key(), self.name)
                known, registered = pipeline.execute()
        except _UNREACHABLE as error:
            raise RedisLost() from error
        if not known and registered is None:
            raise RedisLost("Redis came back without this scheduler's record")
        super().heartbeat()


def run_scheduler(connection, schedule: str, watch: RedisWatch) -> None:
    def run():
        scheduler = Scheduler(connection=connection)
        scheduler.load_config_from_file(schedule)
        scheduler.start()

    ride_out_outages(connection, run, watch)
