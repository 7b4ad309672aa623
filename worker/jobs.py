"""Thin, idempotent jobs: each takes ids, opens what it needs, calls an operation, commits."""
from flask import current_app

from tenants.scope import all_tenants, tenant_scope
from webapp.auditlog.archive import archive_due
from webapp.auth.operations import end_idle_sessions
from webapp.backup.operations import nightly_key, run_backup
from webapp.cases.models import Referral
from webapp.deadlines.delivery import deliver
from webapp.deadlines.operations import notify_referral
from webapp.deadlines.sweep import sweep_until_done
from webapp.documents import operations
from webapp.documents.models import Document
from webapp.documents.operations import reopen_waiting_for_font, waiting_too_long
from webapp.documents.render import cjk_font_installed
from webapp.extensions import db
from webapp.figures.summary import refresh
from webapp.types import utcnow
from worker.context import with_app
from worker.queue import enqueue_unless_waiting, get_queue


@with_app
def sweep_sessions() -> int:
    """End login sessions idle past the limit. Running it twice ends nothing more."""
    ended = end_idle_sessions()
    db.session.commit()
    return ended


@with_app
def archive_audit_log() -> list[str]:
    """Move whole months of audit entries past the retention to signed archive files; the
    operation commits each month, and a month already moved has nothing left to move."""
    return archive_due()


@with_app
def sweep_deadlines(full: bool = False) -> dict:
    """The periodic deadline sweep over every township, in batches until nothing due is left;
    idempotent (see webapp.deadlines.sweep). ``full`` looks at every open case (when the
    scheduler starts, and daily)."""

    return sweep_until_done(full=full)


@with_app
def send_notifications() -> int:
    """Deliver waiting notifications outside each township's quiet hours."""
    delivered = deliver()
    db.session.commit()
    return delivered


@with_app
def send_referral_notice(tenant_id: int, referral_id: int) -> int:
    """Enqueued by a referral after commit: the liaisons hear of it (once, however often it runs)."""
    with tenant_scope(tenant_id):
        referral = db.session.get(Referral, referral_id)
        if referral is None:
            return 0
        created = notify_referral(referral)
        db.session.commit()
    return created


@with_app
def render_document(tenant_id: int, document_id: int) -> str | None:
    """Render one requested document (a case file, a single document, a county ZIP). A ready
    document is left alone, so running it twice renders once; a failure is recorded on the
    document for the page to show, and raised for RQ to retry."""

    with tenant_scope(tenant_id):
        document = db.session.get(Document, document_id)
        if document is None:
            return None
        try:
            operations.render(document, on_progress=db.session.commit, when_read=db.session.commit)
            db.session.commit()
        except Exception as error:
            db.session.rollback()
            operations.mark_failed(db.session.get(Document, document_id), error)
            db.session.commit()
            raise
        return document.status.value


@with_app
def refresh_figures() -> int:
    """Bring the county dashboard's monthly summary up to date (the months changed since the last
    run; every month the first time). Idempotent: running it again recomputes nothing new."""

    with all_tenants():
        months = refresh()
    db.session.commit()
    return months


@with_app
def render_waiting_documents(at_all: bool = False) -> int:
    """Enqueue the rendering of every document still waiting minutes after its request (or,
    ``at_all``, when the worker starts: however recent): its job never reached Redis, as when
    the demo is seeded before Redis starts. Archived cases' files go first. A job still in the
    queue (or, ``at_all``, running) is not added twice, and rendering a ready document does
    nothing, so running this twice changes nothing more."""

    with all_tenants():
        waiting = waiting_too_long(at_all=at_all)
    db.session.rollback()
    queue = get_queue("slow")
    for tenant_id, document_id in waiting:
        enqueue_unless_waiting(queue, render_document, tenant_id, document_id, unless_running=at_all,
                               job_id=f"render-document-{document_id}")
    return len(waiting)


@with_app
def take_nightly_backup() -> str | None:
    """The nightly backup, checked every quarter hour: once today's BACKUP_SCHEDULE time has
    passed and that night's backup is not taken yet, take it (written, verified, older ones
    pruned). The run's unique key in the database makes a second run do nothing."""

    run = run_backup(nightly_key(utcnow(), current_app.config["BACKUP_SCHEDULE"]))
    return run.name if run else None


@with_app
def render_documents_missing_font() -> int:
    """Render again every document that failed because the server had no Chinese font, once
    one is installed: when the worker and the scheduler start, and every few minutes. Without
    a font it does nothing; a document already reopened is pending and its job waiting, so
    running it twice enqueues nothing more."""

    if not cjk_font_installed():
        return 0
    with all_tenants():
        reopened = reopen_waiting_for_font()
        db.session.commit()
    if reopened:
        render_waiting_documents(at_all=True)
    return reopened


@with_app
def render_documents_at_start() -> int:
    """What the worker does first when it starts: the documents left failed for want of a font
    are reopened, and every waiting document is enqueued, archived case files first."""
    render_documents_missing_font()
    return render_waiting_documents(at_all=True)
