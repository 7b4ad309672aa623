"""flask deadlines sweep [--dry-run] [--full]: one sweep in the foreground, reported as JSON."""
import json

import click
from flask.cli import AppGroup

from webapp.deadlines.delivery import deliver
from webapp.deadlines.sweep import run_sweep, sweep_until_done
from webapp.extensions import db

cli = AppGroup("deadlines", help="Time limits: warnings, escalation, accountability flags.")


@cli.command("sweep")
@click.option("--dry-run", is_flag=True, help="Report what would happen, change nothing.")
@click.option("--full", is_flag=True, help="Look at every open case, not only the due ones, and put right "
                                           "any case the sweep was not watching as it should.")
def sweep(dry_run: bool, full: bool):
    """Run one deadline sweep over every township and print what it did. After a long outage
    the due cases are swept in batches, each committed; the figures are their sum."""
    if dry_run:
        counts = run_sweep(dry_run=True, full=full)
        counts.pop("more")
        db.session.rollback()
    else:
        counts = sweep_until_done(full=full)
        counts["delivered"] = deliver()
        db.session.commit()
    click.echo(json.dumps(counts, ensure_ascii=False, sort_keys=True))
