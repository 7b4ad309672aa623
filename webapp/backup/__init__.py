from webapp.backup.operations import status

"""Backups: one encrypted file holding the database, every stored file and a manifest
(``archive``, ``crypto``, ``database``); where they are kept and for how long (``store``,
``retention``); the nightly run and its record (``operations``, ``models``); the command line
(``cli``). Point-in-time recovery on PostgreSQL is pgBackRest's, set up by ``deploy/pitr/``."""


def init_app(app) -> None:
    """Pages show the backups' state (``templates/backup/_status.html``)."""

    app.jinja_env.globals["backup_status"] = status
