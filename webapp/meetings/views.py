"""Meeting pages: the list, scheduling, the meeting with its attendance and decisions, the
pack and the minutes. Each view is load → check → operate → render, and commits once."""
from datetime import datetime

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from webapp import audit, downloads
from webapp.cases.models import Case, CaseState, EscalationTarget
from webapp.errors import Refused, answer_refusals
from webapp.extensions import db, htmx
from webapp.documents import operations as document_operations
from webapp.documents.models import Document
from webapp.meetings import bp, documents, operations, pack
from webapp.meetings.forms import ActionForm, DecisionForm, MeetingForm, attendance_form
from webapp.meetings.models import ActionKind, Decision, Meeting, MeetingKind
from webapp.permissions import can, require
from webapp.staff.queries import mediators
from webapp.submissions import once_per_form
from webapp.timelimits import BEIJING, today


# -- loaders ----------------------------------------------------------------------------


def get_meeting_or_404(meeting_id: int) -> Meeting:
    meeting = db.session.scalar(select(Meeting).where(Meeting.id == meeting_id, Meeting.tenant_id == g.tenant.id))
    if meeting is None:
        abort(404)
    return meeting


def get_decision_or_404(meeting: Meeting, decision_id: int) -> Decision:
    decision = db.session.scalar(select(Decision).where(
        Decision.id == decision_id, Decision.meeting_id == meeting.id, Decision.tenant_id == g.tenant.id))
    if decision is None:
        abort(404)
    return decision


def _case(case_id) -> Case | None:
    return db.session.scalar(select(Case).where(Case.id == case_id, Case.tenant_id == g.tenant.id))


def _action_cases():
    """What a decision can act on: the pack's disputes, and escalated cases (to resume them)."""
    escalated = db.session.scalars(select(Case).where(Case.tenant_id == g.tenant.id,
                                                      Case.state == CaseState.ESCALATED).order_by(Case.id)).all()
    return pack.discussion_cases(g.tenant.id) + escalated


def _taken(meeting: Meeting | None = None) -> set:
    rows = db.session.execute(select(Meeting.year, Meeting.kind).where(
        Meeting.tenant_id == g.tenant.id, Meeting.id != (meeting.id if meeting else 0))).all()
    return {(year, kind.value) for year, kind in rows}


def _decision_form(formdata=None):
    departments, villages = operations.member_units(g.tenant.id)
    form = DecisionForm(formdata=formdata) if formdata is not None else DecisionForm()
    return form.setup(_action_cases(), mediators(g.tenant.id), departments, villages, operations.owners(g.tenant.id))


def _action_form(decision, formdata=None, choices=None):
    form = ActionForm(formdata=formdata, prefix=f"d{decision.id}") if formdata is not None else \
        ActionForm(prefix=f"d{decision.id}")
    return form.setup(*(choices or (_action_cases(), mediators(g.tenant.id))))


def _render_meeting(meeting, status=200, decision_form=None, action_forms=None, refusal=None):
    """The meeting page, or (for HTMX) its decisions section alone."""
    can_record = not meeting.is_final and meeting.has_begun() and can("meetings.manage")
    action_forms = action_forms or {}
    if can_record and meeting.decisions:
        choices = _action_cases(), mediators(g.tenant.id)  # once for every decision's form
        for decision in meeting.decisions:
            action_forms.setdefault(decision.id, _action_form(decision, choices=choices))
    context = {"meeting": meeting, "can_record": can_record, "action_forms": action_forms,
               "decision_form": decision_form or (_decision_form() if can_record else None), "refusal": refusal,
               "documents": _documents(meeting), "today": today()}
    template = "meetings/_decisions.html" if htmx and htmx.target == f"meeting-{meeting.id}-decisions" \
        else "meetings/show.html"
    return render_template(template, **context), status


def _documents(meeting):
    return documents.latest(meeting)


# -- list and scheduling ----------------------------------------------------------------


@bp.get("/")
@require("meetings.view")
def index():
    meetings = db.session.scalars(select(Meeting).where(Meeting.tenant_id == g.tenant.id)
                                  .order_by(Meeting.starts_at.desc())).all()
    return render_template("meetings/index.html", meetings=meetings)


def _starts_at(form) -> datetime:
    return datetime.combine(form.held_on.data, form.held_at.data, BEIJING)


@bp.route("/new", methods=["GET", "POST"])
@require("meetings.manage")
@once_per_form
def new():
    form = MeetingForm().setup(_taken())
    if request.method == "GET":
        form.chair.data = form.chair.data or g.membership.user.name
    valid = form.validate_on_submit()
    if valid:
        valid = form.check_date(MeetingKind(form.kind.data), form.year.data)
    if not valid:
        return render_template("meetings/form.html", form=form, meeting=None), 422 if form.is_submitted() else 200
    meeting = operations.schedule_meeting(
        g.tenant, g.membership, kind=MeetingKind(form.kind.data), year=form.year.data, starts_at=_starts_at(form),
        place=form.place.data.strip(), chair=form.chair.data.strip(), title=(form.title.data or "").strip())
    db.session.commit()
    flash(_("The meeting is scheduled."), "success")
    return redirect(url_for("meetings.show", meeting_id=meeting.id))


@bp.route("/<int:meeting_id>/edit", methods=["GET", "POST"])
@require("meetings.manage")
def edit(meeting_id: int):
    meeting = get_meeting_or_404(meeting_id)
    if meeting.is_final:
        return _final(meeting)
    local = meeting.starts_at.astimezone(BEIJING)
    defaults = {"held_on": local.date(), "held_at": local.time().replace(tzinfo=None), "place": meeting.place,
                "chair": meeting.chair, "title": meeting.title}
    form = MeetingForm(data=None if request.method == "POST" else defaults).setup(_taken(meeting), editing=True)
    valid = form.validate_on_submit() and form.check_date(meeting.kind, meeting.year)
    if not valid:
        return render_template("meetings/form.html", form=form, meeting=meeting), 422 if form.is_submitted() else 200
    operations.reschedule_meeting(meeting, starts_at=_starts_at(form), place=form.place.data.strip(),
                                  chair=form.chair.data.strip(), title=(form.title.data or "").strip())
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for("meetings.show", meeting_id=meeting.id))


def _final(meeting):
    """The answer to a change the meeting no longer (or not yet) takes."""
    if meeting.is_final or meeting.has_begun():
        flash(_("The minutes are final: this meeting's records can no longer change."), "error")
    else:
        flash(_("The meeting has not taken place yet: its records start on the day of the meeting."), "error")
    if htmx:
        return _render_meeting(meeting, 409)
    return render_template("meetings/show.html", meeting=meeting, can_record=False, action_forms={},
                           decision_form=None, refusal=None, documents=_documents(meeting)), 409


# -- the meeting ------------------------------------------------------------------------


@bp.get("/<int:meeting_id>")
@require("meetings.view")
def show(meeting_id: int):
    return _render_meeting(get_meeting_or_404(meeting_id))


@bp.route("/<int:meeting_id>/attendance", methods=["GET", "POST"])
@require("meetings.manage")
def attendance(meeting_id: int):
    meeting = get_meeting_or_404(meeting_id)
    if meeting.is_final or not meeting.has_begun():
        return _final(meeting)
    departments, villages = operations.member_units(g.tenant.id)
    recorded = {}
    for row in meeting.attendance:
        key = f"d{row.department_id}" if row.department_id else f"v{row.village_id}"
        recorded[f"present_{key}"], recorded[f"name_{key}"] = row.present, row.attendee
    form = attendance_form(departments, villages, data=None if request.method == "POST" else recorded)
    if not form.validate_on_submit():
        return render_template("meetings/attendance.html", meeting=meeting, form=form), \
            422 if form.is_submitted() else 200
    operations.record_attendance(meeting, form.rows())
    db.session.commit()
    flash(_("Attendance saved."), "success")
    return redirect(url_for("meetings.show", meeting_id=meeting.id))


def _act(decision, form):
    """The decision's action on its case, if the form names one (the case operations may refuse)."""
    if not form.action.data:
        return None
    case = _case(form.case.data)
    if case is None:
        raise Refused(_("Choose the case."), field="case")
    return operations.take_action(
        decision, case, g.membership, ActionKind(form.action.data), assignee_id=form.assignee.data,
        target=EscalationTarget(form.target.data) if form.target.data else None, due_on=form.action_due_on.data)


def _refused(form, refusal: Refused):
    """Put the workflow's reason beside the field it concerns, or beside the action."""
    field = {"due_on": "action_due_on"}.get(refusal.field, refusal.field)
    target = form[field] if field and field in form else form.action
    target.errors = list(target.errors) + [refusal.message]


@bp.post("/<int:meeting_id>/decisions")
@require("meetings.manage")
@once_per_form
def add_decision(meeting_id: int):
    meeting = get_meeting_or_404(meeting_id)
    if meeting.is_final or not meeting.has_begun():
        return _final(meeting)
    form = _decision_form(request.form)
    if not form.validate_on_submit():
        return _render_meeting(meeting, 422, decision_form=form)
    try:
        decision = operations.add_decision(meeting, g.membership, text=form.text.data.strip(),
                                           due_on=form.due_on.data, owner_id=form.owner.data, **form.unit_ids())
        _act(decision, form)
    except Refused as refusal:
        # Nothing half-saved: neither the decision nor anything its action began.
        db.session.rollback()
        meeting = get_meeting_or_404(meeting_id)
        form = _decision_form(request.form)
        form.validate()
        _refused(form, refusal)
        return _render_meeting(meeting, 409, decision_form=form, refusal=refusal.message)
    db.session.commit()
    flash(_("Decision recorded."), "success")
    if htmx:
        return _render_meeting(meeting)
    return redirect(url_for("meetings.show", meeting_id=meeting.id, _anchor=f"decision-{decision.id}"))


@bp.post("/<int:meeting_id>/decisions/<int:decision_id>/done")
@require("meetings.view")
def complete_decision(meeting_id: int, decision_id: int):
    """Its owner or the director marks a decision done (the owner may be any of the staff)."""
    meeting = get_meeting_or_404(meeting_id)
    decision = get_decision_or_404(meeting, decision_id)
    if not operations.may_complete(decision, g.membership):
        abort(403)
    try:
        operations.complete_decision(decision, g.membership)
    except Refused as refusal:
        db.session.rollback()
        flash(refusal.message, "error")
        return _render_meeting(get_meeting_or_404(meeting_id), 409)
    db.session.commit()
    flash(_("Decision marked done."), "success")
    if htmx:
        return _render_meeting(meeting)
    return redirect(url_for("meetings.show", meeting_id=meeting.id, _anchor=f"decision-{decision.id}"))


@bp.post("/<int:meeting_id>/decisions/<int:decision_id>/actions")
@require("meetings.manage")
@once_per_form
def add_action(meeting_id: int, decision_id: int):
    meeting = get_meeting_or_404(meeting_id)
    decision = get_decision_or_404(meeting, decision_id)
    if meeting.is_final or not meeting.has_begun():
        return _final(meeting)
    form = _action_form(decision, request.form)
    if not form.validate_on_submit():
        return _render_meeting(meeting, 422, action_forms={decision.id: form})
    try:
        _act(decision, form)
    except Refused as refusal:
        db.session.rollback()
        meeting = get_meeting_or_404(meeting_id)
        decision = get_decision_or_404(meeting, decision_id)
        form = _action_form(decision, request.form)
        form.validate()
        _refused(form, refusal)
        return _render_meeting(meeting, 409, action_forms={decision.id: form})
    db.session.commit()
    flash(_("Action taken."), "success")
    if htmx:
        return _render_meeting(meeting)
    return redirect(url_for("meetings.show", meeting_id=meeting.id, _anchor=f"decision-{decision.id}"))


@bp.post("/<int:meeting_id>/finalise")
@require("meetings.manage")
def finalise(meeting_id: int):
    meeting = get_meeting_or_404(meeting_id)
    answer_refusals(lambda status, form: _render_meeting(get_meeting_or_404(meeting_id), 409))
    operations.finalise_minutes(meeting, g.membership)
    db.session.commit()
    flash(_("The minutes are final."), "success")
    return redirect(url_for("meetings.minutes", meeting_id=meeting.id))


# -- the pack and the minutes -----------------------------------------------------------


@bp.get("/<int:meeting_id>/pack")
@require("meetings.view")
def pack_page(meeting_id: int):
    meeting = get_meeting_or_404(meeting_id)
    return render_template("meetings/pack.html", documents=_documents(meeting), **pack.prepare_pack(meeting))


@bp.get("/<int:meeting_id>/minutes")
@require("meetings.view")
def minutes(meeting_id: int):
    meeting = get_meeting_or_404(meeting_id)
    return render_template("meetings/minutes.html", documents=_documents(meeting), **pack.minutes_context(meeting))


# -- printing: the worker renders, the page polls ------------------------------------------

PRINTS = {"pack": documents.PACK, "minutes": documents.MINUTES}


def get_document_or_404(meeting: Meeting, document_id: int) -> Document:
    document = db.session.scalar(select(Document).where(
        Document.id == document_id, Document.tenant_id == g.tenant.id, Document.kind.in_(documents.KINDS),
        Document.subject_id == meeting.id))
    if document is None:
        abort(404)
    return document


def _document_answer(meeting, document, status=200):
    """The status partial for HTMX (it polls itself while pending); otherwise a page that
    refreshes itself until the PDF is ready."""
    if htmx and not htmx.boosted:
        return render_template("meetings/_document.html", meeting=meeting, document=document), status
    if request.method == "POST":
        return redirect(url_for("meetings.document_status", meeting_id=meeting.id, document_id=document.id), 303)
    headers = {"Refresh": "3"} if document.pending else {}
    return render_template("meetings/document.html", meeting=meeting, document=document), status, headers


@bp.post("/<int:meeting_id>/print/<what>")
@require("meetings.view")
@once_per_form
def print_document(meeting_id: int, what: str):
    """Ask for the pack or the minutes as PDF: a pending document, rendered by the worker."""
    meeting = get_meeting_or_404(meeting_id)
    if what not in PRINTS:
        abort(404)
    document = document_operations.request_document(PRINTS[what], tenant_id=g.tenant.id, subject_id=meeting.id,
                                                    requested_by_id=g.membership.user_id, title=meeting.title)
    db.session.commit()
    return _document_answer(meeting, document, 202)


@bp.get("/<int:meeting_id>/documents/<int:document_id>")
@require("meetings.view")
def document_status(meeting_id: int, document_id: int):
    meeting = get_meeting_or_404(meeting_id)
    return _document_answer(meeting, get_document_or_404(meeting, document_id))


@bp.get("/<int:meeting_id>/documents/<int:document_id>.pdf")
@require("meetings.view")
def download(meeting_id: int, document_id: int):
    meeting = get_meeting_or_404(meeting_id)
    document = get_document_or_404(meeting, document_id)
    if not document.ready:
        abort(404)
    name = f"{meeting.title}-{'会议材料' if document.kind == documents.PACK else '会议纪要'}-第{document.version}版.pdf"
    audit.record("meeting_document.download", user=current_user, tenant=g.tenant,
                 detail={"meeting": meeting.id, "document": document.id, "version": document.version})
    db.session.commit()
    return downloads.send(document_operations.read(document), "application/pdf", name,
                          fallback=f"meeting-{meeting.id}-{document.kind}-v{document.version}.pdf",
                          etag=document.sha256)


@bp.context_processor
def _helpers():
    return {"meeting_period": lambda meeting: pack.half_year(meeting).label()}
