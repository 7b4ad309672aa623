"""Investigation round pages: the list, opening a round, the round village by village, and an
officer's filing of findings and nil reports. Each view is load → check → operate → render,
and commits once."""
from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from webapp import timelimits
from webapp.errors import Refused
from webapp.extensions import db, htmx
from webapp.forms import form_status, refusal_beside, saved
from webapp.permissions import can, require
from webapp.rounds import bp, operations
from webapp.rounds.forms import FindingForm, NilReportForm, RoundForm
from webapp.rounds.models import Round, RoundKind, RoundReport
from webapp.submissions import once_per_form
from webapp.villages.models import Village


def get_round_or_404(round_id: int) -> Round:
    round_ = db.session.scalar(select(Round).where(Round.id == round_id, Round.tenant_id == g.tenant.id)
                               .options(selectinload(Round.reports).selectinload(RoundReport.case),
                                        selectinload(Round.reports).selectinload(RoundReport.reported_by)))
    if round_ is None:
        abort(404)
    return round_


def get_village_or_404(village_id: int) -> Village:
    village = db.session.scalar(select(Village).where(Village.id == village_id, Village.tenant_id == g.tenant.id))
    if village is None:
        abort(404)
    return village


def _rounds():
    return db.session.scalars(select(Round).where(Round.tenant_id == g.tenant.id)
                              .options(selectinload(Round.reports))
                              .order_by(Round.opened_on.desc(), Round.id.desc())).all()


def _summaries(rounds):
    villages = operations.villages(g.tenant.id)
    return [(r, operations.village_rows(r, villages)) for r in rounds]


@bp.get("/")
@require("rounds.view")
def index():
    return render_template("rounds/index.html", rounds=_summaries(_rounds()), today=timelimits.today())


@bp.get("/mine")
@require("rounds.report")
def mine():
    """The officer's way in: the rounds still waiting for reports."""
    today = timelimits.today()
    waiting = [(r, rows) for r, rows in _summaries(_rounds()) if not operations.is_finished(r, rows)]
    return render_template("rounds/mine.html", rounds=waiting, today=today)


@bp.route("/new", methods=["GET", "POST"])
@require("rounds.open")
@once_per_form
def new():
    form = RoundForm()
    done = saved(form, lambda: operations.open_round(
        g.tenant, g.membership, kind=RoundKind(form.kind.data), due_on=form.due_on.data,
        title=(form.title.data or "").strip(), note=(form.note.data or "").strip()),
        lambda round_: url_for("rounds.show", round_id=round_.id))
    if done is not None:
        return done
    return render_template("rounds/form.html", form=form), form_status(form)


def _forms(round_, rows, failed=None, village_id=None):
    """A finding form per village the current officer may report for (``failed``: the one
    that was just refused, with what was typed)."""
    forms = {}
    if not can("rounds.report"):
        return forms
    for row in rows:
        if operations.may_report_for(g.membership, row.village):
            forms[row.village.id] = failed if failed is not None and village_id == row.village.id \
                else FindingForm(prefix=f"v{row.village.id}", formdata=None)
    return forms


def _render(round_, status=200, failed=None, village_id=None, refusal=None):
    rows = operations.village_rows(round_, operations.villages(g.tenant.id))
    context = {"round": round_, "rows": rows, "forms": _forms(round_, rows, failed, village_id), "nil_form": NilReportForm(),
               "finished": operations.is_finished(round_, rows), "today": timelimits.today(), "refusal": refusal,
               "refused_village": village_id}
    if htmx and village_id is not None and htmx.target == f"round-village-{village_id}":
        row = next(r for r in rows if r.village.id == village_id)
        return render_template("rounds/_village.html", row=row, **context), status
    return render_template("rounds/show.html", **context), status


@bp.get("/<int:round_id>")
@require("rounds.view")
def show(round_id: int):
    return _render(get_round_or_404(round_id))


def _after_report(round_id, village_id):
    db.session.commit()
    flash(_("Reported."), "success")
    round_ = get_round_or_404(round_id)
    if htmx:
        return _render(round_, village_id=village_id)
    return redirect(url_for("rounds.show", round_id=round_id, _anchor=f"round-village-{village_id}"))


@bp.post("/<int:round_id>/villages/<int:village_id>/findings")
@require("rounds.report")
@once_per_form
def file_finding(round_id: int, village_id: int):
    round_, village = get_round_or_404(round_id), get_village_or_404(village_id)
    form = FindingForm(prefix=f"v{village_id}")
    if not form.validate_on_submit():
        return _render(round_, 422, failed=form, village_id=village_id)
    try:
        operations.file_finding(g.tenant, round_, village, g.membership, title=form.title.data.strip(),
                                narrative=(form.narrative.data or "").strip())
    except Refused as refusal:
        message = refusal_beside(form, refusal)
        return _render(get_round_or_404(round_id), 409, failed=form, village_id=village_id,
                       refusal=message)
    return _after_report(round_id, village_id)


@bp.post("/<int:round_id>/villages/<int:village_id>/nil")
@require("rounds.report")
@once_per_form
def file_nil_report(round_id: int, village_id: int):
    round_, village = get_round_or_404(round_id), get_village_or_404(village_id)
    form = NilReportForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        operations.file_nil_report(round_, village, g.membership)
    except Refused as refusal:
        db.session.rollback()
        return _render(get_round_or_404(round_id), 409, village_id=village_id, refusal=refusal.message)
    return _after_report(round_id, village_id)
