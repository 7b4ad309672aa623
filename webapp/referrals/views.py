from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tenants.models import Role
from webapp.cases import operations
from webapp.cases.access import get_case_or_404
from webapp.cases.models import Referral, ReferralStatus
from webapp.errors import answer_refusals
from webapp.extensions import db, htmx
from webapp.permissions import require
from webapp.referrals import bp

OPEN = (ReferralStatus.PENDING, ReferralStatus.ACCEPTED)


def _referrals():
    query = select(Referral).where(Referral.tenant_id == g.tenant.id).options(
        joinedload(Referral.case), joinedload(Referral.department))
    if g.membership.role == Role.LIAISON:
        query = query.where(Referral.department_id == g.membership.department_id)
    return query


def get_referral_or_404(referral_id: int) -> Referral:
    referral = db.session.scalar(_referrals().where(Referral.id == referral_id))
    if referral is None:
        abort(404)
    return referral


@bp.get("/")
@require("referral.inbox")
def inbox():
    open_ones = db.session.scalars(_referrals().where(Referral.status.in_(OPEN)).order_by(Referral.referred_at)).all()
    finished = db.session.scalars(_referrals().where(Referral.status.not_in(OPEN))
                                  .order_by(Referral.finished_at.desc()).limit(30)).all()
    return render_template("referrals/inbox.html", open_ones=open_ones, finished=finished)


@bp.post("/<int:referral_id>/accept")
@require("referral.inbox")
def accept(referral_id: int):
    referral = get_referral_or_404(referral_id)
    case = get_case_or_404(referral.case_id)
    answer_refusals(lambda status, form: redirect(url_for("referrals.inbox")))
    operations.accept_referral(case, g.membership)
    db.session.commit()
    flash(_("Accepted %(number)s. Record the mediation on the case page.", number=case.number), "success")
    if htmx:
        return render_template("referrals/_row.html", referral=referral)
    return redirect(url_for("cases.show", case_id=case.id))

