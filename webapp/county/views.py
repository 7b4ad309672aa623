from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from flask_babel import gettext as _

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tenants.scope import tenant_scope
from tenants.operations import SlugTaken, create_township
from webapp import audit
from webapp.errors import answer_refusals
from webapp.county import bp
from webapp.county.access import resolve_county_member
from webapp.deadlines.models import Escalation, EscalationLevel, Flag, FlagStatus
from webapp.deadlines.forms import InstructionForm
from webapp.deadlines.operations import acknowledge_escalation, instruct_escalation
from webapp.deadlines.reports import RECEIVERS
from webapp.errors import Refused
from webapp.forms import form_status, refusal_beside
from webapp.county.forms import TownshipForm
from webapp.extensions import db
from webapp.figures import follow_through
from webapp.figures.exports import csv_response, xlsx_response
from webapp.figures.periods import Period, period_from_request
from webapp.figures.queries import county_figures
from webapp.figures.report import COMPARED, comparison, county_report, definitions, tiles, township_trends
from webapp.permissions import require
from webapp.submissions import once_per_form


bp.before_request(resolve_county_member)


def _report(period):
    rows, total = county_figures(period, county_id=g.county.id)
    return rows, total, county_report(rows, total)


def _page(form, status=200):
    """Every township of the county side by side for a period, the county total, the charts."""
    period, error = period_from_request()
    rows, total, report = _report(period)
    return render_template("county/index.html", townships=g.county.townships, form=form, period=period,
                           period_error=error, rows=rows, total=total, report=report, tiles=tiles(total),
                           links=_township_links(rows, period), follow_through=follow_through.county_table(rows, period),
                           definitions=definitions() + follow_through.definitions()), 422 if error else status


def _township_links(rows, period):
    """Per township: its overview, its figures for the same period, its board, cases and flags (read-only)."""
    return [[(_("Overview"), url_for("home.township", slug=row["slug"])),
             (_("Figures"), url_for("figures.index", slug=row["slug"], **period.query_args())),
             (_("Board"), url_for("board.index", slug=row["slug"])),
             (_("Cases"), url_for("cases.index", slug=row["slug"])),
             (_("Flags"), url_for("deadlines.flags", slug=row["slug"]))] for row in rows]


@bp.get("/")
@require("county.view")
def index():
    return _page(TownshipForm())


@bp.get("/compare")
@require("county.view")
def compare():
    """One figure of every township side by side, as a chart and its table: a page of its own,
    and the fragment the dashboard loads when it is scrolled to (HTMX)."""
    period, error = period_from_request()
    key = request.args.get("figure", "")
    if error or key not in COMPARED:
        abort(404)
    rows, _total = county_figures(period, county_id=g.county.id)
    label, chart, table = comparison(rows, key)
    template = "county/_comparison.html" if request.headers.get("HX-Request") else "county/compare.html"
    return render_template(template, period=period, label=label, chart=chart, table=table)


@bp.get("/trends")
@require("county.view")
def trends():
    """The main figures of each township over the last twelve months (to this month, in
    Beijing), whatever period the dashboard shows: a page of its own, and the fragment the
    dashboard loads when it is scrolled to (HTMX)."""
    period = Period.last_months(12)
    rows, _total = county_figures(period, county_id=g.county.id)
    template = "county/_trends.html" if request.headers.get("HX-Request") else "county/trends.html"
    return render_template(template, period=period, trends=township_trends(rows))


def _export_name(period, ext):
    return f"{g.county.name}-{period.key}.{ext}".replace("..", "_")


@bp.get("/export.csv")
@require("county.view")
def export_csv():
    period, error = period_from_request()
    if error:
        abort(422)
    _, _, report = _report(period)
    table = {t.key: t for t in report["tables"]}.get(request.args.get("table", "figures"))
    if table is None:
        abort(404)
    audit.record("figures.export", user=current_user, detail={"county": g.county.name, "period": period.label(),
                                                              "table": table.key, "format": "csv"})
    db.session.commit()
    return csv_response(table, _export_name(period, "csv"), [(g.county.name, period.label())])


@bp.get("/export.xlsx")
@require("county.view")
def export_xlsx():
    period, error = period_from_request()
    if error:
        abort(422)
    _, _, report = _report(period)
    audit.record("figures.export", user=current_user, detail={"county": g.county.name, "period": period.label(),
                                                              "format": "xlsx"})
    db.session.commit()
    return xlsx_response(report["tables"], _export_name(period, "xlsx"), [(g.county.name, period.label())])


@bp.post("/townships")
@require("township.create")
@once_per_form
def create():
    form = TownshipForm()
    if not form.validate_on_submit():
        return _page(form, 422)
    try:
        tenant = create_township(g.county, form.slug.data, form.name.data.strip())
    except SlugTaken:
        form.slug.errors.append(_("This short name is already used by another township."))
        return _page(form, 422)
    db.session.commit()
    flash(_("Township %(name)s created. Now add its director.", name=tenant.name), "success")
    return redirect(url_for("staff.index", slug=tenant.slug))


# -- the county bureau's queue and the accountability flags of every township -----------


def _county_tenant_ids():
    return [t.id for t in g.county.townships]


@bp.get("/flags")
@require("county.view")
def flags():
    items = db.session.scalars(select(Flag).where(Flag.tenant_id.in_(_county_tenant_ids())).options(
        selectinload(Flag.case), selectinload(Flag.responsible_user), selectinload(Flag.responsible_department))
        .order_by(Flag.status == FlagStatus.RESOLVED, Flag.raised_at.desc()).limit(500)).all()
    return render_template("county/flags.html", items=items)


@bp.get("/escalations")
@require("county.view")
def escalations():
    items = db.session.scalars(select(Escalation).where(
        Escalation.tenant_id.in_(_county_tenant_ids()), Escalation.level == EscalationLevel.COUNTY)
        .options(selectinload(Escalation.case)).order_by(Escalation.acknowledged_at.is_not(None),
                                                         Escalation.created_at.desc()).limit(500)).all()
    return render_template("county/escalations.html", items=items, county_slugs=g.county_slugs, receivers=RECEIVERS)


def _escalation_or_404(escalation_id: int) -> Escalation:
    escalation = db.session.scalar(select(Escalation).where(
        Escalation.id == escalation_id, Escalation.tenant_id.in_(_county_tenant_ids()),
        Escalation.level == EscalationLevel.COUNTY))
    if escalation is None:
        abort(404)
    return escalation


@bp.post("/escalations/<int:escalation_id>/acknowledge")
@require("county.view")
def acknowledge(escalation_id: int):
    escalation = _escalation_or_404(escalation_id)
    # The one write of the county's pages into a township: inside that township's own scope.
    with tenant_scope(escalation.tenant_id):
        answer_refusals(lambda status, form: (redirect(url_for("county.escalations")), 303))
        acknowledge_escalation(escalation, g.membership)
        db.session.commit()
    flash(_("Acknowledged."), "success")
    return redirect(url_for("county.escalations"))


@bp.route("/escalations/<int:escalation_id>/instruct", methods=["GET", "POST"])
@require("escalations.answer")
@once_per_form
def instruct(escalation_id: int):
    """批示 of the county bureau on a case reported to it, written into the township's record."""
    escalation = _escalation_or_404(escalation_id)
    form = InstructionForm()
    case_url = url_for("cases.show", slug=g.county_slugs[escalation.tenant_id], case_id=escalation.case_id)
    if form.validate_on_submit():
        with tenant_scope(escalation.tenant_id):
            try:
                instruct_escalation(escalation, g.membership, text=form.text.data.strip())
            except Refused as refusal:
                refusal_beside(form, refusal)
            else:
                db.session.commit()
                flash(_("Saved."), "success")
                return redirect(url_for("county.escalations"))
    return render_template("deadlines/instruct.html", escalation=escalation, form=form,
                           case_url=case_url), form_status(form)
