from flask import g, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from tenants.models import COUNTY_ROLES, Membership
from webapp.extensions import db
from webapp.home import bp, work
from webapp.permissions import can, require
from webapp.supervision.models import Assignment
from webapp.types import utcnow
from webapp.villages.models import Village, VillagerGroup


@bp.get("/")
@login_required
def index():
    """Send each user to where their work is: one township, the county, or a choice."""
    memberships = [m for m in current_user.memberships if m.active]
    county = [m for m in memberships if m.role in COUNTY_ROLES]
    townships = [m for m in memberships if m.role not in COUNTY_ROLES]
    if county and not townships:
        return redirect(url_for("county.index"))
    if len(townships) == 1 and not county:
        return redirect(url_for("home.township", slug=townships[0].tenant.slug))
    return render_template("home/choose.html", county=county, townships=townships)


@bp.get("/t/<slug>/")
@require("township.view")
def township():
    """The member's work list (``work.sections``), then the township's figures."""
    tenant_id = g.tenant.id
    figures = {
        "villages": db.session.scalar(select(func.count(Village.id)).where(Village.tenant_id == tenant_id)),
        "groups": db.session.scalar(
            select(func.count(VillagerGroup.id)).where(VillagerGroup.tenant_id == tenant_id)
        ),
        "staff": db.session.scalar(
            select(func.count(Membership.id)).where(Membership.tenant_id == tenant_id, Membership.active.is_(True))
        ),
    }
    if can("assignments.take_up"):
        figures["assigned"] = db.session.scalar(select(func.count(Assignment.id)).where(
            Assignment.tenant_id == tenant_id, Assignment.case_id.is_(None)))
    return render_template("home/township.html", figures=figures, sections=work.sections(g.membership, utcnow()))
