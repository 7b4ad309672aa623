"""Who may take which document, masked or not; every download audited; townships apart."""
import pytest
from sqlalchemy import select

from tests.cases.builders import S, Staff, case_in
from tests.documents import pdf
from webapp.audit import AuditEvent
from webapp.documents.models import Document, DocumentStatus
from webapp.storage import get_storage
from worker.jobs import render_document

ID_NUMBER = "53052219900101123X"


def _ready_case_file(db, case, data=b"%PDF-1.7 case file"):
    """A rendered case file without rendering: what access is about is who gets the bytes."""
    import hashlib

    document = db.session.scalar(select(Document).where(Document.case_id == case.id, Document.kind == "case_file")
                                 .order_by(Document.version.desc()))
    key = f"test/{case.id}/v{document.version}.pdf"
    get_storage().put(key, data)
    document.status, document.storage_key = DocumentStatus.READY, key
    document.sha256, document.size, document.pages = hashlib.sha256(data).hexdigest(), len(data), 1
    db.session.commit()
    return document


@pytest.mark.parametrize("role, allowed", [
    ("township_admin", True), ("clerk", True), ("mediator", False), ("officer", False), ("liaison", False),
    ("county_reviewer", False),
])
def test_the_case_file_goes_only_to_who_may_reveal_personal_data_and_is_audited(db, tenant, login_as, role, allowed):
    case = case_in(S.CLOSED, Staff(tenant))
    document = _ready_case_file(db, case)
    client = login_as(role)

    response = client.get(f"/t/alpha/cases/{case.id}/file.pdf")
    downloads = db.session.scalars(select(AuditEvent).where(AuditEvent.event == "case_file.download")).all()
    if allowed:
        assert response.status_code == 200 and response.get_data() == b"%PDF-1.7 case file"
        assert response.mimetype == "application/pdf"
        [entry] = downloads
        assert entry.user_id == client.user.id and entry.tenant_id == tenant.id
        assert entry.detail["case"] == case.number and entry.detail["document"] == document.id
    else:
        assert response.status_code == 403
        assert downloads == []


def test_no_case_file_yet_is_not_found(db, tenant, login_as):
    case = case_in(S.FOLLOW_UP, Staff(tenant))
    db.session.commit()
    assert login_as("township_admin").get(f"/t/alpha/cases/{case.id}/file.pdf").status_code == 404


def test_a_case_file_still_being_rendered_is_a_page_that_waits_for_it_and_hurries_it(db, tenant, login_as, queue):
    staff = Staff(tenant)
    first, asked = case_in(S.CLOSED, staff), case_in(S.CLOSED, staff)
    db.session.commit()
    files = {c.id: db.session.scalar(select(Document).where(Document.case_id == c.id)) for c in (first, asked)}
    assert queue.job_ids == [f"render-document-{files[first.id].id}", f"render-document-{files[asked.id].id}"]
    director = login_as("township_admin")

    waiting = director.get(f"/t/alpha/cases/{asked.id}/file.pdf")
    assert waiting.status_code == 202 and waiting.mimetype == "text/html"
    html = waiting.get_data(as_text=True)
    assert "卷宗正在生成" in html and asked.number in html
    # It reloads itself without JavaScript, and the file it waits for is rendered next.
    assert '<meta http-equiv="refresh" content="3">' in html and waiting.headers["Refresh"] == "3"
    assert queue.job_ids == [f"render-document-{files[asked.id].id}", f"render-document-{files[first.id].id}"]

    queue.connection.flushdb()  # a file whose job never reached the queue is put there, first
    director.get(f"/t/alpha/cases/{first.id}/file.pdf")
    assert queue.job_ids == [f"render-document-{files[first.id].id}"]

    _ready_case_file(db, asked)
    ready = director.get(f"/t/alpha/cases/{asked.id}/file.pdf")
    assert ready.status_code == 200 and ready.get_data() == b"%PDF-1.7 case file"


def test_a_mediator_prints_the_agreement_with_masked_numbers(db, tenant, login_as):
    mediator = login_as("mediator")
    case = case_in(S.RESOLVED, Staff(tenant, mediator=mediator.user.memberships[0]))
    db.session.commit()

    answer = mediator.post(f"/t/alpha/cases/{case.id}/documents/agreement", data={"csrf_token": mediator.csrf},
                           headers={"HX-Request": "true"})
    assert answer.status_code == 202
    document = db.session.scalar(select(Document).where(Document.case_id == case.id, Document.kind == "agreement"))
    assert document.masked and document.status == DocumentStatus.PENDING
    assert f'hx-get="/t/alpha/cases/{case.id}/documents/{document.id}"' in answer.get_data(as_text=True)
    render_document(tenant.id, document.id)

    response = mediator.get(f"/t/alpha/cases/{case.id}/documents/{document.id}.pdf")
    assert response.status_code == 200
    content = pdf.text(response.get_data())
    assert "人民调解协议书" in content and "张三" in content and case.number in content
    assert ID_NUMBER not in content and "13812345678" not in content
    assert "5305**********123X" in content
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.event == "document.download")) is not None


def test_a_document_with_full_identity_is_not_for_a_mediator(db, tenant, login_as):
    case = case_in(S.RESOLVED, Staff(tenant))
    director = login_as("township_admin")
    director.post(f"/t/alpha/cases/{case.id}/documents/intake-form", data={"csrf_token": director.csrf})
    document = db.session.scalar(select(Document).where(Document.case_id == case.id, Document.kind == "intake_form"))
    assert not document.masked
    mediator = login_as("mediator")
    assert mediator.get(f"/t/alpha/cases/{case.id}/documents/{document.id}.pdf").status_code == 403
    # the status itself is no secret
    assert mediator.get(f"/t/alpha/cases/{case.id}/documents/{document.id}").status_code == 200


def test_another_townships_case_file_is_not_found(db, tenant, other_tenant, login_as):
    from tenants.scope import tenant_scope

    with tenant_scope(other_tenant.id):
        theirs = case_in(S.CLOSED, Staff(other_tenant))
        _ready_case_file(db, theirs)
        theirs_id = theirs.id
    director = login_as("township_admin")
    assert director.get(f"/t/alpha/cases/{theirs_id}/file.pdf").status_code == 404
    assert director.get(f"/t/beta/cases/{theirs_id}/file.pdf").status_code == 404
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.event == "case_file.download")).all() == []


def test_closing_a_case_on_its_page_brings_the_case_file_block_that_polls_until_ready(db, tenant, login_as):
    """The case page's answer in place (HTMX) carries the documents block out of band once the
    case is closed: the case file being made appears without a reload and asks again until it
    is ready; a ready one asks no more."""
    director = login_as("township_admin")
    case = case_in(S.FAILED, Staff(tenant, director=director.user.memberships[0]))
    db.session.commit()
    answer = director.post(f"/t/alpha/cases/{case.id}/do/close", headers={"HX-Request": "true"},
                           data={"csrf_token": director.csrf, "version": case.version})
    assert answer.status_code == 200, answer.get_data(as_text=True)[:3000]
    page = answer.get_data(as_text=True)
    document = db.session.scalar(select(Document).where(Document.case_id == case.id, Document.kind == "case_file"))
    assert f'id="case-{case.id}-documents" hx-swap-oob="true"' in page
    assert f'id="document-{document.id}"' in page and 'hx-trigger="every 2s"' in page

    _ready_case_file(db, case)
    status = director.get(f"/t/alpha/cases/{case.id}/documents/{document.id}", headers={"HX-Request": "true"})
    assert f'id="document-{document.id}"' in status.get_data(as_text=True)
    assert "hx-trigger" not in status.get_data(as_text=True)
