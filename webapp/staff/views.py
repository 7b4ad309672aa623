from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tenants.models import Membership, Role
from webapp.extensions import db
from webapp.permissions import GRANTABLE, can, require
from webapp.referrals.models import Department
from webapp.staff import bp
from webapp.staff.forms import MembershipForm, StaffForm
from webapp.staff.operations import StaffError, change_membership, create_staff
from webapp.submissions import once_per_form


def get_membership_or_404(membership_id: int) -> Membership:
    membership = db.session.scalar(
        select(Membership).where(Membership.id == membership_id, Membership.tenant_id == g.tenant.id)
    )
    if membership is None:
        abort(404)
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
    return render_template("staff/index.html", staff=staff, form=form), status


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
        )
    except StaffError as error:
        getattr(form, error.field).errors.append(error.message)
        return _list_page(form, 422)
    db.session.commit()
    flash(_("Account %(name)s created.", name=form.username.data), "success")
    return redirect(url_for("staff.index"))


@bp.route("/<int:membership_id>", methods=["GET", "POST"])
@require("staff.view")
def edit(membership_id: int):
    membership = get_membership_or_404(membership_id)
    form = MembershipForm(
        role=membership.role.value, active=membership.active, department=membership.department_id or 0
    ).setup(_grantable() | {membership.role}, _departments())
    if form.is_submitted():
        if not can("staff.manage"):
            abort(403)
        if form.validate():
            try:
                change_membership(
                    membership, Role(form.role.data), form.active.data, _department(form.department.data)
                )
            except StaffError as error:
                getattr(form, error.field).errors.append(error.message)
            else:
                db.session.commit()
                flash(_("Saved."), "success")
                return redirect(url_for("staff.index"))
        return render_template("staff/edit.html", membership=membership, form=form), 422
    return render_template("staff/edit.html", membership=membership, form=form)
