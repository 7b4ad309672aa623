"""/healthz: database, Redis, and the heartbeats of the worker and the scheduler, as JSON; 200
when all are up, else 503. Without a scheduler no sweep runs: the time limits go unwatched
while every page still serves, so its absence is as much a failure as the worker's."""
from datetime import datetime, timezone

from flask import Blueprint, current_app, jsonify
from rq import Worker, cron_scheduler_registry
from sqlalchemy import text

from webapp.backup.operations import status
from webapp.extensions import db
from worker.queue import redis_connection

bp = Blueprint("health", __name__)


def _database() -> dict:
    try:
        db.session.execute(text("SELECT 1"))
        return {"ok": True}
    except Exception as error:  # any failure means "down", and says why
        db.session.rollback()
        return {"ok": False, "error": type(error).__name__}


def _redis_and_processes() -> tuple[dict, dict, dict]:
    try:
        connection = redis_connection()
        connection.ping()
    except Exception as error:
        down = {"ok": False, "error": type(error).__name__}
        unknown = {"ok": False, "error": "redis unavailable"}
        return down, unknown, dict(unknown)
    now = datetime.now(timezone.utc)
    worker_beats = []
    for worker in Worker.all(connection=connection):
        beat = worker.last_heartbeat
        if beat is not None:
            beat = beat if beat.tzinfo else beat.replace(tzinfo=timezone.utc)
            worker_beats.append((now - beat).total_seconds())
    # The schedulers' registry: each one's name, scored by the time of its last heartbeat.
    scheduler_beats = [now.timestamp() - score for _, score in
                       connection.zrange(cron_scheduler_registry.get_registry_key(), 0, -1, withscores=True)]
    config = current_app.config
    return ({"ok": True}, _alive(worker_beats, config["WORKER_HEARTBEAT_MAX_AGE"]),
            _alive(scheduler_beats, config["SCHEDULER_HEARTBEAT_MAX_AGE"]))


def _alive(ages: list[float], max_age: int) -> dict:
    alive = [age for age in ages if age <= max_age]
    part = {"ok": bool(alive), "alive": len(alive)}
    if ages:
        part["last_heartbeat_seconds_ago"] = round(min(ages), 1)
    return part


def _backup() -> dict:
    try:
        backup = status()
    except Exception as error:  # a missing table, say: tell, do not fail the check
        db.session.rollback()
        return {"warning": type(error).__name__}
    return {"last_good_hours_ago": backup["age_hours"], "warning": backup["warning"]}


@bp.get("/healthz")
def healthz():
    database = _database()
    redis, workers, schedulers = _redis_and_processes()
    body = {"database": database, "redis": redis, "worker": workers, "scheduler": schedulers}
    body["ok"] = all(part["ok"] for part in (database, redis, workers, schedulers))
    body["backup"] = _backup() if database["ok"] else {"warning": "unknown"}  # a warning, never a 503
    return jsonify(body), 200 if body["ok"] else 503
