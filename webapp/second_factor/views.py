"""Resetting a member's second factor, and the county's list of roles that must use one."""
from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from tenants.models import Membership, Role
from webapp import audit
from webapp.auth import two_factor
from webapp.auth.models import SecondFactor, User
from webapp.county.access import resolve_county_member
from webapp.extensions import db
from webapp.labels import role_label
from webapp.permissions import require
from webapp.second_factor import bp, county_bp
from webapp.second_factor.forms import RequiredRolesForm

county_bp.before_request(resolve_county_member)


def _member_of_township_or_404(membership_id: int) -> Membership:
    """A membership of this township (a county account is not one: 404, like another township's)."""
    membership = db.session.scalar(
        select(Membership).where(Membership.id == membership_id, Membership.tenant_id == g.tenant.id))
    if membership is None:
        abort(404)
    return membership


@bp.post("/<int:membership_id>/two-factor/reset")
@require("staff.manage")
def reset(membership_id: int):
    """The director resets a member's second factor (a lost phone): the member signs in with the
    password and, if their role must use one, enrols a new one at once."""
    membership = _member_of_township_or_404(membership_id)
    two_factor.remove(membership.user, by=current_user, tenant=g.tenant)
    db.session.commit()
    flash(_("The second factor of %(name)s is reset.", name=membership.user.name), "success")
    return redirect(url_for("staff.edit", membership_id=membership.id))


def _user_of_county_or_404(user_id: int) -> User:
    member = db.session.scalar(select(Membership.id).where(Membership.user_id == user_id,
                                                           Membership.county_id == g.county.id).limit(1))
    user = db.session.get(User, user_id) if member is not None else None
    if user is None:
        abort(404)
    return user


@county_bp.post("/accounts/<int:user_id>/two-factor/reset")
@require("county.security")
def reset_county(user_id: int):
    """The county admin resets the second factor of any account of the county."""
    user = _user_of_county_or_404(user_id)
    two_factor.remove(user, by=current_user)
    db.session.commit()
    flash(_("The second factor of %(name)s is reset.", name=user.name), "success")
    return redirect(url_for("county_second_factor.settings"))


def _settings_page(form, status=200):
    members = db.session.scalars(select(Membership).where(Membership.county_id == g.county.id,
                                                          Membership.active.is_(True))
                                 .order_by(Membership.tenant_id.is_not(None), Membership.tenant_id,
                                           Membership.role, Membership.id)).all()
    enrolled = {user_id for user_id in db.session.scalars(
        select(SecondFactor.user_id).where(SecondFactor.confirmed_at.is_not(None)))}
    required = two_factor.required_roles(g.county.two_factor_roles)
    return render_template("second_factor/settings.html", form=form, members=members, enrolled=enrolled,
                           required=required), status


@county_bp.route("/security/two-factor", methods=["GET", "POST"])
@require("county.security")
def settings():
    """Which roles of the county must use a second factor (a new county: director, county admin
    and county reviewer). A member of such a role enrols at their next sign-in."""
    form = RequiredRolesForm().setup(role_label)
    if not form.is_submitted():
        form.roles.data = sorted(two_factor.required_roles(g.county.two_factor_roles))
        return _settings_page(form)
    if not form.validate():
        return _settings_page(form, 422)
    before = g.county.two_factor_roles
    g.county.two_factor_roles = ",".join(role.value for role in Role if role.value in set(form.roles.data))
    audit.record("county.two_factor_roles", user=current_user,
                 detail={"before": before, "after": g.county.two_factor_roles})
    db.session.commit()
    flash(_("Saved: members of these roles enrol a second factor at their next sign-in."), "success")
    return redirect(url_for("county_second_factor.settings"))


@bp.app_context_processor
def _second_factor_on():
    """``second_factor_on(user)`` for the staff pages' include (``second_factor/_reset.html``)."""
    return {"second_factor_on": two_factor.has_second_factor}
