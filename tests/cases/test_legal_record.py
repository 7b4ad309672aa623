"""The legal record: a closed case accepts only what closing allows (reopening), an archived
case nothing but reading and new printed versions of its file.

A walk over every write route of a case: each is tried on a case being mediated (where it
must work, so the walk cannot pass on a form that never validates), then on a closed and an
archived case, where it must be refused (409) and write nothing.
"""
import io
import struct
import zlib

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.cases.builders import Staff, case_in
from webapp.cases.models import Attachment, Case, CaseEvent, CaseState, MediationSession, Party
from webapp.villages.models import CaseLink


def _png() -> bytes:
    """A real one-pixel PNG."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = zlib.compress(b"\x00\xff\xff\xff")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)) + \
        chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def _payloads(case, tenant):
    party = case.parties[0] if case.parties else None
    project = factories.relocation_project(tenant, name=f"安置点{case.id}")
    return {
        "cases.edit": ("edit", {"title": "改过的标题", "source": "visit", "level": "village", "narrative": "改"}),
        "cases.add_party": ("parties", {"name": "王五", "role": "respondent"}),
        "cases.edit_party": (f"parties/{party.id}", {"name": "改名", "role": "applicant"}),
        "cases.add_session": ("sessions", {"held_on": "2026-12-01", "place": "村委会", "participants": "双方",
                                           "notes": "调解记录"}),
        "cases.add_attachment": ("attachments", {"file": (io.BytesIO(_png()), "现场.png")}),
        "deadlines.pause": ("clock/pause", {"reason": "等待鉴定"}),
        "villages.case_links": (None, {"project": str(project.id)}),
    }


# Write routes of a case that the walk leaves to other tests, and why.
ELSEWHERE = {
    "cases.transition": "transitions: the state machine decides (tests/cases/test_workflow.py)",
    "board.transition": "transitions: the state machine decides (tests/board/test_moves.py)",
    "board.move": "transitions: the state machine decides (tests/board/test_moves.py)",
    "cases.reveal": "reading a party's personal data, audited: allowed on any case",
    "documents.request_case_file": "a new printed version of the file: allowed on any case",
    "documents.request_single": "a new printed version of a document: allowed on any case",
    "deadlines.resume": "needs a paused clock, which only a running case has",
}


def _url(endpoint, path, case, tenant):
    if endpoint == "villages.case_links":
        return f"/t/{tenant.slug}/villages/case-links/{case.id}"
    return f"/t/{tenant.slug}/cases/{case.id}/{path}"


def _written(db, case_id):
    counts = tuple(db.session.scalar(select(func.count()).select_from(model).where(model.case_id == case_id))
                   for model in (CaseEvent, Party, MediationSession, Attachment, CaseLink))
    case = db.session.get(Case, case_id)
    return counts + (case.title, case.narrative, case.paused_since, tuple(p.name for p in case.parties))


def test_every_write_route_of_a_case_is_in_the_walk(app):
    routes = {rule.endpoint for rule in app.url_map.iter_rules()
              if "case_id" in rule.arguments and rule.methods & {"POST", "PUT", "PATCH", "DELETE"}}
    walked = {"cases.edit", "cases.add_party", "cases.edit_party", "cases.add_session", "cases.add_attachment",
              "deadlines.pause", "villages.case_links"}
    assert routes == walked | set(ELSEWHERE)


@pytest.mark.parametrize("endpoint", ["cases.edit", "cases.add_party", "cases.edit_party", "cases.add_session",
                                      "cases.add_attachment", "deadlines.pause", "villages.case_links"])
def test_a_closed_or_archived_case_refuses_every_edit(db, tenant, login_as, storage_dir, endpoint):
    director = login_as("township_admin")
    staff = Staff(tenant, director=director.user.memberships[0])
    cases = {state: case_in(state, staff)
             for state in (CaseState.MEDIATING, CaseState.CLOSED, CaseState.ARCHIVED)}
    for state, case in cases.items():
        path, data = _payloads(case, tenant)[endpoint]
        before = _written(db, case.id)
        response = director.post(_url(endpoint, path, case, tenant), data={**data, "csrf_token": director.csrf},
                                 content_type="multipart/form-data")
        after = _written(db, case.id)
        if state == CaseState.MEDIATING:
            assert response.status_code in (200, 302, 303), (endpoint, response.status_code)
            assert after != before, f"{endpoint} changed nothing on an open case: the walk would prove nothing"
        else:
            assert response.status_code in (409, 422), (endpoint, state, response.status_code)
            assert after == before, (endpoint, state)
            page = response.get_data(as_text=True)
            assert ("已归档" in page or "已结案" in page or "归档" in page), page[:500]
    if storage_dir.exists():  # nothing stored for a refused upload
        stored = [p for p in storage_dir.rglob("*") if p.is_file()]
        assert len(stored) <= 1
