"""``flask backup create | verify | restore | new-key`` (docs/backups.md)."""
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from webapp.backup import archive
from webapp.backup.crypto import BackupUnreadable, new_key
from webapp.backup.database import RestoreRefused
from webapp.backup.keys import BackupKeyMissing, backup_key
from webapp.backup.operations import migrate_restored
from webapp.backup.store import BackupDirectory, get_backup_store
from webapp.storage import DirectoryStorage, get_storage

cli = AppGroup("backup", help="Backups: create, verify and restore.")


def _key() -> bytes:
    try:
        return backup_key(current_app)
    except (BackupKeyMissing, ValueError) as error:
        raise click.ClickException(str(error)) from error


def _fail(problems) -> None:
    for problem in problems:
        click.echo(f"  {problem}", err=True)
    sys.exit(1)


@cli.command("new-key")
def new_key_command():
    """Print a new backup key (for BACKUP_KEY)."""
    click.echo(new_key())


@cli.command("create")
@click.option("--to", "directory", type=click.Path(file_okay=False), help="Folder to write to (default BACKUP_DIR).")
def create_command(directory):
    """One encrypted file: the database, every stored file, and a manifest."""
    key = _key()
    store = BackupDirectory(directory) if directory else get_backup_store(current_app)
    name, manifest = archive.create(store, key=key, config=current_app.config, storage=get_storage())
    path = store.path(name)
    click.echo(f"{path}: {sum(manifest['tables'].values())} rows in {len(manifest['tables'])} tables, "
               f"{len(manifest['files'])} files, {path.stat().st_size} bytes")


@cli.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def verify_command(file):
    """Check a backup's manifest and every checksum; touches nothing else."""
    try:
        reading = archive.verify(Path(file), key=_key())
    except BackupUnreadable as error:
        click.echo(f"{file}: NOT a good backup: {error}", err=True)
        sys.exit(1)
    if reading.problems:
        click.echo(f"{file}: NOT a good backup:", err=True)
        _fail(reading.problems)
    manifest = reading.manifest
    click.echo(f"{file}: good. Taken {manifest['created_at']}, schema {manifest['schema_version']}, "
               f"{len(manifest['tables'])} tables, {len(manifest['files'])} files.")


def _target(into: str, files: str | None) -> tuple[str, DirectoryStorage]:
    if "://" in into:
        return into, DirectoryStorage(files) if files else get_storage()
    folder = Path(into).resolve()
    return f"sqlite:///{folder / 'tiaojie.db'}", DirectoryStorage(files or folder / "files")


@cli.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--into", required=True,
              help="An empty database URL (run as its owner), or an instance folder for the embedded default.")
@click.option("--files", type=click.Path(file_okay=False),
              help="Where the stored files go (default: the instance folder's files/, else STORAGE_DIR).")
def restore_command(file, into, files):
    """Bring back the database and the files, migrate if older, and check them against the manifest."""

    key = _key()
    url, storage = _target(into, files)
    try:
        restored = archive.restore(Path(file), key=key, database_url=url, storage=storage, migrate=migrate_restored)
    except BackupUnreadable as error:
        click.echo(f"{file}: NOT a good backup, nothing restored: {error}", err=True)
        sys.exit(1)
    except RestoreRefused as error:
        click.echo(f"Refused: {error}", err=True)
        sys.exit(1)
    if restored.problems:
        click.echo("The restore does NOT match the backup:", err=True)
        _fail(restored.problems)
    manifest = restored.manifest
    if restored.migrated_from:
        click.echo(f"Migrated from schema {restored.migrated_from}.")
    click.echo(f"Restored {sum(manifest['tables'].values())} rows in {len(manifest['tables'])} tables and "
               f"{len(manifest['files'])} files taken {manifest['created_at']}; row counts and checksums match.")
