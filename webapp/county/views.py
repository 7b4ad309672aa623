from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from tenants.models import COUNTY_ROLES
from tenants.operations import SlugTaken, create_township
from webapp.county import bp
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
