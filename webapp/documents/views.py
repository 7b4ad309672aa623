"""Pages and downloads of documents. Requests create a pending document and return its status
partial, which polls itself until the worker has rendered it; nothing renders in a request.
Each view is load → check → operate → render, and commits once."""
from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from tenants.models import Tenant
from tenants.scope import tenant_scope
from webapp import audit, downloads
from webapp.cases.access import get_case_or_404
from webapp.cases.models import CaseState
from webapp.county.access import resolve_county_member
from webapp.documents import bp, county_bp, operations
from webapp.documents.forms import ArchiveZipForm
from webapp.documents.models import Document, DocumentStatus, Kind
from webapp.extensions import db, htmx
from webapp.labels import register
from webapp.permissions import can, require
from webapp.submissions import once_per_form

# What a downloaded case document is called (its own title, in Chinese like the document).
FILE_TITLES = {Kind.CASE_FILE: "卷宗", Kind.AGREEMENT: "调解协议书", Kind.INTAKE_FORM: "受理登记表"}

# Single documents printed on demand, by the name in their address.
SINGLE = {"agreement": Kind.AGREEMENT, "intake-form": Kind.INTAKE_FORM}

KIND_LABELS = register("document_kind", {
    Kind.CASE_FILE: _l("Case file"),
    Kind.AGREEMENT: _l("Mediation agreement"),
    Kind.INTAKE_FORM: _l("Intake registration form"),
    Kind.ARCHIVE_ZIP: _l("Archived case files (ZIP)"),
})


def document_label(document: Document) -> str:
    return KIND_LABELS.get(document.kind) or document.title or document.kind


def document_urls(document: Document) -> dict:
    """Where a document's status and bytes are, and whether the current user may take them."""
    if document.kind == Kind.ARCHIVE_ZIP:
        return {"status": url_for("documents_county.county_status", document_id=document.id),
                "download": url_for("documents_county.county_download", document_id=document.id),
                "may_download": can("case_files.export")}
    return {"status": url_for("documents.status", case_id=document.case_id, document_id=document.id),
            "download": url_for("documents.download", case_id=document.case_id, document_id=document.id),
            "may_download": document.masked or can("personal_data.reveal")}


@bp.app_template_global()
def case_documents(case) -> dict:
    """What the case page's documents block shows: the newest case file, if any."""
    return {"case_file": operations.newest(case.tenant_id, Kind.CASE_FILE, case.id)}


@bp.app_context_processor
def _helpers():
    return {"document_label": document_label, "document_urls": document_urls}


def _status_answer(document: Document, status: int = 200):
    """The status partial for HTMX; without JavaScript, the document's own page, which
    refreshes itself while the document is being prepared."""
    if htmx and not htmx.boosted:
        return render_template("documents/_status.html", document=document), status
    if request.method == "POST":
        return redirect(url_for("documents.status", case_id=document.case_id, document_id=document.id), 303)
    headers = {"Refresh": "3"} if document.pending else {}
    return render_template("documents/status.html", document=document), status, headers


def _refused(case, message):
    if htmx and not htmx.boosted:
        return render_template("documents/_refused.html", message=message), 409
    flash(message, "error")
    return redirect(url_for("cases.show", case_id=case.id), 303)


def _send(document: Document, name: str, fallback: str):
    mimetype = "application/zip" if document.kind == Kind.ARCHIVE_ZIP else "application/pdf"
    return downloads.send(operations.read(document), mimetype, name, fallback=fallback, etag=document.sha256)


def _case_document_name(case, document: Document) -> tuple[str, str]:
    """``芒棒〔2026〕第0049号-调解协议书-第1版.pdf``, and ``2026-0049-agreement-v1.pdf`` for old clients."""
    title = FILE_TITLES.get(document.kind) or document.title or document.kind
    return (f"{case.number}-{title}-第{document.version}版.pdf",
            f"{case.year}-{case.seq:04d}-{document.kind.replace('_', '-')}-v{document.version}.pdf")


def _case_document_or_404(case, document_id: int) -> Document:
    document = db.session.scalar(select(Document).where(
        Document.id == document_id, Document.case_id == case.id, Document.tenant_id == g.tenant.id))
    if document is None:
        abort(404)
    return document


# -- the case file ----------------------------------------------------------------------------


# Seconds between the reloads of a page waiting for a document.
REFRESH = 3


@bp.get("/<int:case_id>/file.pdf")
@require("personal_data.reveal")
def case_file(case_id: int):
    """The newest ready case file. It carries the parties' full identity, so only roles that
    may reveal personal data download it, and every download is audited. While the only file
    is still being rendered, a page says so and reloads itself until the download starts, and
    the file goes to the front of the queue: someone is waiting for it."""
    case = get_case_or_404(case_id)
    document = operations.newest(g.tenant.id, Kind.CASE_FILE, case.id, ready=True)
    if document is None:
        waiting = operations.newest(g.tenant.id, Kind.CASE_FILE, case.id)
        if waiting is None:
            abort(404)
        if waiting.pending:
            operations.hurry(waiting)
        page = render_template("documents/case_file_pending.html", case=case, document=waiting, refresh=REFRESH)
        if waiting.pending:
            return page, 202, {"Refresh": str(REFRESH), "Retry-After": str(REFRESH)}
        return page, 503
    audit.record("case_file.download", user=current_user, tenant=g.tenant,
                 detail={"case": case.number, "document": document.id, "version": document.version,
                         "sha256": document.sha256})
    db.session.commit()
    return _send(document, *_case_document_name(case, document))


@bp.post("/<int:case_id>/documents/case-file")
@require("case_files.render")
@once_per_form
def request_case_file(case_id: int):
    """The director renders the case file again: a failed one is retried, otherwise a new
    version is made and the earlier ones are kept."""
    case = get_case_or_404(case_id)
    if case.state not in (CaseState.CLOSED, CaseState.ARCHIVED):
        return _refused(case, _("A case file is made once the case is closed."))
    latest = operations.newest(g.tenant.id, Kind.CASE_FILE, case.id)
    if latest is not None and latest.status == DocumentStatus.FAILED:
        document = operations.retry(latest)
    else:
        document = operations.request_case_file(case, g.membership)
    db.session.commit()
    return _status_answer(document, 202)


# -- single documents on demand ---------------------------------------------------------------


@bp.post("/<int:case_id>/documents/<kind>")
@require("documents.print")
@once_per_form
def request_single(case_id: int, kind: str):
    """The agreement or the intake form alone, for printing and signing. Roles that may reveal
    personal data get full identity; for everyone else the numbers are masked."""
    case = get_case_or_404(case_id)
    if kind not in SINGLE:
        abort(404)
    if SINGLE[kind] == Kind.AGREEMENT and case.agreement is None:
        return _refused(case, _("This case has no agreement yet."))
    document = operations.request_document(SINGLE[kind], tenant_id=g.tenant.id, case=case,
                                           masked=not can("personal_data.reveal"),
                                           requested_by_id=g.membership.user_id)
    db.session.commit()
    return _status_answer(document, 202)


@bp.get("/<int:case_id>/documents/<int:document_id>")
@require("case.view")
def status(case_id: int, document_id: int):
    case = get_case_or_404(case_id)
    document = _case_document_or_404(case, document_id)
    return _status_answer(document)


@bp.get("/<int:case_id>/documents/<int:document_id>.pdf")
@require("case.view")
def download(case_id: int, document_id: int):
    case = get_case_or_404(case_id)
    document = _case_document_or_404(case, document_id)
    if not document.masked and not can("personal_data.reveal"):
        abort(403)
    if not document.ready:
        abort(404)
    audit.record("document.download", user=current_user, tenant=g.tenant,
                 detail={"case": case.number, "document": document.id, "kind": document.kind,
                         "version": document.version, "masked": document.masked})
    db.session.commit()
    return _send(document, *_case_document_name(case, document))


# -- closed but not archived: the director's list -----------------------------------------------


@bp.get("/unarchived")
@require("case_files.review")
def unarchived():
    return render_template("documents/unarchived.html", **operations.unarchived(g.tenant.id))


# -- the county: a ZIP of a township's archived case files ----------------------------------------


county_bp.before_request(resolve_county_member)


def _county_page(form, status=200):
    ids = [t.id for t in g.county.townships]
    documents = db.session.scalars(select(Document).where(
        Document.kind == Kind.ARCHIVE_ZIP, Document.tenant_id.in_(ids))
        .order_by(Document.id.desc()).limit(30)).all()
    headers = {"Refresh": "3"} if any(d.pending for d in documents) and status == 200 else {}
    return render_template("documents/county.html", form=form, documents=documents,
                           names={t.id: t.name for t in g.county.townships}), status, headers


def _county_document_or_404(document_id: int) -> Document:
    ids = [t.id for t in g.county.townships]
    document = db.session.scalar(select(Document).where(
        Document.id == document_id, Document.kind == Kind.ARCHIVE_ZIP, Document.tenant_id.in_(ids)))
    if document is None:
        abort(404)
    return document


@county_bp.get("/")
@require("case_files.export")
def county_index():
    return _county_page(ArchiveZipForm().setup(g.county.townships))


@county_bp.post("/")
@require("case_files.export")
@once_per_form
def county_request():
    form = ArchiveZipForm().setup(g.county.townships)
    if not form.validate_on_submit():
        return _county_page(form, 422)
    township = db.session.get(Tenant, form.township.data)
    with tenant_scope(township.id):
        document = operations.request_archive_zip(township, start=form.start.data, end=form.end.data,
                                                  requested_by_id=current_user.id)
        db.session.commit()
        flash(_("The ZIP is being prepared; this page shows when it is ready."), "success")
        if htmx:
            return render_template("documents/_status.html", document=document), 202
    return redirect(url_for("documents_county.county_index"), 303)


@county_bp.get("/<int:document_id>")
@require("case_files.export")
def county_status(document_id: int):
    document = _county_document_or_404(document_id)
    if htmx:
        return render_template("documents/_status.html", document=document)
    return redirect(url_for("documents_county.county_index"))


@county_bp.get("/<int:document_id>.zip")
@require("case_files.export")
def county_download(document_id: int):
    document = _county_document_or_404(document_id)
    if not document.ready:
        abort(404)
    audit.record("archive_zip.download", user=current_user, tenant=db.session.get(Tenant, document.tenant_id),
                 detail={"document": document.id, "params": document.params, "sha256": document.sha256})
    db.session.commit()
    return _send(document, f"{document.title or '归档卷宗'}.zip".replace(" ", "_"),
                 f"case-files-{document.params['from']}-{document.params['to']}.zip")
