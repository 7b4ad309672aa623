"""/healthz: database, Redis and worker heartbeat, as JSON; 200 when all are up, else 503."""
from datetime import datetime, timezone

from flask import Blueprint, current_app, jsonify
from rq import Worker
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


def _redis_and_workers() -> tuple[dict, dict]:
    try:
        connection = redis_connection()
        connection.ping()
    except Exception as error:
        down = {"ok": False, "error": type(error).__name__}
        return down, {"ok": False, "error": "redis unavailable"}
    now = datetime.now(timezone.utc)
    max_age = current_app.config["WORKER_HEARTBEAT_MAX_AGE"]
    ages = []
    for worker in Worker.all(connection=connection):
        beat = worker.last_heartbeat
        if beat is not None:
            beat = beat if beat.tzinfo else beat.replace(tzinfo=timezone.utc)
            ages.append((now - beat).total_seconds())
    alive = [age for age in ages if age <= max_age]
    workers = {"ok": bool(alive), "alive": len(alive)}
    if ages:
        workers["last_heartbeat_seconds_ago"] = round(min(ages), 1)
    return {"ok": True}, workers


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
    redis, workers = _redis_and_workers()
    body = {"database": database, "redis": redis, "worker": workers}
    body["ok"] = all(part["ok"] for part in (database, redis, workers))
    body["backup"] = _backup() if database["ok"] else {"warning": "unknown"}  # a warning, never a 503
    return jsonify(body), 200 if body["ok"] else 503
