"""Accounts and their memberships: creating staff, changing roles, resetting passwords."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from tenants.models import COUNTY_ROLES, County, Membership, Role, Tenant
from webapp.auth.models import User, normal_username
from webapp.auth.operations import set_password
from webapp.auth.passwords import hash_password, policy_error
from webapp.extensions import db


class StaffError(ValueError):
    """Carries the form field it concerns, so views can show it beside that field."""

    def __init__(self, field: str, message):
        super().__init__(str(message))
        self.field = field
        self.message = message


def _check_new_user(username: str, password: str) -> None:
    # Compared without case: sign-in does (webapp.auth.operations.find_user).
    if db.session.scalar(select(User.id).where(func.lower(User.username) == normal_username(username))) is not None:
        raise StaffError("username", _l("This username is already taken."))
    error = policy_error(password)
    if error:
        raise StaffError("password", error)


def create_staff(tenant: Tenant, username: str, password: str, role: Role, *, display_name: str = "",
                 department=None) -> Membership:
    """A new account with one role in ``tenant``; a liaison belongs to one department."""
    if role in COUNTY_ROLES:
        raise StaffError("role", _l("County roles are not given inside a township."))
    if role == Role.LIAISON and department is None:
        raise StaffError("department", _l("A liaison belongs to a department: choose one."))
    if department is not None and department.tenant_id != tenant.id:
        raise StaffError("department", _l("Unknown department."))
    _check_new_user(username, password)
    user = User(username=normal_username(username), display_name=display_name, password_hash=hash_password(password))
    membership = Membership(
        user=user, county_id=tenant.county_id, tenant_id=tenant.id, role=role,
        department_id=department.id if role == Role.LIAISON else None,
    )
    db.session.add_all([user, membership])
    db.session.flush()
    return membership


def create_county_user(county: County, username: str, password: str, role: Role, *,
                       display_name: str = "") -> Membership:
    if role not in COUNTY_ROLES:
        raise StaffError("role", _l("Township roles need a township."))
    _check_new_user(username, password)
    user = User(username=normal_username(username), display_name=display_name, password_hash=hash_password(password))
    membership = Membership(user=user, county_id=county.id, tenant_id=None, role=role)
    db.session.add_all([user, membership])
    db.session.flush()
    return membership


def change_membership(membership: Membership, role: Role, active: bool, department=None) -> None:
    if role in COUNTY_ROLES:
        raise StaffError("role", _l("County roles are not given inside a township."))
    if role == Role.LIAISON and department is None:
        raise StaffError("department", _l("A liaison belongs to a department: choose one."))
    membership.role = role
    membership.active = active
    membership.department_id = department.id if role == Role.LIAISON else None
    db.session.flush()


def reset_password(user: User, password: str) -> None:
    error = policy_error(password)
    if error:
        raise StaffError("password", error)
    set_password(user, password)
    db.session.flush()
