"""The county admin's changes: townships renamed, closed and reopened; accounts of the county
(its own, and every township's) deactivated, reactivated, reset and unlocked; the county's
security settings. Each is written to the audit log: who, whom, what (``webapp.audit`` adds
when and from where)."""
from sqlalchemy import select

from tenants.models import County, Membership, Tenant
from webapp import audit
from webapp.auth.models import CountySecurity, User
from webapp.auth.operations import end_sessions, issue_one_time_password, lift_lockout
from webapp.extensions import db


def _audit_account(event: str, user: User, by, **detail) -> None:
    audit.record(event, user=by, detail={"whom": user.username, "whom_id": user.id, **detail})


def _audit_township(event: str, tenant: Tenant, by, **detail) -> None:
    audit.record(event, user=by, tenant=tenant, detail={"township": tenant.slug, **detail})


def rename_township(tenant: Tenant, name: str, *, by=None) -> None:
    before = tenant.name
    tenant.name = name
    _audit_township("township.rename", tenant, by, before=before, after=name)
    db.session.flush()


def close_township(tenant: Tenant, *, by=None) -> None:
    """Nobody gets into a closed township any more (``tenants.web.grants``); its records stay,
    and the county still counts them."""
    tenant.active = False
    _audit_township("township.close", tenant, by)
    db.session.flush()


def reopen_township(tenant: Tenant, *, by=None) -> None:
    tenant.active = True
    _audit_township("township.reopen", tenant, by)
    db.session.flush()


def county_memberships(user: User, county: County) -> list[Membership]:
    return [m for m in user.memberships if m.county_id == county.id]


def deactivate_account(user: User, county: County, *, by=None) -> None:
    """Never a deletion: the account can no longer sign in, its memberships in the county are
    set inactive, and its sessions end at once. Its name stays on every record."""
    user.active = False
    for membership in county_memberships(user, county):
        membership.active = False
    end_sessions(user, "deactivated")
    _audit_account("account.deactivate", user, by)
    db.session.flush()


def reactivate_account(user: User, county: County, *, by=None) -> None:
    user.active = True
    for membership in county_memberships(user, county):
        membership.active = True
    _audit_account("account.reactivate", user, by)
    db.session.flush()


def reset_account_password(user: User, *, by=None) -> str:
    password = issue_one_time_password(user)
    _audit_account("account.reset_password", user, by)
    db.session.flush()
    return password


def unlock_account(user: User, *, by=None) -> None:
    lift_lockout(user)
    _audit_account("account.unlock", user, by)
    db.session.flush()


def security_of(county: County) -> CountySecurity:
    """The county's security settings (not yet saved: the defaults)."""
    found = db.session.scalar(select(CountySecurity).where(CountySecurity.county_id == county.id))
    return found or CountySecurity(county_id=county.id, password_max_age_days=None)


def save_security(county: County, *, password_max_age_days: int | None, by=None) -> CountySecurity:
    settings = security_of(county)
    before = settings.password_max_age_days
    settings.password_max_age_days = password_max_age_days
    db.session.add(settings)
    if before != password_max_age_days:
        audit.record("county.security", user=by, detail={"password_max_age_days": [before, password_max_age_days]})
    db.session.flush()
    return settings
