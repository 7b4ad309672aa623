from flask import abort, g, render_template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from webapp.extensions import db
from webapp.permissions import require
from webapp.villages import bp
from webapp.villages.models import Village


def get_village_or_404(village_id: int) -> Village:
    village = db.session.scalar(
        select(Village).where(Village.id == village_id, Village.tenant_id == g.tenant.id)
    )
    if village is None:
        abort(404)
    return village


@bp.get("/")
@require("villages.view")
def index():
    villages = db.session.scalars(
        select(Village).where(Village.tenant_id == g.tenant.id).options(selectinload(Village.groups)).order_by(Village.id)
    ).all()
    return render_template("villages/index.html", villages=villages)


@bp.get("/<int:village_id>")
@require("villages.view")
def show(village_id: int):
    return render_template("villages/show.html", village=get_village_or_404(village_id))
