"""The bell, escalations, accountability flags, the clock of a case, and the operations view."""
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from rq.registry import FailedJobRegistry
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tenants.models import Membership, Role
from webapp import timelimits
from webapp.auth.models import User
from webapp.cases.access import find_visible_case, get_case_or_404, visible_cases
from webapp.cases.models import Case
from webapp.cases.operations import case_number
from webapp.deadlines import operations
from webapp.deadlines.forms import (
    CalendarDayForm, DisputeForm, InstructionForm, PauseForm, RaiseFlagForm, ResolveFlagForm, ResumeForm,
)
from webapp.deadlines.models import CalendarOverride, Escalation, EscalationLevel, Fault, Flag, FlagStatus, Notification
from webapp.deadlines.reports import RECEIVERS
from webapp.deadlines.sweep import last_run
from webapp.documents.operations import count_waiting_for_font
from webapp.documents.render import FONT_PACKAGE, INSTALL_FONT
from webapp.errors import Refused, answer_refusals
from webapp.extensions import db
from webapp.forms import form_status, saved
from webapp.permissions import can, require
from webapp.referrals.models import Department
from webapp.submissions import once_per_form
from webapp.township.settings import settings_for
from worker.queue import redis_connection

bp = Blueprint("deadlines", __name__, url_prefix="/t/<slug>")


def _back_to_case(case, message):
    flash(message, "success")
    return redirect(url_for("cases.show", case_id=case.id))


# -- the clock of one case ----------------------------------------------------------------


@bp.route("/cases/<int:case_id>/clock/pause", methods=["GET", "POST"])
@require("clock.pause")
def pause(case_id: int):
    case = get_case_or_404(case_id)
    form = PauseForm()
    if form.validate_on_submit():
        try:
            operations.pause_clock(case, g.membership, reason=form.reason.data.strip())
        except Refused as refusal:
            db.session.rollback()
            form.reason.errors.append(refusal.message)
        else:
            db.session.commit()
            return _back_to_case(case, _("The clock is paused."))
    return render_template("deadlines/clock.html", case=case, form=form, pausing=True), 422 if form.errors else 200


@bp.route("/cases/<int:case_id>/clock/resume", methods=["GET", "POST"])
@require("clock.pause")
def resume(case_id: int):
    case = get_case_or_404(case_id)
    form = ResumeForm()
    if form.validate_on_submit():
        try:
            operations.resume_clock(case, g.membership, note=form.note.data.strip())
        except Refused as refusal:
            db.session.rollback()
            form.note.errors.append(refusal.message)
        else:
            db.session.commit()
            return _back_to_case(case, _("The clock runs again."))
    return render_template("deadlines/clock.html", case=case, form=form, pausing=False), 422 if form.errors else 200


# -- the bell ----------------------------------------------------------------------------


@bp.get("/notifications/")
@require("notifications.view")
def notifications():
    items = db.session.scalars(select(Notification).where(
        Notification.tenant_id == g.tenant.id, Notification.user_id == g.membership.user_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(100)).all()
    # A notification of the sweep may name many cases: each line shows the first few.
    shown = {n.id: n.cases_named[:CASES_SHOWN] for n in items}
    wanted = {case_id for ids in shown.values() for case_id in ids}
    cases = {row.id: row for row in db.session.execute(
        select(Case.id, Case.number, Case.title).where(Case.tenant_id == g.tenant.id, Case.id.in_(wanted)))} \
        if wanted else {}
    return render_template("deadlines/notifications.html", items=items, cases=cases, shown=shown)


CASES_SHOWN = 5


@bp.post("/notifications/read")
@require("notifications.view")
def read_notifications():
    operations.mark_read(g.membership.user_id)
    db.session.commit()
    return redirect(url_for("deadlines.notifications"))


# -- escalations -------------------------------------------------------------------------


@bp.get("/escalations/")
@require("escalations.view")
def escalations():
    items = db.session.scalars(select(Escalation).where(
        Escalation.tenant_id == g.tenant.id, Escalation.level != EscalationLevel.COUNTY)
        .options(selectinload(Escalation.case)).order_by(Escalation.acknowledged_at.is_not(None),
                                                         Escalation.created_at.desc()).limit(200)).all()
    return render_template("deadlines/escalations.html", items=items, receivers=RECEIVERS)


def _escalation_or_404(escalation_id: int) -> Escalation:
    # One of the county's too: its receiver is in the county, and the operation says so.
    escalation = db.session.scalar(select(Escalation).where(
        Escalation.id == escalation_id, Escalation.tenant_id == g.tenant.id))
    if escalation is None:
        abort(404)
    return escalation


@bp.post("/escalations/<int:escalation_id>/acknowledge")
@require("escalations.answer")
def acknowledge(escalation_id: int):
    escalation = _escalation_or_404(escalation_id)
    answer_refusals(lambda status, form: (redirect(url_for("deadlines.escalations")), 303))
    operations.acknowledge_escalation(escalation, g.membership)
    db.session.commit()
    flash(_("Acknowledged."), "success")
    return redirect(url_for("deadlines.escalations"))


@bp.route("/escalations/<int:escalation_id>/instruct", methods=["GET", "POST"])
@require("escalations.answer")
@once_per_form
def instruct(escalation_id: int):
    """批示: the level a case was reported to answers; the answer goes on the case's timeline."""
    escalation = _escalation_or_404(escalation_id)
    form = InstructionForm()
    done = saved(form, lambda: operations.instruct_escalation(escalation, g.membership, text=form.text.data.strip()),
                 lambda _result: url_for("cases.show", case_id=escalation.case_id))
    if done is not None:
        return done
    return render_template("deadlines/instruct.html", escalation=escalation, form=form,
                           case_url=url_for("cases.show", case_id=escalation.case_id)), form_status(form)


# -- accountability flags -----------------------------------------------------------------


def _visible_flags():
    query = select(Flag).where(Flag.tenant_id == g.tenant.id)
    # The party committee and government, like the county, oversee every flag of the township.
    if not can("flags.manage") and not g.membership.role.is_county and g.membership.role != Role.PARTY:
        mine = Flag.responsible_user_id == g.membership.user_id
        if g.membership.department_id:
            mine = mine | (Flag.responsible_department_id == g.membership.department_id)
        query = query.where(mine)
    return query


def get_flag_or_404(flag_id: int) -> Flag:
    flag = db.session.scalar(_visible_flags().where(Flag.id == flag_id))
    if flag is None:
        abort(404)
    return flag


@bp.get("/flags/")
@require("flags.view")
def flags():
    items = db.session.scalars(_visible_flags().options(
        selectinload(Flag.case), selectinload(Flag.responsible_user), selectinload(Flag.responsible_department))
        .order_by(Flag.status == FlagStatus.RESOLVED, Flag.raised_at.desc()).limit(300)).all()
    return render_template("deadlines/flags.html", items=items)


@bp.route("/flags/<int:flag_id>", methods=["GET", "POST"])
@require("flags.view")
def flag(flag_id: int):
    item = get_flag_or_404(flag_id)
    dispute, resolve = DisputeForm(prefix="dispute"), ResolveFlagForm(prefix="resolve")
    if request.method == "POST":
        action = request.form.get("action")
        form = {"dispute": dispute, "resolve": resolve}.get(action)
        try:
            if action == "acknowledge":
                operations.acknowledge_flag(item, g.membership)
            elif form is not None and form.validate_on_submit():
                if action == "dispute":
                    operations.dispute_flag(item, g.membership, reason=dispute.reason.data.strip())
                else:
                    operations.resolve_flag(item, g.membership, resolution=resolve.resolution.data.strip())
            else:
                return render_template("deadlines/flag.html", flag=item, dispute=dispute, resolve=resolve), 422
        except Refused as refusal:
            db.session.rollback()
            flash(refusal.message, "error")
            return render_template("deadlines/flag.html", flag=get_flag_or_404(flag_id), dispute=dispute,
                                   resolve=resolve), 409
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("deadlines.flag", flag_id=item.id))
    return render_template("deadlines/flag.html", flag=item, dispute=dispute, resolve=resolve)


def _staff():
    return db.session.scalars(select(User).join(Membership).where(
        Membership.tenant_id == g.tenant.id, Membership.active.is_(True)).order_by(User.id)).all()


@bp.route("/flags/new", methods=["GET", "POST"])
@require("flags.manage")
@once_per_form
def raise_flag():
    departments = db.session.scalars(select(Department).where(Department.tenant_id == g.tenant.id)).all()
    form = RaiseFlagForm().setup(_staff(), departments)
    if form.validate_on_submit():
        case = None
        if form.case_number.data:
            case = find_visible_case(form.case_number.data)
            if case is None:
                form.case_number.errors.append(
                    _("No case of this township has this number. Type it as 42, 2026-42 or %(example)s.",
                      example=case_number(g.tenant, timelimits.today().year, 42)))
        if not form.errors:
            try:
                item = operations.raise_flag(
                    g.tenant.id, g.membership, fault=Fault(form.fault.data), evidence=form.evidence.data.strip(),
                    case=case, responsible_user_id=form.responsible.data, responsible_department_id=form.department.data)
            except Refused as refusal:
                db.session.rollback()
                form.responsible.errors.append(refusal.message)
            else:
                db.session.commit()
                flash(_("Flag raised."), "success")
                return redirect(url_for("deadlines.flag", flag_id=item.id))
    # To pick from as one types: the township's latest cases.
    recent = db.session.execute(visible_cases().with_only_columns(Case.number, Case.title)
                                .order_by(Case.id.desc()).limit(200)).all()
    return render_template("deadlines/raise.html", form=form, recent=recent), 422 if form.is_submitted() else 200


# -- the operations view ------------------------------------------------------------------


def _failed_jobs():
    try:
        registry = FailedJobRegistry("default", connection=redis_connection())
        return registry.get_job_ids()[:20], None
    except Exception as error:  # Redis down: say so, keep serving
        return [], type(error).__name__


@bp.route("/deadlines/", methods=["GET", "POST"])
@require("deadlines.operate")
def operations_view():
    settings = settings_for(g.tenant.id)
    form = CalendarDayForm()
    if request.method == "POST" and form.validate_on_submit():
        operations.set_calendar_day(g.tenant.id, form.day.data, form.is_workday.data == "work", form.note.data.strip())
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("deadlines.operations_view"))
    today = timelimits.today()
    uncovered = timelimits.uncovered_years([today.year, today.year + 1]) if settings.count_working_days else []
    overrides = db.session.scalars(select(CalendarOverride).where(CalendarOverride.tenant_id == g.tenant.id)
                                   .order_by(CalendarOverride.day.desc()).limit(100)).all()
    failed, redis_error = _failed_jobs()
    font = {"waiting": count_waiting_for_font(g.tenant.id), "package": FONT_PACKAGE, "command": INSTALL_FONT}
    return render_template("deadlines/operations.html", last=last_run(), failed=failed, redis_error=redis_error,
                           settings=settings, uncovered=uncovered, overrides=overrides, form=form, font=font), \
        422 if form.errors else 200

