"""The nightly backup: taken once a night however often the job runs, verified, recorded; its
age on the operations page and /healthz, and the county admin warned when it is stale or failed."""
import stat
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from tests.backup.conftest import KEY
from webapp.backup import archive
from webapp.backup.keys import BackupKeyMissing, backup_key
from webapp.backup.models import FAILED, OK, BackupRun
from webapp.backup.operations import status
from webapp.backup.store import BackupDirectory
from webapp.types import utcnow
from worker.jobs import take_nightly_backup

STALE = "已超过 36 小时"


@pytest.fixture
def backups(app, db, storage_dir, tmp_path, monkeypatch):
    storage_dir.mkdir(parents=True)
    (storage_dir / "note.txt").write_bytes("一份附件".encode())
    monkeypatch.setitem(app.config, "BACKUP_KEY", KEY)
    monkeypatch.setitem(app.config, "BACKUP_DIR", str(tmp_path / "backups"))
    return BackupDirectory(tmp_path / "backups")


def test_the_nightly_job_takes_one_verified_backup_however_often_it_runs(backups, app, db):
    name = take_nightly_backup()
    assert name and take_nightly_backup() is None
    assert backups.names() == [name]
    with backups.open(name) as written:
        reading = archive.read(written, key=backup_key(app))
    assert reading.problems == [] and "note.txt" in reading.manifest["files"]
    (run,) = db.session.scalars(select(BackupRun)).all()
    assert (run.status, run.name, run.attempts) == (OK, name, 1)
    assert status()["warning"] is None and status()["age_hours"] == 0.0


def test_a_failed_backup_is_recorded_and_shown_as_a_warning_not_a_503(backups, app, db, client, monkeypatch):
    monkeypatch.setitem(app.config, "BACKUP_KEY", "not a key")
    with pytest.raises(ValueError):
        take_nightly_backup()
    (run,) = db.session.scalars(select(BackupRun)).all()
    assert run.status == FAILED and "BACKUP_KEY" in run.error and backups.names() == []
    body = client.get("/healthz").get_json()
    assert body["backup"]["warning"] == "failed"
    assert body["ok"] == all(body[part]["ok"] for part in ("database", "redis", "worker"))
    # Tried again at the next check, and good this time.
    monkeypatch.setitem(app.config, "BACKUP_KEY", KEY)
    assert take_nightly_backup()
    db.session.refresh(run)
    assert (run.status, run.attempts) == (OK, 2) and status()["warning"] is None


def _good_backup(db, hours_ago: float):
    when = utcnow() - timedelta(hours=hours_ago)
    db.session.add(BackupRun(key="nightly-test", status=OK, started_at=when, finished_at=when,
                             name="tiaojie-x.tjbackup", size=1))
    db.session.commit()


def test_the_operations_page_shows_the_age_of_the_last_good_backup(db, login_as):
    _good_backup(db, 5)
    page = login_as("township_admin").get("/t/alpha/deadlines/").get_data(as_text=True)
    assert 'id="backups"' in page and "5.0 小时前" in page and STALE not in page


def test_the_county_admin_is_warned_when_the_last_good_backup_is_older_than_36_hours(db, login_as, client):
    _good_backup(db, 37)
    assert status()["warning"] == "stale"
    assert client.get("/healthz").get_json()["backup"] == {"last_good_hours_ago": 37.0, "warning": "stale"}
    page = login_as("county_admin").get("/county/").get_data(as_text=True)
    assert 'id="backups"' in page and STALE in page
    assert 'id="backups"' not in login_as("county_reviewer").get("/county/").get_data(as_text=True)


def test_no_warning_for_the_county_admin_when_the_backup_is_fresh(db, login_as):
    _good_backup(db, 20)
    assert 'id="backups"' not in login_as("county_admin").get("/county/").get_data(as_text=True)


def test_the_embedded_default_makes_a_key_once_readable_by_the_owner_only(tmp_path):
    app = SimpleNamespace(config={"BACKUP_KEY": "", "SQLALCHEMY_DATABASE_URI": "sqlite:///x.db"},
                          instance_path=str(tmp_path))
    first = backup_key(app)
    assert backup_key(app) == first and len(first) == 32
    assert stat.S_IMODE((tmp_path / "backup.key").stat().st_mode) == 0o600


def test_elsewhere_there_is_no_default_key_and_the_refusal_says_how_to_make_one(tmp_path):
    app = SimpleNamespace(config={"BACKUP_KEY": "", "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://x/y"},
                          instance_path=str(tmp_path))
    with pytest.raises(BackupKeyMissing, match="BACKUP_KEY is not set. Make one"):
        backup_key(app)
    assert not (tmp_path / "backup.key").exists()
