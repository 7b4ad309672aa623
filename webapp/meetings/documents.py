"""The pack and the minutes as PDF: two document kinds of ``webapp.documents``, rendered by the
worker (``worker.jobs.render_document``), never inside a web request. Like every document the
product prints, their text is Chinese whatever the reader's interface language."""
from sqlalchemy import select

from tenants.models import Tenant
from webapp.documents.builders import local, register
from webapp.documents.models import Document
from webapp.extensions import db
from webapp.meetings import pack
from webapp.meetings.models import Meeting

PACK, MINUTES = "meeting_pack", "meeting_minutes"
KINDS = (PACK, MINUTES)


def latest(meeting: Meeting) -> dict:
    """{kind: the newest Document of that kind about this meeting}."""
    rows = db.session.scalars(select(Document).where(
        Document.tenant_id == meeting.tenant_id, Document.kind.in_(KINDS), Document.subject_id == meeting.id)
        .order_by(Document.version)).all()
    return {d.kind: d for d in rows}


def _meeting(document: Document) -> Meeting:
    meeting = db.session.scalar(select(Meeting).where(Meeting.id == document.subject_id,
                                                      Meeting.tenant_id == document.tenant_id))
    if meeting is None:
        raise LookupError(f"document {document.id}: meeting {document.subject_id} not found in its township")
    return meeting


def _common(meeting: Meeting, document: Document) -> dict:
    return {"township": db.session.get(Tenant, meeting.tenant_id).name, "local": local,
            "printed_on": local(document.created_at), "version": document.version}


@register(PACK)
def meeting_pack(document: Document):
    """会议材料: the half-year's figures, the disputes to discuss, the flags raised."""
    meeting = _meeting(document)
    context = pack.prepare_pack(meeting)
    context.update(_common(meeting, document))
    return "meetings/pack_pdf.html", context, f"{meeting.title} 会议材料"


@register(MINUTES)
def meeting_minutes(document: Document):
    """会议纪要: attendance, decisions and the actions they took on cases."""
    meeting = _meeting(document)
    context = pack.minutes_context(meeting)
    context.update(_common(meeting, document))
    return "meetings/minutes_pdf.html", context, f"{meeting.title} 会议纪要"
