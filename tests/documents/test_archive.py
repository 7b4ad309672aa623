"""Archiving: an incomplete file is refused with what it lacks, the director sees every
closed case that is not archived and why, and the county takes a township's archived files
as one ZIP built by the worker."""
import io
import zipfile
from datetime import timedelta

import pytest
import weasyprint  # noqa: F401  loaded (and its fontconfig set up) before a test hides the fonts
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


def test_without_a_cjk_font_the_renderer_refuses_and_the_archive_waits(db, tenant, staff, director, tmp_path,
                                                                       monkeypatch):
    """fontconfig pointed at an empty font directory: the document fails with a message naming
    the package to install, and the case is not archived on a file that cannot be printed."""
    from webapp.documents import render

    (tmp_path / "fonts").mkdir()
    conf = tmp_path / "fonts.conf"
    conf.write_text(f'<?xml version="1.0"?><fontconfig><dir>{tmp_path / "fonts"}</dir>'
                    f'<cachedir>{tmp_path / "cache"}</cachedir></fontconfig>')
    monkeypatch.setenv("FONTCONFIG_FILE", str(conf))
    render.find_cjk_fonts.cache_clear()
    try:
        try:
            render.render_pdf("documents/agreement.html")
        except NoCJKFont as error:
            assert "fonts-noto-cjk" in str(error) and "中文字体" in str(error)
        else:
            raise AssertionError("rendered without a CJK font")

        case = case_in(S.CLOSED, staff)
        db.session.commit()
        document = db.session.scalar(select(Document).where(Document.case_id == case.id))
        with pytest.raises(NoCJKFont):  # raised on, for RQ to retry once the font is there
            render_document(tenant.id, document.id)
        db.session.expire_all()
        assert document.status == DocumentStatus.FAILED and "fonts-noto-cjk" in document.error
    finally:
        monkeypatch.delenv("FONTCONFIG_FILE")
        render.find_cjk_fonts.cache_clear()

    refused = director.post(f"/t/alpha/cases/{case.id}/do/archive", data={"csrf_token": director.csrf})
    assert refused.status_code == 409 and "fonts-noto-cjk" in refused.get_data(as_text=True)
    assert "fonts-noto-cjk" in director.get(f"/t/alpha/cases/{case.id}").get_data(as_text=True)


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
