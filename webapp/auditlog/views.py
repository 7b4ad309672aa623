"""The audit log for review: newest first, filtered, 50 to a page, and the same as CSV."""
from flask import Response, g, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from webapp import audit, spreadsheets
from webapp.auditlog import bp, county_bp
from webapp.auditlog.forms import AuditFilterForm
from webapp.auditlog.queries import actions, county_entries, filtered, page_of, township_entries
from webapp.county.access import resolve_county_member
from webapp.extensions import db
from webapp.input_rules import record_id
from webapp.permissions import require
from webapp.timelimits import BEIJING

county_bp.before_request(resolve_county_member)


def _listing(where, export_endpoint, tenant=None):
    form = AuditFilterForm(request.args).setup(actions(where))
    if request.args and not form.validate():
        return render_template("auditlog/index.html", form=form, entries=[], page=1, more=False,
                               export_endpoint=export_endpoint), 422
    page = max(record_id(request.args.get("page") or 1), 1)
    entries, more = page_of(filtered(where, form), page)
    return render_template("auditlog/index.html", form=form, entries=entries, page=page, more=more,
                           export_endpoint=export_endpoint)


def _csv(where, name, tenant=None):
    form = AuditFilterForm(request.args).setup(actions(where))
    if not form.validate():
        return _listing(where, request.endpoint, tenant)
    entries = db.session.scalars(filtered(where, form)).all()
    audit.record("audit.export", user=current_user, tenant=tenant,
                 detail={"filters": {k: str(v) for k, v in form.data.items() if v}, "rows": len(entries)})
    db.session.commit()
    header = [_("Time"), _("Person"), _("Action"), _("Succeeded"), _("Township"), _("Address"), _("Detail"),
              _("Entry"), _("Hash")]
    rows = [[e.at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S"), e.username or "", e.event,
             "1" if e.success else "0", e.tenant_id or "", e.ip or "", e.detail or "", e.id, e.entry_hash or ""]
            for e in entries]
    return Response(spreadsheets.csv_text([header, *rows]).encode("utf-8"), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


@bp.get("/")
@require("audit.view")
def index():
    return _listing(township_entries(g.tenant.id), "auditlog.export", g.tenant)


@bp.get("/export.csv")
@require("audit.view")
def export():
    return _csv(township_entries(g.tenant.id), f"audit-{g.tenant.slug}", g.tenant)


def _county_where():
    return county_entries(g.county.id, g.county_slugs)


@county_bp.get("/", endpoint="index")
@require("audit.view")
def index_county():
    return _listing(_county_where(), "county_audit.export")


@county_bp.get("/export.csv", endpoint="export")
@require("audit.view")
def export_county():
    return _csv(_county_where(), "audit-county")
