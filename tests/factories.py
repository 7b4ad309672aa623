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


def meeting(tenant: Tenant, *, kind="mid_year", year=2026, decision: str | None = "请派出所牵头化解宅基地纠纷"):
    """A scheduled joint meeting (mid-year on 10 July, year-end on 20 December), with one decision by default."""
    from datetime import datetime

    from webapp.meetings import operations as meeting_operations
    from webapp.meetings.models import MeetingKind
    from webapp.timelimits import BEIJING

    director = member("township_admin", tenant)
    with tenant_scope(tenant.id):
        obj = meeting_operations.schedule_meeting(
            tenant, director, kind=MeetingKind(kind), year=year,
            starts_at=datetime(year, 7 if kind == "mid_year" else 12, 10 if kind == "mid_year" else 20, 9, tzinfo=BEIJING),
            place="镇政府会议室", chair="王主任")
        if decision:
            meeting_operations.add_decision(obj, director, text=decision)
    return obj


def council(tenant: Tenant, *, members: int = 5, confirm: bool = True, households: int | None = None):
    """The council of the township's first villager group (40 households unless told), with
    ``members`` members (the first its chair), confirmed unless told otherwise."""
    from webapp.villages import operations as village_operations
    from webapp.villages.models import CouncilMember, CouncilRole

    with tenant_scope(tenant.id):
        group = village_of(tenant).groups[0]
        if households is not None:
            group.households = households
        obj = village_operations.form_council(group=group)
        for i in range(len(obj.members), members):
            obj.members.append(CouncilMember(name=f"理事{i + 1}", role=CouncilRole.CHAIR if i == 0 else CouncilRole.MEMBER))
        db.session.flush()
        if confirm:
            village_operations.confirm_council(obj)
        return obj


def relocation_project(tenant: Tenant, *, name: str = "安置点", households: int = 36):
    """A relocation site in the township's first village, its five phases not started."""
    from webapp.villages import operations as village_operations

    with tenant_scope(tenant.id):
        return village_operations.save_project(None, name=name, village=village_of(tenant), households=households,
                                               notes="")


def roster_entry(tenant: Tenant, *, user=None, name="钱调解", kind="mediator", employment="part_time",
                 village=None, phone="13912345678", active_from=None, active_to=None):
    """A person on the township's roster (per-case pay), from 1 January 2020 by default."""
    from datetime import date

    from webapp.pay.models import Employment, StaffKind
    from webapp.pay.operations import save_roster_entry

    with tenant_scope(tenant.id):
        if kind == "officer" and village is None:
            village = village_of(tenant)
        return save_roster_entry(
            tenant, None, user_id=user.id if user is not None else None, name=name, kind=StaffKind(kind),
            employment=Employment(employment), village_id=village.id if village is not None else None, phone=phone,
            active_from=active_from or date(2020, 1, 1), active_to=active_to)


def investigation_round(tenant: Tenant, *, kind="monthly", due_on=None):
    """An investigation round opened today by the township's director (due at the month's end
    unless told)."""
    from webapp.rounds import operations as round_operations
    from webapp.rounds.models import RoundKind

    director = member("township_admin", tenant)
    with tenant_scope(tenant.id):
        return round_operations.open_round(tenant, director, kind=RoundKind(kind), due_on=due_on)


def reported_escalation(tenant: Tenant, target="party_committee"):
    """A case reported (上报) by the director to ``target``: its escalation."""
    from webapp.cases import operations
    from webapp.cases.models import Difficulty, EscalationTarget, Risk
    from webapp.deadlines.models import Escalation

    director = member("township_admin", tenant)
    obj = case(tenant, director, title="上报的纠纷")
    with tenant_scope(tenant.id):
        operations.assess_case(obj, director, difficulty=Difficulty.COMPLEX, risk=Risk.MAY_ESCALATE)
        operations.escalate_case(obj, director, target=EscalationTarget(target), note="可能激化")
        return db.session.scalar(select(Escalation).where(Escalation.case_id == obj.id))


def assignment(tenant: Tenant, title="12345热线交办纠纷"):
    """A dispute the county assigned to ``tenant``, not yet taken up."""
    from datetime import timedelta

    from webapp import timelimits
    from webapp.supervision import operations
    from webapp.supervision.models import AssignmentSource

    county_admin = member("county_admin", tenant)
    today = timelimits.today()
    with tenant_scope(tenant.id):
        return operations.assign(tenant, county_admin, title=title, parties="张某、李某", source=AssignmentSource.HOTLINE,
                                 take_up_on=today + timedelta(days=2), settle_on=today + timedelta(days=20))


def supervision_notice(tenant: Tenant, subject="调解成功率低于目标"):
    from datetime import timedelta

    from webapp import timelimits
    from webapp.supervision import operations
    from webapp.supervision.models import NoticeKind

    county_admin = member("county_admin", tenant)
    with tenant_scope(tenant.id):
        return operations.send_notice(tenant, county_admin, kind=NoticeKind.WARNING, subject=subject, body="请说明原因",
                                      answer_by=timelimits.today() + timedelta(days=5))
