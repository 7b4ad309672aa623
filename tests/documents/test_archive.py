"""Archiving: an incomplete file is refused with what it lacks, the director sees every
closed case that is not archived and why, and the county takes a township's archived files
as one ZIP built by the worker."""
import io
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import select

from tenants.scope import tenant_scope
from tests.cases.builders import S, Staff, case_in
from tests.documents.test_access import _ready_case_file
from webapp import timelimits
from webapp.audit import AuditEvent
from webapp.cases import operations as case_ops
from webapp.cases.models import CaseState, NextStep
from webapp.documents.models import Document, DocumentStatus
from webapp.documents.render import NoCJKFont
from worker.jobs import render_document

# Dates the test counts from today are the dates its pages count from today (``one_moment``).
pytestmark = pytest.mark.usefixtures("one_moment")


def _failed_without_session_record(staff):
    """Mediation failed with no record of a session: closed, but its file lacks a part."""
    case = case_in(S.FAILED, staff, next_step=NextStep.LITIGATION)
    case_ops.close_case(case, staff.director)
    return case


def test_the_director_sees_why_closed_cases_are_not_archived(db, tenant, staff, director):
    incomplete = _failed_without_session_record(staff)
    complete = case_in(S.CLOSED, staff)
    archived = case_in(S.ARCHIVED, staff)
    db.session.commit()

    page = director.get("/t/alpha/cases/unarchived")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert incomplete.number in html and complete.number in html and archived.number not in html
    assert "缺少调解笔录" in html
    # the counts: two closed and not archived, one of them ready; one archived
    assert "2" in html and "1" in html

    refused = director.post(f"/t/alpha/cases/{incomplete.id}/do/archive", data={"csrf_token": director.csrf})
    assert refused.status_code == 409
    assert "卷宗不完整：缺少调解笔录。" in refused.get_data(as_text=True)
    assert db.session.get(type(incomplete), incomplete.id).state == CaseState.CLOSED


def test_without_a_cjk_font_the_director_is_told_the_administrator_knows_and_the_file_follows_the_font(
        app, db, tenant, staff, director, queue, monkeypatch):
    """A server with no Chinese font (the setting names a family that is not installed): the
    renderer refuses rather than print empty boxes, the document records why, the director
    reads that the administrator has been told, the administrator reads what to install on the
    operations view, and once the font is there the file is rendered again."""
    from webapp.documents import render
    from worker.jobs import render_documents_missing_font

    monkeypatch.setitem(app.config, "PDF_CJK_FONTS", ("Tiaojie Missing Serif SC",))
    render.find_cjk_fonts.cache_clear()
    with pytest.raises(NoCJKFont, match="fonts-noto-cjk"):
        render.render_pdf("documents/agreement.html")

    case = case_in(S.CLOSED, staff)
    db.session.commit()
    document = db.session.scalar(select(Document).where(Document.case_id == case.id))
    with pytest.raises(NoCJKFont):  # raised on, for RQ to retry
        render_document(tenant.id, document.id)
    db.session.expire_all()
    assert document.status == DocumentStatus.FAILED and document.failure == "no_cjk_font"
    assert render_documents_missing_font() == 0  # still no font: nothing to do

    refused = director.post(f"/t/alpha/cases/{case.id}/do/archive", data={"csrf_token": director.csrf})
    assert refused.status_code == 409
    download = director.get(f"/t/alpha/cases/{case.id}/file.pdf")
    assert download.status_code == 503
    for page in (refused.get_data(as_text=True), director.get(f"/t/alpha/cases/{case.id}").get_data(as_text=True),
                 director.get("/t/alpha/cases/unarchived").get_data(as_text=True), download.get_data(as_text=True)):
        assert "卷宗生成失败，已通知管理员" in page and "apt-get" not in page
    operations_page = director.get("/t/alpha/deadlines/").get_data(as_text=True)
    assert "apt-get install -y fonts-noto-cjk" in operations_page

    monkeypatch.setitem(app.config, "PDF_CJK_FONTS", ())  # the font is installed
    queue.connection.flushdb()
    assert render_documents_missing_font() == 1
    db.session.expire_all()
    assert document.status == DocumentStatus.PENDING and document.failure is None
    assert queue.job_ids == [f"render-document-{document.id}"]
    assert render_documents_missing_font() == 0  # running it again adds nothing
    assert render_document(tenant.id, document.id) == "ready"
    assert "apt-get" not in director.get("/t/alpha/deadlines/").get_data(as_text=True)


def test_the_county_downloads_a_townships_archived_files_as_one_zip(db, tenant, other_tenant, login_as):
    staff = Staff(tenant)
    first, second = case_in(S.ARCHIVED, staff), case_in(S.ARCHIVED, staff)
    files = {first.number: _ready_case_file(db, first, b"%PDF first"),
             second.number: _ready_case_file(db, second, b"%PDF second")}
    not_archived = case_in(S.CLOSED, staff)
    with tenant_scope(other_tenant.id):
        theirs = case_in(S.ARCHIVED, Staff(other_tenant))
        _ready_case_file(db, theirs, b"%PDF theirs")
        theirs_number = theirs.number
    db.session.commit()
    assert login_as("township_admin").get("/county/case-files/").status_code == 403

    county = login_as("county_reviewer")
    today = timelimits.today()
    assert county.post("/county/case-files/", data={
        "csrf_token": county.csrf, "township": tenant.id, "start": today.isoformat(),
        "end": (today - timedelta(days=1)).isoformat()}).status_code == 422
    answer = county.post("/county/case-files/", data={
        "csrf_token": county.csrf, "township": tenant.id, "start": (today - timedelta(days=30)).isoformat(),
        "end": today.isoformat()}, headers={"HX-Request": "true"})
    assert answer.status_code == 202 and 'hx-trigger="every 2s"' in answer.get_data(as_text=True)
    document = db.session.scalar(select(Document).where(Document.kind == "archive_zip"))
    assert document.tenant_id == tenant.id and document.requested_by_id == county.user.id

    assert render_document(tenant.id, document.id) == "ready"
    db.session.expire_all()
    assert (document.progress, document.total) == (2, 2)
    status = county.get(f"/county/case-files/{document.id}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "hx-trigger" not in status and f"/county/case-files/{document.id}.zip" in status

    response = county.get(f"/county/case-files/{document.id}.zip")
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    names = set(archive.namelist())
    assert names == {f"{first.number}.pdf", f"{second.number}.pdf", "清单.csv"}
    assert archive.read(f"{first.number}.pdf") == b"%PDF first"
    manifest = archive.read("清单.csv").decode("utf-8-sig")
    assert files[second.number].sha256 in manifest and not_archived.number not in manifest
    assert theirs_number not in manifest
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.event == "archive_zip.download")) is not None


def test_the_zip_manifest_writes_a_formula_like_title_as_text(db, tenant, login_as):
    """A title typed as a formula (=, +, -, @) is text in 清单.csv, not a formula the reviewer's
    spreadsheet would run (webapp.spreadsheets)."""
    staff = Staff(tenant)
    titles = ['=HYPERLINK("http://evil.example","点击")', "+1+1", "-2+3", "@SUM(A1)"]
    for title in titles:
        _ready_case_file(db, case_in(S.ARCHIVED, staff, title=title), b"%PDF")
    db.session.commit()
    county = login_as("county_reviewer")
    today = timelimits.today()
    county.post("/county/case-files/", data={"csrf_token": county.csrf, "township": tenant.id,
                                             "start": (today - timedelta(days=30)).isoformat(),
                                             "end": today.isoformat()})
    document = db.session.scalar(select(Document).where(Document.kind == "archive_zip"))
    assert render_document(tenant.id, document.id) == "ready"
    archive = zipfile.ZipFile(io.BytesIO(county.get(f"/county/case-files/{document.id}.zip").get_data()))
    import csv

    rows = list(csv.reader(io.StringIO(archive.read("清单.csv").decode("utf-8-sig"))))
    assert sorted(row[1] for row in rows[1:]) == sorted("'" + title for title in titles)
