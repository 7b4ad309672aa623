"""A whole backup in one file: the database snapshot, every stored file, and a manifest, in a
tar stream sealed by ``webapp.backup.crypto``.

The manifest comes last, once every checksum is known; it records the format, when the
backup was taken, the schema version (the Alembic head of the database), the row count of
every table, and the SHA-256 and size of the database dump and of every file. The database
is snapshotted first and the files copied after: a file is stored before the row that names
it is committed, so every file the snapshot refers to is in the backup.
"""
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from webapp.backup import database
from webapp.backup.crypto import CHUNK, BackupUnreadable, DecryptingReader, EncryptingWriter
from webapp.storage import DirectoryStorage

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE = "database/"
FILES = "files/"
SUFFIX = ".tjbackup"


class _Hashing(io.RawIOBase):
    """Reads through ``source`` and keeps the SHA-256 and size of what went by."""

    def __init__(self, source):
        self._source, self.sha256, self.size = source, hashlib.sha256(), 0

    def readable(self):
        return True

    def readinto(self, buffer) -> int:
        data = self._source.read(len(buffer))
        buffer[:len(data)] = data
        self.sha256.update(data)
        self.size += len(data)
        return len(data)

    def drain(self) -> None:
        while self.read(CHUNK):
            pass


def backup_name(when: datetime) -> str:
    return "tiaojie-" + when.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ") + SUFFIX


def created_at_of(name: str) -> datetime | None:
    """When a backup was taken, from its file name (``backup_name``)."""
    try:
        stamp = name.removeprefix("tiaojie-").removesuffix(SUFFIX)
        return datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def _add(tar: tarfile.TarFile, name: str, source, size: int, when: float) -> dict:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, when, 0o600
    hashing = _Hashing(source)
    tar.addfile(info, hashing)
    return {"sha256": hashing.sha256.hexdigest(), "size": size}


def write(out, *, key: bytes, config, storage: DirectoryStorage, now: datetime | None = None) -> dict:
    """Write a whole backup to the binary file ``out``; returns its manifest."""
    now = now or datetime.now(timezone.utc)
    stamp = now.timestamp()
    with tempfile.TemporaryDirectory(prefix="tiaojie-backup-") as tmp:
        snap = database.snapshot(config, Path(tmp))
        sealed = EncryptingWriter(out, key)
        with tarfile.open(fileobj=sealed, mode="w|", format=tarfile.PAX_FORMAT) as tar:
            member = DATABASE + snap.path.name
            with snap.path.open("rb") as dump:
                db_entry = _add(tar, member, dump, snap.path.stat().st_size, stamp)
            files = {}
            for file_key in storage.keys():
                with storage.open(file_key) as source:
                    size = os.fstat(source.fileno()).st_size
                    files[file_key] = _add(tar, FILES + file_key, source, size, stamp)
            manifest = {
                "format": FORMAT,
                "created_at": now.isoformat(),
                "schema_version": snap.schema_version,
                "database": {"dialect": snap.dialect, "member": member, "app_role": snap.app_role, **db_entry},
                "tables": snap.counts,
                "files": files,
            }
            data = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
            _add(tar, MANIFEST, io.BytesIO(data), len(data), stamp)
        sealed.close()
    return manifest


def create(store, *, key: bytes, config, storage: DirectoryStorage) -> tuple[str, dict]:
    """``flask backup create``: a new backup in ``store`` (``webapp.backup.store``), written
    whole or not at all; returns its name and manifest."""
    now = datetime.now(timezone.utc)
    name = backup_name(now)
    with store.writer(name) as out:
        manifest = write(out, key=key, config=config, storage=storage, now=now)
    return name, manifest


# -- reading --------------------------------------------------------------------------------


@dataclass
class Reading:
    manifest: dict | None = None
    seen: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)


def read(source, *, key: bytes, handle=None) -> Reading:
    """Stream a backup from the binary file ``source``: each member but the manifest is passed
    to ``handle(name, fileobj)`` (or skipped), its checksum taken, and all of it checked against
    the manifest. Damage anywhere raises ``BackupUnreadable``; differences are listed in
    ``problems``."""
    result = Reading()
    plain = io.BufferedReader(DecryptingReader(source, key), CHUNK)
    try:
        with tarfile.open(fileobj=plain, mode="r|") as tar:
            for member in tar:
                if not member.isfile():
                    result.problems.append(f"unexpected entry {member.name}")
                    continue
                data = tar.extractfile(member)
                if member.name == MANIFEST:
                    result.manifest = json.loads(data.read())
                    continue
                hashing = _Hashing(data)
                if handle is not None:
                    handle(member.name, hashing)
                hashing.drain()
                result.seen[member.name] = {"sha256": hashing.sha256.hexdigest(), "size": hashing.size}
        # To the very end: the last chunk carries the mark that the file is whole.
        while plain.read(CHUNK):
            pass
    except (tarfile.TarError, json.JSONDecodeError, EOFError) as error:
        raise BackupUnreadable(f"the backup's contents are damaged: {error}") from error
    result.problems += _compare(result.manifest, result.seen)
    return result


def _expected(manifest: dict) -> dict:
    expected = {manifest["database"]["member"]: manifest["database"]}
    expected.update({FILES + name: entry for name, entry in manifest["files"].items()})
    return expected


def _compare(manifest: dict | None, seen: dict) -> list[str]:
    if manifest is None:
        return ["the backup has no manifest"]
    if manifest.get("format") != FORMAT:
        return [f"manifest format {manifest.get('format')} is not known to this version"]
    problems = []
    expected = _expected(manifest)
    for name, entry in expected.items():
        got = seen.get(name)
        if got is None:
            problems.append(f"missing: {name}")
        elif (got["sha256"], got["size"]) != (entry["sha256"], entry["size"]):
            problems.append(f"checksum differs: {name}")
    problems += [f"not in the manifest: {name}" for name in seen if name not in expected]
    return problems


def verify(path: Path, *, key: bytes) -> Reading:
    """``flask backup verify``: every checksum against the manifest; touches nothing else."""
    with Path(path).open("rb") as source:
        return read(source, key=key)


# -- restoring ------------------------------------------------------------------------------


@dataclass
class Restored:
    manifest: dict
    migrated_from: str | None
    problems: list


def restore(path: Path, *, key: bytes, database_url: str, storage: DirectoryStorage, migrate) -> Restored:
    """``flask backup restore``: into an empty database and storage. The backup is read whole
    and checked before anything is written; then the database is loaded, migrated to this
    version's schema (``migrate(url)``) if the backup is older, and its row counts and every
    file's checksum are compared with the manifest."""
    database.ensure_empty(database_url)
    storage.root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tiaojie-restore-") as dump_dir, \
            tempfile.TemporaryDirectory(prefix=".restoring-", dir=storage.root.parent) as stage_dir:
        stage = DirectoryStorage(stage_dir)
        dump = {}

        def keep(name, source):
            if name.startswith(DATABASE):
                dump["path"] = Path(dump_dir) / Path(name).name
                with dump["path"].open("wb") as out:
                    shutil.copyfileobj(source, out, CHUNK)
            elif name.startswith(FILES):
                stage.put_file(name.removeprefix(FILES), source)

        with Path(path).open("rb") as source:
            reading = read(source, key=key, handle=keep)
        if reading.problems:
            return Restored(reading.manifest or {}, None, reading.problems)
        manifest = reading.manifest
        _refuse_overwrites(storage, stage, manifest)
        db_entry = manifest["database"]
        database.load(db_entry["dialect"], dump["path"], database_url, db_entry.get("app_role"))
        for file_key in manifest["files"]:
            with stage.open(file_key) as staged:
                storage.put_file(file_key, staged)
    migrated_from = None
    if migrate(database_url):
        migrated_from = manifest["schema_version"]
    if not database.is_sqlite(database_url) and db_entry.get("app_role"):
        database.grant(database_url, db_entry["app_role"])
    problems = _check_counts(manifest["tables"], database.counts(database_url))
    problems += _check_files(storage, manifest["files"])
    return Restored(manifest, migrated_from, problems)


def _refuse_overwrites(storage: DirectoryStorage, stage: DirectoryStorage, manifest: dict) -> None:
    for file_key, entry in manifest["files"].items():
        if storage.exists(file_key) and _digest(storage, file_key) != entry["sha256"]:
            raise database.RestoreRefused(f"a different file is stored under {file_key} already")


def _digest(storage: DirectoryStorage, file_key: str) -> str:
    sha = hashlib.sha256()
    with storage.open(file_key) as source:
        while block := source.read(CHUNK):
            sha.update(block)
    return sha.hexdigest()


def _check_counts(expected: dict, actual: dict) -> list[str]:
    return [f"rows in {table}: {count} in the backup, {actual.get(table)} restored"
            for table, count in sorted(expected.items()) if actual.get(table) != count]


def _check_files(storage: DirectoryStorage, files: dict) -> list[str]:
    return [f"checksum differs after restore: {file_key}" for file_key, entry in sorted(files.items())
            if not storage.exists(file_key) or _digest(storage, file_key) != entry["sha256"]]
