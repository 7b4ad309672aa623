from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tenants.models import COUNTY_ROLES
from tenants.scope import all_tenants
from tenants.operations import SlugTaken, create_township
from webapp.cases.operations import Refused
from webapp.county import bp
from webapp.deadlines.models import Escalation, EscalationLevel, Flag, FlagStatus
from webapp.deadlines.operations import acknowledge_escalation
from webapp.county.forms import TownshipForm
from webapp.extensions import db
from webapp.permissions import require


@bp.before_request
@login_required
def _county_membership():
    memberships = [m for m in current_user.memberships if m.active and m.role in COUNTY_ROLES]
    if not memberships:
        abort(403)
    g.membership = memberships[0]
    g.county = memberships[0].county
    g.county_slugs = {t.id: t.slug for t in g.county.townships}


def _page(form, status=200):
    return render_template("county/index.html", townships=g.county.townships, form=form), status


@bp.get("/")
@require("county.view")
def index():
    return _page(TownshipForm())


@bp.post("/townships")
@require("township.create")
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
    with all_tenants():
        items = db.session.scalars(select(Flag).where(Flag.tenant_id.in_(_county_tenant_ids())).options(
            selectinload(Flag.case), selectinload(Flag.responsible_user), selectinload(Flag.responsible_department))
            .order_by(Flag.status == FlagStatus.RESOLVED, Flag.raised_at.desc()).limit(500)).all()
        return render_template("county/flags.html", items=items)


@bp.get("/escalations")
@require("county.view")
def escalations():
    with all_tenants():
        items = db.session.scalars(select(Escalation).where(
            Escalation.tenant_id.in_(_county_tenant_ids()), Escalation.level == EscalationLevel.COUNTY)
            .options(selectinload(Escalation.case)).order_by(Escalation.acknowledged_at.is_not(None),
                                                             Escalation.created_at.desc()).limit(500)).all()
        return render_template("county/escalations.html", items=items, county_slugs=g.county_slugs)


@bp.post("/escalations/<int:escalation_id>/acknowledge")
@require("county.view")
def acknowledge(escalation_id: int):
    with all_tenants():
        escalation = db.session.scalar(select(Escalation).where(
            Escalation.id == escalation_id, Escalation.tenant_id.in_(_county_tenant_ids())))
        if escalation is None:
            abort(404)
        try:
            acknowledge_escalation(escalation, g.membership)
        except Refused as refusal:
            db.session.rollback()
            flash(refusal.message, "error")
            return redirect(url_for("county.escalations")), 303
        db.session.commit()
    flash(_("Acknowledged."), "success")
    return redirect(url_for("county.escalations"))
