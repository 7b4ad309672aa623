"""A township's own figures: the page, and its tables as CSV and XLSX."""
from flask import abort, g, render_template, request
from flask_login import current_user
from sqlalchemy import select

from webapp import audit
from webapp.figures import bp, follow_through
from webapp.figures.exports import csv_response, xlsx_response
from webapp.figures.periods import period_from_request, picker_choices
from webapp.figures.queries import by_department, by_village, township_figures
from webapp.figures.report import definitions, tiles, township_report
from webapp.extensions import db
from webapp.permissions import require
from webapp.villages.models import Village


@bp.app_template_global()
def period_choices(selected):
    """What the period picker's select offers (``figures/_macros.html``), on the county's pages too."""
    return picker_choices(selected)


def _report(period):
    tenant_id = g.tenant.id
    row = township_figures(tenant_id, period)
    return row, township_report(row, by_village(tenant_id, period), by_department(tenant_id, period))


@bp.get("/")
@require("figures.view")
def index():
    period, error = period_from_request()
    row, report = _report(period)
    duties = follow_through.township_tables(g.tenant.id, period, _villages())
    return render_template("figures/township.html", period=period, period_error=error, row=row, report=report,
                           tiles=tiles(row), follow_through=duties,
                           definitions=definitions() + follow_through.definitions()), 422 if error else 200


def _villages():
    return db.session.scalars(select(Village).where(Village.tenant_id == g.tenant.id).order_by(Village.id)).all()


def _filename(period, ext):
    return f"{g.tenant.name}-{period.key}.{ext}".replace("..", "_")


def _preface(period):
    return [(g.tenant.name, period.label())]


@bp.get("/export.csv")
@require("figures.view")
def export_csv():
    period, error = period_from_request()
    if error:
        abort(422)
    _, report = _report(period)
    tables = {t.key: t for t in report["tables"]}
    table = tables.get(request.args.get("table", "figures"))
    if table is None:
        abort(404)
    audit.record("figures.export", user=current_user, tenant=g.tenant,
                 detail={"period": period.label(), "table": table.key, "format": "csv"})
    db.session.commit()
    return csv_response(table, _filename(period, "csv"), _preface(period))


@bp.get("/export.xlsx")
@require("figures.view")
def export_xlsx():
    period, error = period_from_request()
    if error:
        abort(422)
    _, report = _report(period)
    audit.record("figures.export", user=current_user, tenant=g.tenant,
                 detail={"period": period.label(), "format": "xlsx"})
    db.session.commit()
    return xlsx_response(report["tables"], _filename(period, "xlsx"), _preface(period))
