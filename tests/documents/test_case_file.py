"""The case file (卷宗): rendered by the worker when a case closes, as a PDF/A in Chinese with
every font embedded, stored with its SHA-256, and never changed once ready."""
import hashlib
import re

import pytest
from sqlalchemy import select, text as sql

from tests.cases.builders import S, case_in, record_visit
from tests.documents import pdf
from tests.documents.conftest import add_party, pdf_bytes, png_bytes
from webapp.cases import operations as case_ops
from webapp.cases.models import PartyRole
from webapp.documents.models import Document, DocumentIsFinal, DocumentStatus
from webapp.storage import get_storage
from worker.jobs import render_document

ID_NUMBER = "53052219900101123X"  # the applicant's, from tests.factories.case


def _ready_to_close(staff):
    case = case_in(S.FOLLOW_UP, staff)
    add_party(case, staff.director, name="李四", role=PartyRole.RESPONDENT, phone="13987654321",
              id_number="530522198505052345", address="芒棒镇赵营村三组15号")
    while any(f.done_at is None for f in case.follow_ups):
        record_visit(case, staff.mediator)
    case_ops.add_attachment(case, staff.director, filename="现场照片.png", content_type="image/png",
                            data=png_bytes(), storage=get_storage())
    case_ops.add_attachment(case, staff.director, filename="收条扫描件.pdf", content_type="application/pdf",
                            data=pdf_bytes(pages=2), storage=get_storage())
    return case


def _case_files(db, case):
    return db.session.scalars(select(Document).where(Document.case_id == case.id, Document.kind == "case_file")
                              .order_by(Document.version)).all()


def test_closing_a_case_renders_its_file_through_the_worker(db, tenant, staff, director, queue):
    case = _ready_to_close(staff)
    db.session.commit()

    response = director.post(f"/t/alpha/cases/{case.id}/do/close", data={"csrf_token": director.csrf, "note": "回访完毕，予以结案。"})
    assert response.status_code == 302
    [document] = _case_files(db, case)
    assert document.status == DocumentStatus.PENDING and not document.masked
    # Enqueued once the closing committed; the page rendered nothing itself.
    assert f"render-document-{document.id}" in queue.job_ids

    assert render_document(tenant.id, document.id) == "ready"
    db.session.expire_all()
    data = get_storage().get(document.storage_key)
    assert document.sha256 == hashlib.sha256(data).hexdigest() and document.size == len(data)
    assert data.startswith(b"%PDF-")

    content = pdf.text(data)
    assert case.number in content
    for name in ("张三", "李四"):
        assert name in content
    # A legal document: the parties' full identity, decrypted.
    assert ID_NUMBER in content
    for title in ("卷内目录", "人民调解受理登记表", "当事人权利义务告知书", "纠纷研判", "调查及调解记录",
                  "人民调解协议书", "分流记录", "回访记录", "办理过程记录", "附件", "结案说明"):
        assert title in content, title
    assert "回访完毕，予以结案。" in content
    # The running header and the page footer.
    assert tenant.name in content
    rendered = document.pages - 2  # the attached two-page scan is appended after the rendered pages
    assert f"第 1 页 共 {rendered} 页" in content
    assert f"第 {rendered} 页 共 {rendered} 页" in content
    assert len(pdf.reader(data).pages) == document.pages

    fonts = pdf.fonts(data)
    assert fonts and all(fonts.values()), fonts
    assert any("CJK" in name for name in fonts)
    metadata = pdf.xmp(data)
    assert re.search(r'pdfaid:part="3"', metadata) and re.search(r'pdfaid:conformance="U"', metadata)

    # Running the job again changes nothing.
    rendered_at = document.rendered_at
    assert render_document(tenant.id, document.id) == "ready"
    db.session.expire_all()
    assert document.rendered_at == rendered_at and len(_case_files(db, case)) == 1


def test_rendering_again_makes_a_new_version_and_keeps_the_first(db, tenant, staff, director):
    case = case_in(S.CLOSED, staff)
    db.session.commit()
    [first] = _case_files(db, case)
    render_document(tenant.id, first.id)
    db.session.expire_all()
    first_bytes, first_sha = get_storage().get(first.storage_key), first.sha256

    answer = director.post(f"/t/alpha/cases/{case.id}/documents/case-file", data={"csrf_token": director.csrf},
                           headers={"HX-Request": "true"})
    assert answer.status_code == 202
    assert 'hx-trigger="every 2s"' in answer.get_data(as_text=True)
    first_again, second = _case_files(db, case)
    assert (first_again.id, second.version, second.status) == (first.id, 2, DocumentStatus.PENDING)
    render_document(tenant.id, second.id)
    db.session.expire_all()

    assert second.status == DocumentStatus.READY and second.storage_key != first.storage_key
    assert get_storage().get(first.storage_key) == first_bytes
    assert hashlib.sha256(first_bytes).hexdigest() == first_sha == first.sha256
    # The polling partial has stopped asking and offers the download.
    status = director.get(f"/t/alpha/cases/{case.id}/documents/{second.id}", headers={"HX-Request": "true"})
    body = status.get_data(as_text=True)
    assert "hx-trigger" not in body and f"/documents/{second.id}.pdf" in body
    # The newest ready one is the case file.
    assert director.get(f"/t/alpha/cases/{case.id}/file.pdf").get_data() == get_storage().get(second.storage_key)


def test_a_ready_document_is_final_in_the_code_and_in_the_database(db, tenant, staff):
    case = case_in(S.CLOSED, staff)
    [document] = _case_files(db, case)
    get_storage().put("x/final.pdf", b"%PDF-1.7")
    document.status, document.storage_key, document.sha256, document.size = DocumentStatus.READY, "x/final.pdf", "0" * 64, 8
    db.session.commit()
    document_id = document.id

    document.sha256 = "1" * 64
    with pytest.raises(DocumentIsFinal):
        db.session.flush()
    db.session.rollback()
    for statement in ("UPDATE documents SET sha256 = 'forged' WHERE id = :id", "DELETE FROM documents WHERE id = :id"):
        with pytest.raises(Exception, match="never changes"):
            with db.session.begin_nested():
                db.session.execute(sql(statement), {"id": document_id})
    assert db.session.get(Document, document_id).sha256 == "0" * 64


def test_a_file_whose_job_never_reached_the_queue_is_rendered_all_the_same(db, tenant, staff, queue):
    # The case closed while Redis was down (or before it started, as the demo is seeded): the
    # file was requested, its job lost. The scheduler's catch-up finds it in the database.
    from datetime import timedelta

    from webapp.types import clock_at, utcnow
    from worker.jobs import render_waiting_documents

    case = _ready_to_close(staff)
    with clock_at(utcnow() - timedelta(minutes=10)):
        case_ops.close_case(case, staff.director)
        db.session.commit()
    queue.connection.flushdb()  # the job never made it
    fresh = case_in(S.FOLLOW_UP, staff)
    while any(f.done_at is None for f in fresh.follow_ups):
        record_visit(fresh, staff.mediator)
    case_ops.close_case(fresh, staff.director)
    db.session.commit()
    queue.connection.flushdb()
    [lost], [just_asked] = _case_files(db, case), _case_files(db, fresh)

    assert render_waiting_documents() == 1
    assert queue.job_ids == [f"render-document-{lost.id}"]  # a request of a moment ago may be on its way
    assert render_waiting_documents() == 1 and queue.count == 1  # a job still waiting is not added twice
    assert render_document(tenant.id, lost.id) == "ready"
    queue.connection.flushdb()
    assert render_waiting_documents() == 0
    assert just_asked.status == DocumentStatus.PENDING


def test_when_the_worker_starts_every_waiting_file_is_queued_the_archived_ones_first(db, tenant, staff, queue):
    # `make run` seeds the demo before Redis starts: no job reached the queue, and the files
    # people download (the archived cases') should not wait for the periodic catch-up.
    from worker.jobs import render_documents_at_start, render_waiting_documents

    closed, archived = case_in(S.CLOSED, staff), case_in(S.ARCHIVED, staff)
    db.session.commit()
    queue.connection.flushdb()
    [closed_file], [archived_file] = _case_files(db, closed), _case_files(db, archived)

    assert render_waiting_documents() == 0  # the periodic catch-up leaves a request of a moment ago
    assert render_documents_at_start() == 2
    assert queue.job_ids == [f"render-document-{archived_file.id}", f"render-document-{closed_file.id}"]
    assert render_documents_at_start() == 2 and queue.count == 2  # a job still waiting is not added twice
