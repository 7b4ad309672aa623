"""Accounts and their memberships: creating staff, changing roles, deactivating and
reactivating, resetting passwords, lifting lockouts. Every change by a director or the county
admin is written to the audit log: who, whom, what (and, by ``webapp.audit``, from where)."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from tenants.models import COUNTY_ROLES, County, Membership, Role, Tenant
from webapp import audit
from webapp.auth.models import User, normal_username
from webapp.auth.operations import end_sessions, issue_one_time_password, lift_lockout, set_password
from webapp.auth.passwords import hash_password, policy_error
from webapp.extensions import db
from webapp.types import utcnow


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
                 department=None, by=None) -> Membership:
    """A new account with one role in ``tenant``; a liaison belongs to one department."""
    if role in COUNTY_ROLES:
        raise StaffError("role", _l("County roles are not given inside a township."))
    if role == Role.LIAISON and department is None:
        raise StaffError("department", _l("A liaison belongs to a department: choose one."))
    if department is not None and department.tenant_id != tenant.id:
        raise StaffError("department", _l("Unknown department."))
    _check_new_user(username, password)
    user = User(username=normal_username(username), display_name=display_name, password_hash=hash_password(password),
                password_changed_at=utcnow())
    membership = Membership(
        user=user, county_id=tenant.county_id, tenant_id=tenant.id, role=role,
        department_id=department.id if role == Role.LIAISON else None,
    )
    db.session.add_all([user, membership])
    db.session.flush()
    if by is not None:
        _audit("staff.create", membership, by, role=role.value)
    return membership


def create_county_user(county: County, username: str, password: str, role: Role, *,
                       display_name: str = "", by=None) -> Membership:
    if role not in COUNTY_ROLES:
        raise StaffError("role", _l("Township roles need a township."))
    _check_new_user(username, password)
    user = User(username=normal_username(username), display_name=display_name, password_hash=hash_password(password),
                password_changed_at=utcnow())
    membership = Membership(user=user, county_id=county.id, tenant_id=None, role=role)
    db.session.add_all([user, membership])
    db.session.flush()
    if by is not None:
        _audit("county.account_create", membership, by, role=role.value)
    return membership


def change_membership(membership: Membership, role: Role, active: bool, department=None, *, by=None) -> None:
    if role in COUNTY_ROLES:
        raise StaffError("role", _l("County roles are not given inside a township."))
    if role == Role.LIAISON and department is None:
        raise StaffError("department", _l("A liaison belongs to a department: choose one."))
    before = membership.role
    membership.role = role
    membership.department_id = department.id if role == Role.LIAISON else None
    if before != role:
        _audit("staff.role", membership, by, before=before.value, after=role.value)
    if active and not membership.active:
        reactivate(membership, by=by)
    elif not active and membership.active:
        deactivate(membership, by=by)
    db.session.flush()


def _audit(event: str, membership: Membership, by, **detail) -> None:
    audit.record(event, user=by, tenant=membership.tenant,
                 detail={"whom": membership.user.username, "whom_id": membership.user_id, **detail})


def deactivate(membership: Membership, *, by=None) -> None:
    """Never a deletion: the name stays on every record the member touched. Without another
    active membership the account can no longer sign in; its sessions end at once."""
    membership.active = False
    user = membership.user
    if not any(m.active for m in user.memberships if m is not membership):
        user.active = False
        end_sessions(user, "deactivated")
    _audit("staff.deactivate", membership, by)
    db.session.flush()


def reactivate(membership: Membership, *, by=None) -> None:
    membership.active = True
    membership.user.active = True
    _audit("staff.reactivate", membership, by)
    db.session.flush()


def reset_to_one_time_password(membership: Membership, *, by=None) -> str:
    """A one-time password, shown once to who reset it: it works for 24 hours, and the member
    must set their own at the next sign-in. Their sessions end; a lockout is lifted."""
    password = issue_one_time_password(membership.user)
    _audit("staff.reset_password", membership, by)
    db.session.flush()
    return password


def unlock(membership: Membership, *, by=None) -> None:
    lift_lockout(membership.user)
    _audit("staff.unlock", membership, by)
    db.session.flush()


def reset_password(user: User, password: str) -> None:
    error = policy_error(password)
    if error:
        raise StaffError("password", error)
    set_password(user, password)
    db.session.flush()
