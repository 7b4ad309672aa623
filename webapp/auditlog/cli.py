"""flask audit …: verify the chain (or one archive file), archive the months past retention."""
from pathlib import Path

import click
from flask.cli import AppGroup

from webapp.audit import Mismatch, verify_database
from webapp.auditlog.archive import archive_due, read_archive

cli = AppGroup("audit", help="The audit log: verify its chain, archive what is past retention.")


@cli.command("verify")
@click.option("--archive", "archive_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Check this archive file instead of the database.")
def verify_command(archive_file):
    """Walk the chain and exit non-zero at the first entry that does not match."""
    try:
        if archive_file:
            count = len(read_archive(archive_file.read_bytes()))
        else:
            count = verify_database()
    except Mismatch as mismatch:
        click.echo(f"audit chain broken at entry {mismatch.entry_id}: {mismatch.reason}", err=True)
        raise SystemExit(1)
    click.echo(f"audit chain intact: {count} entries checked")


@cli.command("archive")
def archive_command():
    """Move the months past the retention to signed archive files (what the schedule runs)."""
    for key in archive_due():
        click.echo(f"archived {key}")
