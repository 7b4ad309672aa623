from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tenants.models import COUNTY_ROLES, Membership, Role
from webapp.extensions import db
from webapp.permissions import GRANTABLE, can, require
from webapp.referrals.models import Department
from webapp.staff import bp
from webapp.staff.forms import MembershipForm, StaffForm
from webapp.staff.operations import (
    StaffError, change_membership, create_staff, reset_to_one_time_password, unlock,
)
from webapp.types import utcnow
from webapp.submissions import once_per_form


def get_membership_or_404(membership_id: int) -> Membership:
    """A member of this township; a county account (one that holds a county role, even if it
    is a member here too) is not the township's to see or touch: 404, as another township's."""
    membership = db.session.scalar(
        select(Membership).where(Membership.id == membership_id, Membership.tenant_id == g.tenant.id)
    )
    if membership is None or any(m.role in COUNTY_ROLES for m in membership.user.memberships):
        abort(404)
    return membership


def may_manage(membership: Membership) -> bool:
    """Whether this manager may change ``membership``: not their own (that is their account's
    page), and a director leaves other directors to the county (who alone makes directors)."""
    if membership.user_id == current_user.id:
        return False
    return g.membership.role != Role.TOWNSHIP_ADMIN or membership.role != Role.TOWNSHIP_ADMIN


def get_manageable_or_404(membership_id: int) -> Membership:
    membership = get_membership_or_404(membership_id)
    if not may_manage(membership):
        abort(403)
    return membership


def _departments():
    return db.session.scalars(select(Department).where(Department.tenant_id == g.tenant.id).order_by(Department.id)).all()


def _department(department_id: int):
    if not department_id:
        return None
    return db.session.scalar(
        select(Department).where(Department.id == department_id, Department.tenant_id == g.tenant.id)
    )


def _grantable():
    return GRANTABLE.get(g.membership.role, frozenset())


def _list_page(form, status=200):
    staff = db.session.scalars(
        select(Membership)
        .where(Membership.tenant_id == g.tenant.id)
        .options(joinedload(Membership.user), joinedload(Membership.department))
        .order_by(Membership.active.desc(), Membership.role, Membership.id)
    ).all()
    return render_template("staff/index.html", staff=staff, form=form, now=utcnow()), status


@bp.get("/")
@require("staff.view")
def index():
    return _list_page(StaffForm().setup(_grantable(), _departments()))


@bp.post("/")
@require("staff.manage")
@once_per_form
def create():
    form = StaffForm().setup(_grantable(), _departments())
    if not form.validate_on_submit():
        return _list_page(form, 422)
    try:
        create_staff(
            g.tenant, form.username.data, form.password.data, Role(form.role.data),
            display_name=form.display_name.data.strip(), department=_department(form.department.data),
            by=current_user,
        )
    except StaffError as error:
        getattr(form, error.field).errors.append(error.message)
        return _list_page(form, 422)
    db.session.commit()
    flash(_("Account %(name)s created.", name=form.username.data), "success")
    return redirect(url_for("staff.index"))


def _edit_page(membership, form, status=200):
    return render_template("staff/edit.html", membership=membership, form=form, manageable=may_manage(membership),
                           locked=membership.user.is_locked(utcnow())), status


@bp.route("/<int:membership_id>", methods=["GET", "POST"])
@require("staff.view")
def edit(membership_id: int):
    membership = get_membership_or_404(membership_id)
    form = MembershipForm(
        role=membership.role.value, active=membership.active, department=membership.department_id or 0
    ).setup(_grantable() | {membership.role}, _departments())
    if form.is_submitted():
        if not can("staff.manage") or not may_manage(membership):
            abort(403)
        if form.validate():
            role = Role(form.role.data)
            if role != membership.role and role not in _grantable():
                form.role.errors.append(_("Only the county makes a member a director."))
                return _edit_page(membership, form, 422)
            try:
                change_membership(
                    membership, role, form.active.data, _department(form.department.data), by=current_user
                )
            except StaffError as error:
                db.session.rollback()
                getattr(form, error.field).errors.append(error.message)
            else:
                db.session.commit()
                flash(_("Saved."), "success")
                return redirect(url_for("staff.index"))
        return _edit_page(membership, form, 422)
    return _edit_page(membership, form)


@bp.post("/<int:membership_id>/reset-password")
@require("staff.reset")
def reset_password(membership_id: int):
    """The one-time password is shown on this answer alone, once: it is not stored readable."""
    membership = get_manageable_or_404(membership_id)
    password = reset_to_one_time_password(membership, by=current_user)
    db.session.commit()
    return render_template("staff/one_time_password.html", member=membership.user, password=password,
                           back=url_for("staff.edit", membership_id=membership.id)), 200, {"Cache-Control": "no-store"}


@bp.post("/<int:membership_id>/unlock")
@require("staff.reset")
def lift_lockout(membership_id: int):
    membership = get_manageable_or_404(membership_id)
    unlock(membership, by=current_user)
    db.session.commit()
    flash(_("The lockout of %(name)s is lifted.", name=membership.user.name), "success")
    return redirect(url_for("staff.edit", membership_id=membership.id))
