"""The registry of document kinds: what each kind prints, from which template.

A builder takes the ``Document`` and returns ``(template_name, context, title)``; the
renderer lays the template out as a PDF/A. A context may carry ``appendices``: PDF bytes
appended after the rendered pages (the case file's attached scans). Other packages add
their kinds the same way::

    from webapp.documents.builders import register

    @register("meeting_minutes")
    def meeting_minutes(document):
        meeting = ...  # load by document.subject_id, inside the document's township
        return "meetings/minutes_pdf.html", {"title": ..., "meeting": meeting}, "…纪要"

The template extends ``documents/_page.html`` (the page, the fonts, the running header from
``township`` and ``number`` or ``title``, the footer 第 X 页 共 Y 页).

The PDFs are Chinese legal documents: their text is Chinese whatever the reader's interface
language, so the templates are written in Chinese rather than translated.
"""
import base64
from datetime import datetime

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tenants.models import Tenant
from webapp.cases.models import Case, CaseState, PartyRole
from webapp.cases.workflow import TRANSITIONS
from webapp.documents.models import Document, Kind
from webapp.extensions import db
from webapp.labels import event_label, label
from webapp.personal_data import MASKS
from webapp.storage import get_storage
from webapp.timelimits import BEIJING

BUILDERS: dict = {}


def register(kind: str):
    """Register the builder of ``kind`` (one builder per kind)."""

    def decorator(builder):
        if kind in BUILDERS and BUILDERS[kind] is not builder:
            raise ValueError(f"document kind {kind!r} is registered already")
        BUILDERS[kind] = builder
        return builder

    return decorator


def build(document: Document):
    try:
        builder = BUILDERS[document.kind]
    except KeyError:
        raise LookupError(f"no builder registered for document kind {document.kind!r}") from None
    return builder(document)


# -- shared pieces of the case documents -----------------------------------------------------


def local(value, fmt="%Y年%m月%d日") -> Markup | str:
    """A day (or moment) in Beijing, in a span that never breaks at the end of a line; "" for none."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(BEIJING)
    return Markup('<span class="date">{}</span>').format(value.strftime(fmt))


def _load_case(document: Document) -> Case:
    case = db.session.scalar(select(Case).where(Case.id == document.case_id, Case.tenant_id == document.tenant_id)
                             .options(selectinload(Case.parties), selectinload(Case.events),
                                      selectinload(Case.referrals), selectinload(Case.sessions),
                                      selectinload(Case.follow_ups), selectinload(Case.attachments)))
    if case is None:
        raise LookupError(f"document {document.id}: case {document.case_id} not found in its township")
    return case


def _parties(case: Case, masked: bool) -> list[dict]:
    rows = []
    for party in case.parties:
        row = {"name": party.name, "role": str(label("party_role", party.role)), "role_code": party.role.value}
        for field in ("id_number", "phone", "address"):
            value = getattr(party, field) or ""
            row[field] = MASKS[field](value) if masked else value
        rows.append(row)
    return rows


def _event_note(case: Case, transition: str) -> str:
    for event in reversed(case.events):
        if event.kind == "transition" and (event.data or {}).get("transition") == transition:
            return event.note
    return ""


def _event_text(event) -> str:
    if event.kind == "transition":
        name = (event.data or {}).get("transition")
        action = TRANSITIONS[name].label if name in TRANSITIONS else ""
        return f"{action}：{label('state', event.from_state)} → {label('state', event.to_state)}"
    text = str(event_label(event.kind))
    data = event.data or {}
    for key in ("name", "filename", "department"):
        if data.get(key):
            text += f"：{data[key]}"
    if event.kind == "edited" and data.get("changes"):
        text += "（" + "、".join(data["changes"]) + "）"
    return text


def case_context(document: Document) -> dict:
    """Everything the case documents print about a case, identity full or masked as the
    document says."""
    case = _load_case(document)
    tenant = db.session.get(Tenant, case.tenant_id)
    applicants = [p.name for p in case.parties if p.role == PartyRole.APPLICANT]
    respondents = [p.name for p in case.parties if p.role == PartyRole.RESPONDENT]
    context = {
        "township": tenant.name,
        "number": case.number,
        "case": case,
        "masked": document.masked,
        "version": document.version,
        "parties": _parties(case, document.masked),
        "party_names": "、".join(p.name for p in case.parties),
        "applicants": "、".join(applicants), "respondents": "、".join(respondents),
        "category": case.category.name if case.category else "",
        "village": (case.village.name if case.village else "") + (case.group.name if case.group else ""),
        "source": str(label("source", case.source)),
        "level": str(label("level", case.level)),
        "state": str(label("state", case.state)),
        "difficulty": str(label("difficulty", case.difficulty)) if case.difficulty else "",
        "risk": str(label("risk", case.risk)) if case.risk else "",
        "tags": [f"{label('tag_kind', t.kind)}：{t.label}" for t in case.tags],
        "handler": case.assignee.name if case.assignee else "",
        "registered_by": case.created_by.name if case.created_by else "",
        "assessment_note": _event_note(case, "assess"),
        "closing_note": _event_note(case, "close"),
        "next_step": str(label("next_step", case.next_step)) if case.next_step else "",
        "escalated_to": str(label("target", case.escalated_to)) if case.escalated_to else "",
        "local": local,
        "event_text": _event_text,
        "printed_on": local(document.created_at),
    }
    context["c"] = context  # the section macros (documents/_sections.html) take the whole context
    return context


def _attachments(case: Case):
    """Photos as data URIs to embed, PDF scans as bytes to append, the rest listed by name."""

    storage, images, pdfs, others = get_storage(), [], [], []
    for attachment in case.attachments:
        if attachment.content_type in ("image/jpeg", "image/png", "image/webp"):
            data = storage.get(attachment.storage_key)
            uri = f"data:{attachment.content_type};base64," + base64.b64encode(data).decode()
            images.append({"attachment": attachment, "uri": uri})
        elif attachment.content_type == "application/pdf":
            pdfs.append({"attachment": attachment, "data": storage.get(attachment.storage_key)})
        else:  # HEIC: no renderer embeds it; the file is listed and kept with the case
            others.append({"attachment": attachment})
    return images, pdfs, others


# -- the kinds of this package ----------------------------------------------------------------


@register(Kind.CASE_FILE)
def case_file(document: Document):
    """卷宗: the whole file, in the usual order of a people's mediation file. Full identity:
    it is a legal document, downloaded only by roles that may reveal personal data."""
    context = case_context(document)
    case = context["case"]
    images, pdfs, others = _attachments(case)
    context.update(
        images=images, pdf_attachments=pdfs, other_attachments=others,
        archived=case.state == CaseState.ARCHIVED,
        appendices=[p["data"] for p in pdfs],
    )
    return "documents/case_file.html", context, f"{case.number} 卷宗"


@register(Kind.AGREEMENT)
def agreement(document: Document):
    """调解协议书 alone, for printing and signing."""
    context = case_context(document)
    if context["case"].agreement is None:
        raise LookupError("this case has no agreement to print")
    return "documents/agreement.html", context, f"{context['number']} 调解协议书"


@register(Kind.INTAKE_FORM)
def intake_form(document: Document):
    """受理登记表 alone, for printing and signing."""
    context = case_context(document)
    return "documents/intake_form.html", context, f"{context['number']} 受理登记表"
