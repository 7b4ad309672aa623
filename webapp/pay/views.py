"""Pages of the roster, the rate schedule and the monthly pay report."""
from collections import defaultdict

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tenants.models import Membership
from webapp import timelimits
from webapp.auth.models import User
from webapp.extensions import db
from webapp.pay import bp, exports, report
from webapp.pay.forms import RatesForm, RosterForm
from webapp.pay.models import Employment, RosterEntry, StaffKind
from webapp.pay.operations import ROSTER_ROLES, PayError, save_roster_entry, set_rates
from webapp.pay.rates import (
    ALL_KEYS, CELLS, DIFFICULTY_LABELS, EMPLOYMENT_LABELS, KIND_LABELS, OUTCOME_LABELS, TRACKS, amounts_on,
    cell_key, schedule_days,
)
from webapp.permissions import can, require
from webapp.submissions import once_per_form
from webapp.villages.models import Village

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def get_entry_or_404(roster_id: int) -> RosterEntry:
    entry = db.session.scalar(select(RosterEntry).where(RosterEntry.id == roster_id,
                                                        RosterEntry.tenant_id == g.tenant.id))
    if entry is None:
        abort(404)
    return entry


def _month() -> report.Month:
    return report.Month.parse(request.args.get("month"))


def _villages():
    return db.session.scalars(select(Village).where(Village.tenant_id == g.tenant.id).order_by(Village.id)).all()


def _accounts(entry: RosterEntry | None = None):
    """The township's active mediators, officers and directors, and the entry's own account."""
    users = db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.tenant_id == g.tenant.id, Membership.role.in_(ROSTER_ROLES), Membership.active.is_(True))
        .order_by(Membership.role, User.display_name, User.id)
    ).all()
    if entry is not None and entry.user is not None and entry.user not in users:
        users.append(entry.user)
    return users


@bp.context_processor
def _pay_labels():
    return {"kind_label": KIND_LABELS.get, "employment_label": EMPLOYMENT_LABELS.get,
            "outcome_label": OUTCOME_LABELS.get, "difficulty_label": DIFFICULTY_LABELS.get,
            "tracks": TRACKS, "cells": CELLS, "cell_key": cell_key}


def _xlsx(data: bytes, filename: str) -> Response:
    return Response(data, mimetype=XLSX, headers={"Content-Disposition": exports.attachment(filename)})


# -- the report -----------------------------------------------------------------------------


@bp.get("/")
@require("pay.view")
def index():
    month = _month()
    rows = report.summary(g.tenant.id, month)
    return render_template("pay/index.html", month=month, rows=rows,
                           total=sum((r.total for r in rows), report.ZERO), cases=sum(r.cases for r in rows))


@bp.get("/export.xlsx")
@require("pay.view")
def export():
    month = _month()
    rows = report.summary(g.tenant.id, month)
    by_entry = defaultdict(list)
    for line in report.lines_for(g.tenant.id, month):
        by_entry[line.entry_id].append(line)
    statements = [report.Statement(entry=r.entry, month=month, lines=by_entry[r.entry.id]) for r in rows]
    data = exports.summary_workbook(g.tenant, month, rows, statements)
    return _xlsx(data, _("%(township)s per-case pay %(month)s.xlsx", township=g.tenant.name, month=str(month)))


@bp.get("/people/<int:roster_id>")
@require("pay.view")
def person(roster_id: int):
    entry = get_entry_or_404(roster_id)
    month = _month()
    return render_template("pay/statement.html", statements=[report.statement(entry, month)], month=month,
                           mine=False)


@bp.get("/people/<int:roster_id>/export.xlsx")
@require("pay.view")
def person_export(roster_id: int):
    return _statement_xlsx(get_entry_or_404(roster_id))


@bp.get("/mine")
@require("pay.own")
def mine():
    month = _month()
    entries = report.entries_in(g.tenant.id, month, user_id=current_user.id)
    return render_template("pay/statement.html", statements=[report.statement(e, month) for e in entries],
                           month=month, mine=True)


@bp.get("/mine/<int:roster_id>.xlsx")
@require("pay.own")
def mine_export(roster_id: int):
    entry = get_entry_or_404(roster_id)
    if entry.user_id != current_user.id:
        abort(404)
    return _statement_xlsx(entry)


def _statement_xlsx(entry: RosterEntry) -> Response:
    month = _month()
    data = exports.statement_workbook(g.tenant, report.statement(entry, month))
    return _xlsx(data, _("%(township)s per-case pay %(month)s %(name)s.xlsx", township=g.tenant.name,
                         month=str(month), name=entry.name))


# -- rates ----------------------------------------------------------------------------------


@bp.get("/rates")
@require("pay.view")
def rates():
    today = timelimits.today()
    days = schedule_days(g.tenant.id)
    schedules = [(day, amounts_on(g.tenant.id, day)) for day in days]
    in_force = next((day for day in days if day <= today), None)
    return render_template("pay/rates.html", schedules=schedules, today=today, in_force=in_force)


@bp.route("/rates/new", methods=["GET", "POST"])
@require("pay.configure")
@once_per_form
def new_rates():
    form = RatesForm()
    if request.method == "GET":
        current = amounts_on(g.tenant.id, timelimits.today())
        for key in ALL_KEYS:
            form[key].data = f"{current[key]:.2f}" if key in current else "0.00"
    if form.validate_on_submit():
        try:
            set_rates(g.tenant, g.membership, valid_from=form.valid_from.data, amounts=form.amounts())
        except PayError as error:
            form[error.field].errors = list(form[error.field].errors) + [error.message]
        else:
            db.session.commit()
            flash(_("Rates saved: in force from %(day)s.", day=form.valid_from.data.isoformat()), "success")
            return redirect(url_for("pay.rates"))
    status = 422 if form.is_submitted() else 200
    return render_template("pay/rates_form.html", form=form), status


# -- the roster -----------------------------------------------------------------------------


@bp.get("/roster/")
@require("roster.view")
def roster():
    entries = db.session.scalars(
        select(RosterEntry).where(RosterEntry.tenant_id == g.tenant.id)
        .options(selectinload(RosterEntry.village), selectinload(RosterEntry.user))
        .order_by(RosterEntry.kind, RosterEntry.active_to.is_not(None), RosterEntry.employment, RosterEntry.name)
    ).all()
    today = timelimits.today()
    groups = [(kind, [e for e in entries if e.kind == kind]) for kind in StaffKind]
    return render_template("pay/roster.html", groups=groups, today=today)


def _save(form, entry):
    return save_roster_entry(
        g.tenant, entry, user_id=form.account.data, name=form.name.data or "", kind=StaffKind(form.kind.data),
        employment=Employment(form.employment.data), village_id=form.village.data,
        phone=(form.phone.data or "").strip() or None, active_from=form.active_from.data,
        active_to=form.active_to.data)


def _edit(form, entry):
    """Validate, save and commit; or the form again with the errors beside the fields (422)."""
    if form.validate_on_submit():
        try:
            entry = _save(form, entry)
        except PayError as error:
            form[error.field].errors = list(form[error.field].errors) + [error.message]
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("pay.roster"))
    return render_template("pay/roster_form.html", form=form, entry=entry), 422


@bp.route("/roster/new", methods=["GET", "POST"])
@require("roster.manage")
@once_per_form
def new_entry():
    form = RosterForm().setup(_accounts(), _villages())
    if request.method == "GET":
        return render_template("pay/roster_form.html", form=form, entry=None)
    return _edit(form, None)


@bp.route("/roster/<int:roster_id>", methods=["GET", "POST"])
@require("roster.view")
def entry(roster_id: int):
    entry = get_entry_or_404(roster_id)
    if request.method == "GET":
        form = RosterForm(data={"account": entry.user_id, "name": entry.name, "kind": entry.kind.value,
                                "employment": entry.employment.value, "village": entry.village_id,
                                "active_from": entry.active_from, "active_to": entry.active_to})
        return render_template("pay/roster_form.html", form=form.setup(_accounts(entry), _villages()), entry=entry)
    if not can("roster.manage"):
        abort(403)
    return _edit(RosterForm().setup(_accounts(entry), _villages()), entry)
