"""Requesting, rendering and zipping documents. Requests come from pages and from the case
workflow (closing and archiving a case request its case file); rendering runs in the worker
(``worker.jobs.render_document``), never inside a web request.

Operations flush; the view or job that called them commits.
"""
import hashlib
import io
import logging
import zipfile
from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from redis.exceptions import RedisError
from sqlalchemy import case as sql_case, func, select
from sqlalchemy.orm import selectinload

from webapp import spreadsheets
from webapp.cases.models import Case, CaseState
from webapp.documents.builders import build
from webapp.documents.models import Document, DocumentStatus, Failure, Kind
from webapp.documents.render import NoCJKFont, append_pdfs, lay_out, render_html
from webapp.extensions import db
from webapp.storage import get_storage
from webapp.timelimits import BEIJING
from webapp.types import utcnow
from worker.queue import enqueue_after_commit, get_queue, move_to_front

log = logging.getLogger(__name__)

# -- requests ---------------------------------------------------------------------------------


def _subject(kind: str, subject_id):
    return func.coalesce(Document.subject_id, 0) == (subject_id or 0)


def _next_version(tenant_id: int, kind: str, subject_id) -> int:
    last = db.session.scalar(select(func.max(Document.version)).where(
        Document.tenant_id == tenant_id, Document.kind == kind, _subject(kind, subject_id)))
    return (last or 0) + 1


def request_document(kind: str, *, tenant_id: int, case: Case | None = None, subject_id: int | None = None,
                     masked: bool = False, requested_by_id: int | None = None, params: dict | None = None,
                     title: str = "") -> Document:
    """A new version of ``kind`` about its subject, pending until the worker renders it.

    A request while the same document is still waiting adds nothing: the waiting one renders
    the subject as it is when the worker gets to it. The render job is enqueued after commit.
    """
    if subject_id is None and case is not None:
        subject_id = case.id
    waiting = db.session.scalar(select(Document).where(
        Document.tenant_id == tenant_id, Document.kind == kind, _subject(kind, subject_id),
        Document.masked == masked, Document.status == DocumentStatus.PENDING).order_by(Document.version.desc()))
    if waiting is not None and (waiting.params or None) == (params or None):
        return waiting
    document = Document(tenant_id=tenant_id, kind=kind, case_id=case.id if case is not None else None,
                        subject_id=subject_id, version=_next_version(tenant_id, kind, subject_id),
                        status=DocumentStatus.PENDING, masked=masked, params=params, title=title,
                        requested_by_id=requested_by_id)
    db.session.add(document)
    db.session.flush()
    _enqueue(document)
    return document


def _enqueue(document: Document) -> None:
    # Here, not at the top: the job renders through this module (worker.jobs imports it).
    from worker.jobs import render_document

    enqueue_after_commit(render_document, document.tenant_id, document.id, job_id=f"render-document-{document.id}",
                         queue="slow")


def hurry(document: Document) -> None:
    """Someone waits for this document: its job goes to the front of the queue (enqueued there
    if it never reached Redis). With Redis down the page keeps waiting; the catch-up finds it."""
    # Here, not at the top: the job renders through this module (worker.jobs imports it).
    from worker.jobs import render_document

    try:
        move_to_front(get_queue("slow"), render_document, document.tenant_id, document.id,
                      job_id=f"render-document-{document.id}")
    except RedisError as error:
        log.warning("could not move document %s to the front of the queue: %s", document.id, error)


# A request enqueues its job after commit; one whose job never reached Redis (Redis down, or
# the demo seeded before the embedded Redis started) is found here by the periodic catch-up.
WAITING_TOO_LONG = timedelta(minutes=2)


def waiting_too_long(now=None, *, at_all: bool = False) -> list[tuple[int, int]]:
    """(tenant id, document id) of every document still pending some minutes after its request
    (``at_all``: however recent; all townships: the caller opens ``all_tenants()``), in the order
    to render them: the case files of archived cases first (what is downloaded), newest first."""
    query = _in_render_order(select(Document.tenant_id, Document.id).where(Document.status == DocumentStatus.PENDING))
    if not at_all:
        query = query.where(Document.created_at <= (now or utcnow()) - WAITING_TOO_LONG)
    return [tuple(row) for row in db.session.execute(query).all()]


def _in_render_order(query):
    """The case files of archived cases first (the files people download), newest first."""
    archived_file = (Document.kind == Kind.CASE_FILE) & (Case.state == CaseState.ARCHIVED)
    return (query.outerjoin(Case, (Case.id == Document.case_id) & (Case.tenant_id == Document.tenant_id))
            .order_by(sql_case((archived_file, 0), else_=1), Document.id.desc()))


def waiting_for_font() -> list[Document]:
    """Every document that failed because the server had no Chinese font (all townships: the
    caller opens ``all_tenants()``)."""
    return db.session.scalars(_in_render_order(select(Document).where(
        Document.status == DocumentStatus.FAILED, Document.failure == Failure.NO_CJK_FONT))).all()


def request_case_file(case: Case, actor=None) -> Document:
    """卷宗: requested when a case closes (for the director to check before archiving) and when
    it is archived (the archived version, with its archive date). Full identity: it is a legal
    document. An earlier version, once ready, is kept unchanged."""
    return request_document(Kind.CASE_FILE, tenant_id=case.tenant_id, case=case,
                            requested_by_id=getattr(actor, "user_id", None))


def retry(document: Document) -> Document:
    """A failed render is tried again (as the same version: nothing was stored)."""
    if document.status == DocumentStatus.FAILED:
        _reopen(document)
        _enqueue(document)
    return document


def reopen_waiting_for_font() -> int:
    """Once a Chinese font is installed, every document that failed for want of one is pending
    again (all townships: the caller opens ``all_tenants()``, and enqueues them in render order)."""
    documents = waiting_for_font()
    for document in documents:
        _reopen(document)
    return len(documents)


def _reopen(document: Document) -> None:
    document.status, document.error, document.failure = DocumentStatus.PENDING, "", None
    db.session.flush()


def count_waiting_for_font(tenant_id: int) -> int:
    """The township's documents that failed for want of a Chinese font (the operations view)."""
    return db.session.scalar(select(func.count(Document.id)).where(
        Document.tenant_id == tenant_id, Document.status == DocumentStatus.FAILED,
        Document.failure == Failure.NO_CJK_FONT)) or 0


# -- lookups ----------------------------------------------------------------------------------


def newest(tenant_id: int, kind: str, subject_id: int, *, ready: bool = False) -> Document | None:
    query = select(Document).where(Document.tenant_id == tenant_id, Document.kind == kind,
                                   _subject(kind, subject_id))
    if ready:
        query = query.where(Document.status == DocumentStatus.READY)
    return db.session.scalar(query.order_by(Document.version.desc()).limit(1))


def newest_case_files(tenant_id: int, case_ids) -> dict[int, Document]:
    """The newest case file of each case, by case id (any status)."""
    if not case_ids:
        return {}
    latest = (select(Document.subject_id, func.max(Document.version).label("version"))
              .where(Document.tenant_id == tenant_id, Document.kind == Kind.CASE_FILE,
                     Document.subject_id.in_(list(case_ids)))
              .group_by(Document.subject_id).subquery())
    rows = db.session.scalars(select(Document).join(latest, (Document.subject_id == latest.c.subject_id)
                                                    & (Document.version == latest.c.version))
                              .where(Document.tenant_id == tenant_id, Document.kind == Kind.CASE_FILE)).all()
    return {d.subject_id: d for d in rows}


_LOOK_IT_UP = object()


def case_file_problem(case: Case, newest_file=_LOOK_IT_UP):
    """Why the case's file cannot be archived as it stands, as far as its rendering goes: the
    newest case file failed to render. (A file still waiting for the worker does not hold up
    the archive: archiving renders the archived version anyway.) A list of cases passes each
    one's newest file, read for all of them at once."""
    if case.id is None:
        return None
    document = newest(case.tenant_id, Kind.CASE_FILE, case.id) if newest_file is _LOOK_IT_UP else newest_file
    if document is not None and document.waits_for_font:
        return _l("the case file could not be made; the administrator has been told")
    if document is not None and document.status == DocumentStatus.FAILED:
        return _l("the case file could not be rendered (%(error)s): render it again", error=document.error[:200])
    return None


# -- rendering --------------------------------------------------------------------------------


def render(document: Document, storage=None, on_progress=None, when_read=None) -> Document:
    """Render and store ``document``; a ready one is left alone (idempotent). ``when_read`` is
    called once everything the document prints is read, before the layout (a second or more):
    the job ends its transaction there, so that on SQLite, where a transaction holds the write
    lock, other workers and requests do not wait for the layout."""
    if document.status == DocumentStatus.READY:
        return document
    storage = storage or get_storage()
    if document.kind == Kind.ARCHIVE_ZIP:
        return build_archive_zip(document, storage, on_progress=on_progress)
    template, context, title = build(document)
    appendices = context.pop("appendices", None) or []
    html = render_html(template, title=title, **context)
    if when_read:
        when_read()
    pdf, pages = lay_out(html)
    if appendices:
        pdf, pages = append_pdfs(pdf, appendices)
    return _store(document, pdf, pages=pages, title=title, storage=storage)


def _store(document: Document, data: bytes, *, pages, title: str, storage) -> Document:
    key = (f"{document.tenant_id}/documents/{document.kind}/{document.subject_id or 0}/"
           f"v{document.version}-{document.id}.{document.extension}")
    storage.put(key, data)
    document.storage_key, document.sha256, document.size = key, hashlib.sha256(data).hexdigest(), len(data)
    document.pages, document.title, document.error, document.failure = pages, title or document.title, "", None
    document.status, document.rendered_at = DocumentStatus.READY, utcnow()
    db.session.flush()
    return document


def mark_failed(document: Document, error: BaseException) -> None:
    """The render failed. With no Chinese font on the server the reason is recorded apart: the
    reader is told the administrator knows, the administrator reads what to install in the log
    and on the operations view, and the document is rendered again once a font is there."""
    document.status = DocumentStatus.FAILED
    document.error = (str(error) or type(error).__name__)[:2000]
    document.failure = Failure.NO_CJK_FONT if isinstance(error, NoCJKFont) else None
    if document.failure:
        log.error("document %s (%s) not rendered: %s", document.id, document.kind, error)
    db.session.flush()


def read(document: Document, storage=None) -> bytes:
    return (storage or get_storage()).get(document.storage_key)


# -- the director's list: closed, not archived, and why ----------------------------------------


def unarchived(tenant_id: int) -> dict:
    """Every closed case not yet archived, with the parts its file lacks and its case file."""
    # Here, not at the top: what a file lacks (cases.completeness) asks this module of its renderings.
    from webapp.cases.completeness import missing_parts

    cases = db.session.scalars(select(Case).where(Case.tenant_id == tenant_id, Case.state == CaseState.CLOSED)
                               .options(selectinload(Case.parties), selectinload(Case.referrals),
                                        selectinload(Case.follow_ups), selectinload(Case.sessions),
                                        selectinload(Case.events), selectinload(Case.agreement))
                               .order_by(Case.closed_at, Case.id)).all()
    files = newest_case_files(tenant_id, [c.id for c in cases])
    archived = db.session.scalar(select(func.count(Case.id)).where(Case.tenant_id == tenant_id,
                                                                    Case.state == CaseState.ARCHIVED))
    rows = [{"case": c, "missing": missing_parts(c, newest_file=files.get(c.id)), "file": files.get(c.id)}
            for c in cases]
    return {"rows": rows, "closed": len(cases), "archived": archived,
            "ready": sum(1 for r in rows if not r["missing"])}


# -- the county's ZIP of a township's archived case files -------------------------------------


def _day_bounds(start: date, end: date):
    return (datetime.combine(start, time.min, tzinfo=BEIJING),
            datetime.combine(end + timedelta(days=1), time.min, tzinfo=BEIJING))


def archived_cases(tenant_id: int, start: date, end: date) -> list[Case]:
    """The township's cases archived on the Beijing days ``start`` to ``end``, in case-number order
    (the order of the ZIP and its manifest, as on the archive's shelves)."""
    low, high = _day_bounds(start, end)
    return db.session.scalars(select(Case).where(
        Case.tenant_id == tenant_id, Case.state == CaseState.ARCHIVED,
        Case.archived_at >= low, Case.archived_at < high).order_by(Case.year, Case.seq)).all()


def request_archive_zip(tenant, *, start: date, end: date, requested_by_id: int | None) -> Document:
    """The county asks for every archived case file of one township and period, as one ZIP."""
    return request_document(Kind.ARCHIVE_ZIP, tenant_id=tenant.id, requested_by_id=requested_by_id,
                            params={"from": start.isoformat(), "to": end.isoformat()},
                            title=f"{tenant.name} {start.isoformat()}—{end.isoformat()} 归档卷宗")


def build_archive_zip(document: Document, storage, on_progress=None) -> Document:
    """The newest ready case file of each archived case of the period; a case whose file was
    never rendered (or failed) is rendered here first, in the worker. A manifest (清单.csv)
    lists each file with its version and SHA-256."""
    start, end = date.fromisoformat(document.params["from"]), date.fromisoformat(document.params["to"])
    cases = archived_cases(document.tenant_id, start, end)
    document.total, document.progress = len(cases), 0
    db.session.flush()
    if on_progress:
        on_progress()
    buffer = io.BytesIO()
    manifest = [["案号", "案由", "归档日期", "卷宗版本", "页数", "SHA-256", "文件名"]]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for case in cases:
            case_file = newest(document.tenant_id, Kind.CASE_FILE, case.id, ready=True)
            if case_file is None:
                case_file = render(request_case_file(case), storage)
            name = f"{case.number}.pdf"
            archive.writestr(name, storage.get(case_file.storage_key))
            manifest.append([case.number, case.title, case.archived_at.astimezone(BEIJING).date().isoformat(),
                             case_file.version, case_file.pages, case_file.sha256, name])
            document.progress += 1
            db.session.flush()
            if on_progress:
                on_progress()
        archive.writestr("清单.csv", spreadsheets.csv_text(manifest))
    return _store(document, buffer.getvalue(), pages=None, title=document.title, storage=storage)
