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


@with_app
def sweep_deadlines() -> dict:
    """The periodic deadline sweep over every township; idempotent (see webapp.deadlines.sweep)."""
    from webapp.deadlines.sweep import run_sweep

    counts = run_sweep()
    db.session.commit()
    return counts


@with_app
def send_notifications() -> int:
    """Deliver waiting notifications outside each township's quiet hours."""
    from webapp.deadlines.delivery import deliver

    delivered = deliver()
    db.session.commit()
    return delivered


@with_app
def send_referral_notice(tenant_id: int, referral_id: int) -> int:
    """Enqueued by a referral after commit: the liaisons hear of it (once, however often it runs)."""
    from tenants.scope import tenant_scope
    from webapp.cases.models import Referral
    from webapp.deadlines.operations import notify_referral

    with tenant_scope(tenant_id):
        referral = db.session.get(Referral, referral_id)
        if referral is None:
            return 0
        created = notify_referral(referral)
        db.session.commit()
    return created
