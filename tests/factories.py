"""Small builders for test data. Each returns a flushed object."""
import itertools
from functools import lru_cache

from sqlalchemy import select

from tenants.models import COUNTY_ROLES, County, Membership, Role, Tenant
from tenants.scope import tenant_scope
from webapp.auth.models import User
from webapp.auth.passwords import hash_password
from webapp.extensions import db
from webapp.referrals.models import Department, DepartmentKind
from webapp.villages.models import Village, VillagerGroup

PASSWORD = "Test-pass-1"
_numbers = itertools.count(1)


@lru_cache(maxsize=1)
def _password_hash() -> str:
    # Hashing once keeps the suite fast; logging in still runs the real argon2 check.
    return hash_password(PASSWORD)


def county(name="测试县") -> County:
    found = db.session.scalar(select(County).where(County.name == name))
    if found:
        return found
    obj = County(name=name)
    db.session.add(obj)
    db.session.flush()
    return obj


def township(county_obj: County, slug: str, name: str) -> Tenant:
    """A township with one village, one villager group and a police-station department."""
    tenant = Tenant(county=county_obj, slug=slug, name=name)
    db.session.add(tenant)
    db.session.flush()
    with tenant_scope(tenant.id):
        village = Village(name=f"{name}一村", groups=[VillagerGroup(name="第一村民小组", households=40)])
        department = Department(name=f"{name}派出所", kind=DepartmentKind.POLICE_STATION)
        db.session.add_all([village, department])
        db.session.flush()
    return tenant


def department_of(tenant: Tenant) -> Department:
    with tenant_scope(tenant.id):
        return db.session.scalar(select(Department).where(Department.tenant_id == tenant.id).order_by(Department.id))


def village_of(tenant: Tenant) -> Village:
    with tenant_scope(tenant.id):
        return db.session.scalar(select(Village).where(Village.tenant_id == tenant.id).order_by(Village.id))


def user(role, tenant: Tenant, username: str | None = None, **fields) -> User:
    role = Role(role)
    username = username or f"{role.value}.{next(_numbers)}"
    obj = User(username=username, display_name=fields.pop("display_name", username),
               password_hash=_password_hash(), **fields)
    membership = Membership(user=obj, role=role, county_id=tenant.county_id)
    if role not in COUNTY_ROLES:
        membership.tenant_id = tenant.id
    if role == Role.LIAISON:
        membership.department_id = department_of(tenant).id
    db.session.add_all([obj, membership])
    db.session.flush()
    return obj
