"""The restore drill: a backup of the demo and some uploaded files, restored into a fresh
database (SQLite, or PostgreSQL under TEST_DATABASE_URL), equals what it was taken from, row
for row and file for file; a damaged backup, or one read without its key, gives nothing."""
import hashlib
import os
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.backup.conftest import KEY, fresh_database, table_rows
from webapp.cases.models import Party
from webapp.extensions import db
from tenants.scope import all_tenants

FILES = {
    "1/3/5d41402abc4b2a76": "调解协议书 · 张三 与 李四".encode() * 500,
    "1/3/7e6a1b2c3d4e5f60": os.urandom(300_000),          # a photo, say
    "documents/2/case-file-7.pdf": b"%PDF-1.7\n" + os.urandom(50_000),
}


def digests(root: Path) -> dict:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def source(live_app, live_services, tmp_path_factory):
    """The demo database (seeded once per test session) with uploaded files beside it."""
    files = tmp_path_factory.mktemp("backup-source-files")
    for key, data in FILES.items():
        (files / key).parent.mkdir(parents=True, exist_ok=True)
        (files / key).write_bytes(data)
    saved = {name: live_app.config[name] for name in ("STORAGE_DIR", "BACKUP_KEY")}
    live_app.config.update(STORAGE_DIR=str(files), BACKUP_KEY=KEY)
    yield live_app, files, live_services.owner_url or live_services.database_url
    live_app.config.update(saved)


@pytest.fixture(scope="module")
def backup_file(source, tmp_path_factory):
    app, _, _ = source
    folder = tmp_path_factory.mktemp("backups")
    result = app.test_cli_runner().invoke(args=["backup", "create", "--to", str(folder)])
    assert result.exit_code == 0, result.output
    (path,) = folder.glob("*.tjbackup")
    return path


def run(app, *args):
    return app.test_cli_runner().invoke(args=["backup", *args])


def test_a_restored_backup_equals_its_source_row_for_row_and_file_for_file(source, backup_file, tmp_path):
    app, files, source_url = source
    assert run(app, "verify", str(backup_file)).exit_code == 0
    with fresh_database(tmp_path, "drill") as (into, files_into, target_url):
        args = ["restore", str(backup_file), "--into", into] + (["--files", files_into] if files_into else [])
        result = run(app, *args)
        assert result.exit_code == 0, result.output
        assert "row counts and checksums match" in result.output
        expected = table_rows(source_url)
        restored = table_rows(target_url)
        assert set(restored) == set(expected)
        for table in expected:
            assert restored[table] == expected[table], table
        assert sum(len(rows) for rows in restored.values()) > 3000  # the demo, not an empty shell
        restored_files = Path(files_into) if files_into else Path(into) / "files"
        assert digests(restored_files) == digests(files) and len(digests(files)) == len(FILES)

        refused = run(app, *args)  # the target holds data now
        assert refused.exit_code == 1 and "Refused" in refused.output


def test_one_changed_byte_is_refused_by_verify_and_by_restore(source, backup_file, tmp_path):
    app, _, _ = source
    damaged = tmp_path / backup_file.name
    data = bytearray(backup_file.read_bytes())
    data[len(data) // 2] ^= 0x01
    damaged.write_bytes(bytes(data))
    result = run(app, "verify", str(damaged))
    assert result.exit_code == 1 and "NOT a good backup" in result.output
    with fresh_database(tmp_path, "damaged") as (into, files_into, target_url):
        args = ["restore", str(damaged), "--into", into] + (["--files", files_into] if files_into else [])
        result = run(app, *args)
        assert result.exit_code == 1 and "nothing restored" in result.output
        assert table_rows(target_url) == {}  # not a table written


def test_a_backup_cut_short_is_refused(source, backup_file, tmp_path):
    app, _, _ = source
    short = tmp_path / backup_file.name
    short.write_bytes(backup_file.read_bytes()[:-100])
    result = run(app, "verify", str(short))
    assert result.exit_code == 1 and "NOT a good backup" in result.output


def test_without_its_key_a_backup_reveals_nothing(source, backup_file):
    app, _, _ = source
    data = backup_file.read_bytes()
    with app.app_context(), all_tenants():
        names = db.session.scalars(select(Party.name).limit(20)).all()
        db.session.rollback()
    assert names
    readable = [b"case_events", b"alembic_version", b"CREATE TABLE", b"manifest", b"SQLite format",
                b"PGDMP", "调解协议书".encode()] + [name.encode() for name in names]
    assert [word for word in readable if word in data] == []

    other_key = "0" * 43 + "="
    app.config["BACKUP_KEY"] = other_key
    try:
        result = run(app, "verify", str(backup_file))
    finally:
        app.config["BACKUP_KEY"] = KEY
    assert result.exit_code == 1 and "another key" in result.output
