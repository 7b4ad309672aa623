"""A backup taken before the newest migration is brought up to this version's schema on restore."""
import os
import subprocess
import sys

from sqlalchemy import create_engine, inspect

from tests.backup.conftest import KEY, fresh_database
from webapp.backup import archive
from webapp.backup.crypto import parse_key
from webapp.backup.database import sqlalchemy_url
from webapp.backup.store import BackupDirectory
from webapp.config import ROOT, TestConfig
from webapp.storage import DirectoryStorage

OLDER = "e1a2c3d4e5f6"  # the schema before the backup runs' table


def test_an_older_backup_is_migrated_on_restore(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "BACKUP_KEY", KEY)
    store = BackupDirectory(tmp_path / "backups")
    with fresh_database(tmp_path, "older") as (_, _, source):
        env = {key: value for key, value in os.environ.items() if key != "DATABASE_OWNER_URL"}
        subprocess.run([sys.executable, "-m", "flask", "--app", "webapp", "db", "upgrade", OLDER],
                       env=env | {"DATABASE_URL": source, "SECRET_KEY": TestConfig.SECRET_KEY,
                                  "DATA_KEY": TestConfig.DATA_KEY}, cwd=ROOT, check=True, capture_output=True)
        name, manifest = archive.create(store, key=parse_key(KEY), storage=DirectoryStorage(tmp_path / "none"),
                                        config={"SQLALCHEMY_DATABASE_URI": sqlalchemy_url(source)})
    assert manifest["schema_version"] == OLDER and "backup_runs" not in manifest["tables"]

    with fresh_database(tmp_path, "newer") as (into, files, url):
        args = ["backup", "restore", str(store.path(name)), "--into", into] + (["--files", files] if files else [])
        result = app.test_cli_runner().invoke(args=args)
        assert result.exit_code == 0, result.output
        assert f"Migrated from schema {OLDER}" in result.output
        engine = create_engine(sqlalchemy_url(url))
        assert "backup_runs" in inspect(engine).get_table_names()
        engine.dispose()
