"""The county admin's pages: townships (renamed, closed, reopened), the county's accounts and
every township's directors (reset, lockout, deactivation), and the county's security settings.
Every other member of a township is managed from that township's staff page, which the county
admin reaches too (``webapp.staff``)."""
from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from tenants.models import Membership, Role, Tenant
from webapp.auth.models import User
from webapp.county import bp
from webapp.county.forms import CountyAccountForm, RenameTownshipForm, SecurityForm
from webapp.county.operations import (
    close_township, county_memberships, deactivate_account, reactivate_account, rename_township, reopen_township,
    reset_account_password, save_security, security_of, unlock_account,
)
from webapp.extensions import db
from webapp.forms import form_status
from webapp.permissions import require
from webapp.staff.operations import StaffError, create_county_user
from webapp.submissions import once_per_form
from webapp.types import utcnow


def get_township_or_404(township_id: int) -> Tenant:
    tenant = db.session.scalar(select(Tenant).where(Tenant.id == township_id, Tenant.county_id == g.county.id))
    if tenant is None:
        abort(404)
    return tenant


def get_account_or_404(user_id: int) -> User:
    """An account with a membership in this county; any other answers 404."""
    user = db.session.scalar(select(User).where(User.id == user_id, exists().where(
        Membership.user_id == User.id, Membership.county_id == g.county.id)))
    if user is None:
        abort(404)
    return user


def get_other_account_or_404(user_id: int) -> User:
    """As above, but not the admin's own account (that is the account page's business)."""
    user = get_account_or_404(user_id)
    if user.id == current_user.id:
        abort(403)
    return user


# -- townships ----------------------------------------------------------------------------


def _townships_page(failed=None, status=200):
    townships = db.session.scalars(select(Tenant).where(Tenant.county_id == g.county.id).order_by(Tenant.id)).all()
    return render_template("county/townships.html", townships=townships, failed=failed), status


@bp.get("/townships/")
@require("township.create")
def townships():
    return _townships_page()


@bp.post("/townships/<int:township_id>")
@require("township.create")
def rename(township_id: int):
    tenant = get_township_or_404(township_id)
    form = RenameTownshipForm()
    if not form.validate_on_submit():
        return _townships_page(failed=(tenant.id, form), status=422)
    rename_township(tenant, form.name.data.strip(), by=current_user)
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for("county.townships"))


@bp.post("/townships/<int:township_id>/close")
@require("township.create")
def close(township_id: int):
    tenant = get_township_or_404(township_id)
    close_township(tenant, by=current_user)
    db.session.commit()
    flash(_("%(name)s is closed: nobody can enter it now. Its records stay.", name=tenant.name), "success")
    return redirect(url_for("county.townships"))


@bp.post("/townships/<int:township_id>/reopen")
@require("township.create")
def reopen(township_id: int):
    tenant = get_township_or_404(township_id)
    reopen_township(tenant, by=current_user)
    db.session.commit()
    flash(_("%(name)s is open again.", name=tenant.name), "success")
    return redirect(url_for("county.townships"))


# -- accounts -----------------------------------------------------------------------------


def _accounts_page(form, status=200):
    county_accounts = db.session.scalars(
        select(Membership).where(Membership.county_id == g.county.id, Membership.tenant_id.is_(None))
        .options(selectinload(Membership.user)).order_by(Membership.role, Membership.id)).all()
    directors = db.session.scalars(
        select(Membership).where(Membership.county_id == g.county.id, Membership.role == Role.TOWNSHIP_ADMIN)
        .options(selectinload(Membership.user), selectinload(Membership.tenant))
        .order_by(Membership.tenant_id, Membership.id)).all()
    townships = db.session.scalars(select(Tenant).where(Tenant.county_id == g.county.id).order_by(Tenant.id)).all()
    return render_template("county/accounts.html", county_accounts=county_accounts, directors=directors,
                           townships=townships, form=form, now=utcnow()), status


@bp.get("/accounts/")
@require("county.accounts")
def accounts():
    return _accounts_page(CountyAccountForm().setup())


@bp.post("/accounts/")
@require("county.accounts")
@once_per_form
def new_account():
    form = CountyAccountForm().setup()
    if not form.validate_on_submit():
        return _accounts_page(form, 422)
    try:
        create_county_user(g.county, form.username.data, form.password.data, Role(form.role.data),
                           display_name=form.display_name.data.strip(), by=current_user)
    except StaffError as error:
        db.session.rollback()
        getattr(form, error.field).errors.append(error.message)
        return _accounts_page(form, 422)
    db.session.commit()
    flash(_("Account %(name)s created.", name=form.username.data), "success")
    return redirect(url_for("county.accounts"))


@bp.get("/accounts/<int:user_id>")
@require("county.accounts")
def account(user_id: int):
    user = get_account_or_404(user_id)
    return render_template("county/account.html", account=user, memberships=county_memberships(user, g.county),
                           locked=user.is_locked(utcnow()), own=user.id == current_user.id)


def _back(user):
    return redirect(url_for("county.account", user_id=user.id))


@bp.post("/accounts/<int:user_id>/reset-password")
@require("county.accounts")
def reset_password(user_id: int):
    user = get_other_account_or_404(user_id)
    password = reset_account_password(user, by=current_user)
    db.session.commit()
    return render_template("staff/one_time_password.html", member=user, password=password,
                           back=url_for("county.account", user_id=user.id)), 200, {"Cache-Control": "no-store"}


@bp.post("/accounts/<int:user_id>/unlock")
@require("county.accounts")
def unlock(user_id: int):
    user = get_other_account_or_404(user_id)
    unlock_account(user, by=current_user)
    db.session.commit()
    flash(_("The lockout of %(name)s is lifted.", name=user.name), "success")
    return _back(user)


@bp.post("/accounts/<int:user_id>/deactivate")
@require("county.accounts")
def deactivate(user_id: int):
    user = get_other_account_or_404(user_id)
    deactivate_account(user, g.county, by=current_user)
    db.session.commit()
    flash(_("%(name)s can no longer sign in; their sessions have ended.", name=user.name), "success")
    return _back(user)


@bp.post("/accounts/<int:user_id>/reactivate")
@require("county.accounts")
def reactivate(user_id: int):
    user = get_other_account_or_404(user_id)
    reactivate_account(user, g.county, by=current_user)
    db.session.commit()
    flash(_("%(name)s can sign in again.", name=user.name), "success")
    return _back(user)


# -- security settings --------------------------------------------------------------------


@bp.route("/security", methods=["GET", "POST"])
@require("county.security")
def security():
    settings = security_of(g.county)
    form = SecurityForm(data={"password_max_age_days": settings.password_max_age_days})
    if form.validate_on_submit():
        save_security(g.county, password_max_age_days=form.password_max_age_days.data, by=current_user)
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("county.security"))
    return render_template("county/security.html", form=form), form_status(form)
