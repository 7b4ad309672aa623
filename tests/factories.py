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


def member(role, tenant: Tenant, **fields) -> Membership:
    return user(role, tenant, **fields).memberships[0]


def case(tenant: Tenant, actor: Membership | None = None, *, title="邻里宅基地纠纷", source="visit", parties=None,
         **fields):
    """A registered case with one applicant (with phone, ID number and address) by default."""
    from webapp.cases.models import PartyRole, Source
    from webapp.cases.operations import prepare_township, register_case

    actor = actor or member("township_admin", tenant)
    if parties is None:
        parties = [{"name": "张三", "role": PartyRole.APPLICANT, "phone": "13812345678",
                    "id_number": "53052219900101123X", "address": "芒棒镇赵营村三组12号"}]
    with tenant_scope(tenant.id):
        prepare_township(tenant)
        return register_case(tenant, actor, title=title, source=Source(source), parties=parties, **fields)


def referred_case(tenant: Tenant):
    """A case referred to the township's police station, with an attachment."""
    from webapp.cases import operations
    from webapp.cases.models import Difficulty, Risk
    from webapp.storage import DirectoryStorage

    director = member("township_admin", tenant)
    obj = case(tenant, director)
    with tenant_scope(tenant.id):
        operations.assess_case(obj, director, difficulty=Difficulty.ORDINARY, risk=Risk.RESOLVABLE)
        operations.refer_case(obj, director, department=department_of(tenant))
        import tempfile

        operations.add_attachment(obj, director, filename="现场.png", content_type="image/png",
                                  data=b"\x89PNG\r\n\x1a\n" + b"0" * 64, storage=DirectoryStorage(tempfile.gettempdir()))
    return obj
