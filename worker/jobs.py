"""Thin, idempotent jobs: each takes ids, opens what it needs, calls an operation, commits."""
from webapp.extensions import db
from worker.context import with_app


@with_app
def sweep_sessions() -> int:
    """End login sessions idle past the limit. Running it twice ends nothing more."""
    from webapp.auth.operations import end_idle_sessions

    ended = end_idle_sessions()
    db.session.commit()
    return ended
