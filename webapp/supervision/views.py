"""The county's assignments and notices (``/county/assignments/``, ``/county/supervision/``)
and the township's side of them: its intake queue of assignments, its notices to answer."""
from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tenants.scope import tenant_scope
from webapp import timelimits
from webapp.cases.access import parse_case_number
from webapp.cases.models import Case
from webapp.cases.operations import case_number
from webapp.county.access import resolve_county_member
from webapp.errors import Refused
from webapp.extensions import db
from webapp.forms import form_status, refusal_beside, saved
from webapp.permissions import require
from webapp.supervision import operations
from webapp.supervision.forms import AnswerForm, AssignmentForm, NoticeForm
from webapp.supervision.models import Assignment, AssignmentSource, NoticeKind, SupervisionNotice
from webapp.submissions import once_per_form
from webapp.types import utcnow

bp = Blueprint("supervision", __name__, url_prefix="/t/<slug>")
county_bp = Blueprint("supervision_county", __name__, url_prefix="/county")
county_bp.before_request(resolve_county_member)


# -- the county ---------------------------------------------------------------------------


def _townships():
    return sorted(g.county.townships, key=lambda t: t.id)


def _township(form):
    return next((t for t in g.county.townships if t.id == form.township.data), None)


def _assignments():
    return db.session.scalars(select(Assignment).where(Assignment.tenant_id.in_([t.id for t in _townships()]))
                              .options(selectinload(Assignment.case)).order_by(Assignment.id.desc()).limit(500)).all()


@county_bp.get("/assignments/")
@require("county.view")
def county_assignments():
    """Every assignment of the county and its state, until and after it is settled."""
    names = {t.id: t.name for t in _townships()}
    return render_template("supervision/county_assignments.html", items=_assignments(), names=names, now=utcnow())


@county_bp.route("/assignments/new", methods=["GET", "POST"])
@require("county.supervise")
@once_per_form
def assign():
    form = AssignmentForm().setup(_townships())
    if form.validate_on_submit():
        tenant = _township(form)
        if tenant is None:
            form.township.errors.append(_("Choose the township."))
        else:
            with tenant_scope(tenant.id):
                try:
                    operations.assign(tenant, g.membership, title=form.title.data.strip(),
                                      parties=form.parties.data.strip(), source=AssignmentSource(form.source.data),
                                      narrative=(form.narrative.data or "").strip(), take_up_on=form.take_up_on.data,
                                      settle_on=form.settle_on.data)
                except Refused as refusal:
                    message = refusal_beside(form, refusal)
                    if message:
                        form.township.errors.append(message)
                else:
                    db.session.commit()
                    flash(_("Assigned to %(township)s.", township=tenant.name), "success")
                    return redirect(url_for("supervision_county.county_assignments"))
    return render_template("supervision/assign.html", form=form), form_status(form)


@county_bp.get("/supervision/")
@require("county.view")
def county_notices():
    names = {t.id: t.name for t in _townships()}
    items = db.session.scalars(select(SupervisionNotice).where(
        SupervisionNotice.tenant_id.in_(list(names))).options(selectinload(SupervisionNotice.case))
        .order_by(SupervisionNotice.id.desc()).limit(500)).all()
    return render_template("supervision/county_notices.html", items=items, names=names, now=utcnow())


@county_bp.route("/supervision/new", methods=["GET", "POST"])
@require("county.supervise")
@once_per_form
def send_notice():
    form = NoticeForm().setup(_townships())
    if form.validate_on_submit():
        tenant = _township(form)
        if tenant is None:
            form.township.errors.append(_("Choose the township."))
        else:
            with tenant_scope(tenant.id):
                case = None
                if form.case_number.data:
                    case = _case_of(tenant, form.case_number.data)
                    if case is None:
                        form.case_number.errors.append(
                            _("No case of this township has this number. Type it as 42, 2026-42 or %(example)s.",
                              example=case_number(tenant, timelimits.today().year, 42)))
                if not form.errors:
                    try:
                        operations.send_notice(tenant, g.membership, kind=NoticeKind(form.kind.data), case=case,
                                               subject=form.subject.data.strip(), body=form.body.data.strip(),
                                               answer_by=form.answer_by.data)
                    except Refused as refusal:
                        message = refusal_beside(form, refusal)
                        if message:
                            form.township.errors.append(message)
                    else:
                        db.session.commit()
                        flash(_("Notice sent to %(township)s.", township=tenant.name), "success")
                        return redirect(url_for("supervision_county.county_notices"))
    return render_template("supervision/send_notice.html", form=form), form_status(form)


def _case_of(tenant, text):
    parsed = parse_case_number(text)
    if parsed is None:
        return None
    year, seq = parsed
    query = select(Case).where(Case.tenant_id == tenant.id, Case.seq == seq)
    if year is not None:
        query = query.where(Case.year == year)
    return db.session.scalar(query.order_by(Case.year.desc()).limit(1))


# -- the township -------------------------------------------------------------------------


def _get_or_404(model, item_id):
    item = db.session.scalar(select(model).where(model.id == item_id, model.tenant_id == g.tenant.id))
    if item is None:
        abort(404)
    return item


@bp.get("/assignments/")
@require("assignments.take_up")
def assignments():
    """The intake queue of what the county assigned: to take up first, then what was taken up."""
    items = db.session.scalars(select(Assignment).where(Assignment.tenant_id == g.tenant.id)
                               .options(selectinload(Assignment.case))
                               .order_by(Assignment.case_id.is_not(None), Assignment.take_up_by.asc(),
                                         Assignment.id.desc()).limit(200)).all()
    return render_template("supervision/assignments.html", items=items, now=utcnow())


@bp.post("/assignments/<int:assignment_id>/take-up")
@require("assignments.take_up")
@once_per_form
def take_up(assignment_id: int):
    assignment = _get_or_404(Assignment, assignment_id)
    try:
        case = operations.take_up(assignment, g.tenant, g.membership)
    except Refused as refusal:
        db.session.rollback()
        flash(refusal.message, "error")
        return redirect(url_for("supervision.assignments"))
    db.session.commit()
    flash(_("Taken up: registered as case %(number)s.", number=case.number), "success")
    return redirect(url_for("cases.show", case_id=case.id))


@bp.get("/supervision/")
@require("supervision.view")
def notices():
    items = db.session.scalars(select(SupervisionNotice).where(SupervisionNotice.tenant_id == g.tenant.id)
                               .options(selectinload(SupervisionNotice.case))
                               .order_by(SupervisionNotice.answered_at.is_not(None), SupervisionNotice.answer_by,
                                         SupervisionNotice.id.desc()).limit(200)).all()
    return render_template("supervision/notices.html", items=items, now=utcnow())


@bp.route("/supervision/<int:notice_id>", methods=["GET", "POST"])
@require("supervision.view")
def notice(notice_id: int):
    item = _get_or_404(SupervisionNotice, notice_id)
    form = AnswerForm()
    done = saved(form, lambda: operations.answer_notice(item, g.membership, text=form.text.data.strip()),
                 lambda _result: url_for("supervision.notice", notice_id=item.id))
    if done is not None:
        return done
    return render_template("supervision/notice.html", item=item, form=form, now=utcnow()), form_status(form)
