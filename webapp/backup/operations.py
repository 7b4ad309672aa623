"""Taking backups on schedule, keeping the right ones, and knowing when the last good one was."""
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import create_engine, select
from sqlalchemy.exc import IntegrityError

from webapp.backup import archive
from webapp.backup.database import sqlalchemy_url
from webapp.backup.keys import backup_key
from webapp.backup.models import FAILED, OK, RUNNING, BackupRun
from webapp.backup.retention import BEIJING, to_keep
from webapp.backup.store import get_backup_store
from webapp.config import ROOT
from webapp.extensions import db
from webapp.storage import get_storage
from webapp.types import utcnow

# The county admin is told when the last good backup is older than this, or a run failed.
STALE_AFTER = timedelta(hours=36)
# A run still "running" after this was killed with its worker: the next check takes it again.
RUN_GIVES_UP_AFTER = timedelta(hours=3)
MAX_ATTEMPTS = 3


class BackupFailed(RuntimeError):
    """A backup was taken but did not read back whole against its manifest."""


def nightly_key(now: datetime, schedule: str) -> str:
    """The nightly run due at ``now``: the latest ``schedule`` time (HH:MM, Beijing) not after it.
    A scheduler that was down at that time takes the missed backup when it comes back."""
    hour, minute = (int(part) for part in schedule.split(":"))
    local = now.astimezone(BEIJING)
    slot = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if slot > local:
        slot -= timedelta(days=1)
    return f"nightly-{slot.date().isoformat()}"


def _claim(key: str) -> BackupRun | None:
    """The run for ``key`` if this process should take it now; else None (done, being taken,
    or failed too often)."""
    run = db.session.scalar(select(BackupRun).where(BackupRun.key == key))
    now = utcnow()
    if run is None:
        run = BackupRun(key=key, status=RUNNING, started_at=now)
        db.session.add(run)
        try:
            db.session.commit()
        except IntegrityError:  # another worker claimed it first
            db.session.rollback()
            return None
        return run
    stuck = run.status == RUNNING and now - run.started_at > RUN_GIVES_UP_AFTER
    if run.status == OK or (run.status == RUNNING and not stuck) or run.attempts >= MAX_ATTEMPTS:
        db.session.rollback()
        return None
    run.status, run.started_at, run.finished_at, run.error = RUNNING, now, None, ""
    run.attempts += 1
    db.session.commit()
    return run


def run_backup(key: str) -> BackupRun | None:
    """Take a backup, read it back whole against its manifest, and prune by the retention rule;
    recorded under ``key``, at most once successfully (``_claim``). A failure is recorded and
    raised, so the job shows as failed too."""
    run = _claim(key)
    if run is None:
        return None
    run_id = run.id
    app = current_app._get_current_object()
    store = get_backup_store(app)
    name = None
    try:
        backup_key_bytes = backup_key(app)
        name, _ = archive.create(store, key=backup_key_bytes, config=app.config, storage=get_storage())
        with store.open(name) as written:
            problems = archive.read(written, key=backup_key_bytes).problems
        if problems:
            raise BackupFailed("the backup did not verify: " + "; ".join(problems[:5]))
        size = store.path(name).stat().st_size
        prune(store)
    except Exception as error:
        db.session.rollback()
        if name is not None and name in store.names():
            store.remove(name)
        run = db.session.get(BackupRun, run_id)
        run.status, run.finished_at, run.error = FAILED, utcnow(), f"{type(error).__name__}: {error}"[:2000]
        db.session.commit()
        raise
    run = db.session.get(BackupRun, run_id)
    run.status, run.finished_at, run.name, run.size = OK, utcnow(), name, size
    db.session.commit()
    return run


def prune(store) -> list[str]:
    """Remove the backups the retention rule (``webapp.backup.retention``) does not keep."""
    taken = {archive.created_at_of(name): name for name in store.names()}
    taken.pop(None, None)
    keep = to_keep(list(taken))
    removed = [name for when, name in taken.items() if when not in keep]
    for name in removed:
        store.remove(name)
    return removed


def status(now: datetime | None = None) -> dict:
    """The last good backup's age and what, if anything, is wrong: ``warning`` is ``failed``
    (the last run failed), ``never`` (no good backup yet), ``stale`` (older than 36 hours)."""
    now = now or datetime.now(timezone.utc)
    good = db.session.scalar(select(BackupRun).where(BackupRun.status == OK)
                             .order_by(BackupRun.finished_at.desc()).limit(1))
    last = db.session.scalar(select(BackupRun).where(BackupRun.status != RUNNING)
                             .order_by(BackupRun.finished_at.desc()).limit(1))
    result = {"last_good_at": good.finished_at if good else None, "name": good.name if good else None,
              "age_hours": round((now - good.finished_at).total_seconds() / 3600, 1) if good else None,
              "warning": None, "error": None}
    if last is not None and last.status == FAILED:
        result["warning"], result["error"] = "failed", last.error
    elif good is None:
        result["warning"] = "never"
    elif now - good.finished_at > STALE_AFTER:
        result["warning"] = "stale"
    return result


def migrate_restored(url: str) -> bool:
    """Bring a restored database to this version's schema: ``flask db upgrade`` run on it, as
    its own process so that nothing of this one's app (its engine, its extensions) is bound to
    the target. True when the restored schema was older."""


    config = current_app.extensions["migrate"].migrate.get_config()
    head = ScriptDirectory.from_config(config).get_current_head()
    engine = create_engine(sqlalchemy_url(url))
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
    if current == head:
        return False
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_OWNER_URL"}
    env["DATABASE_URL"] = url
    # A database of its own needs the keys (webapp/keys.py): this app's, which its data is under.
    env["SECRET_KEY"], env["DATA_KEY"] = current_app.config["SECRET_KEY"], current_app.config["DATA_KEY"]
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "webapp", "db", "upgrade"], env=env,
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if result.returncode:
        raise RuntimeError(f"flask db upgrade failed on the restored database: {result.stdout[-2000:]}")
    return True
