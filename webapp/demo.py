"""flask demo seed: the demo county, its townships, villages, departments and accounts, and
about sixty cases per township (``webapp.demo_cases``).

Idempotent: everything is found by its natural key before it is created, so running the
seed again changes nothing.
"""
import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from tenants.models import Membership, Role, Tenant
from tenants.operations import create_township, get_or_create_county
from tenants.scope import all_tenants, tenant_scope
from webapp.auth.models import User
from webapp.cases.models import Case
from webapp.cases.operations import prepare_township
from webapp.demo_cases import seed_cases
from webapp.meetings.demo import seed_meetings
from webapp.rounds.demo import seed_rounds
from webapp.pay.demo import seed_pay
from webapp.extensions import db
from webapp.referrals.models import Department, DepartmentKind
from webapp.staff.operations import create_county_user, create_staff
from webapp.supervision.demo import seed_supervision
from webapp.villages.demo import seed_councils, seed_officer_villages
from webapp.villages.models import Village, VillagerGroup
from worker.queue import jobs_left_to_the_worker, redis_is_up

cli = AppGroup("demo", help="Demo data.")

COUNTY = "腾冲市"

# slug, name, {village: [households per villager group]}
TOWNSHIPS = [
    ("mangbang", "芒棒镇", {
        "芒棒村": [24, 38, 56, 41],
        "赵营村": [29, 47, 63],
        "大蒿坪村": [18, 35, 52],
        "上营村": [44, 27, 71],
        "横河村": [33, 58],
        "芒棒社区": [86, 45],
    }),
    ("heshun", "和顺镇", {
        "水碓村": [31, 49, 22],
        "十字路村": [55, 37],
        "大庄村": [26, 61, 40],
        "和顺社区": [92, 48],
    }),
    ("jietou", "界头镇", {
        "界头村": [36, 53, 28],
        "永安村": [45, 19, 67],
        "新庄村": [30, 50],
        "大塘村": [58, 42, 25],
    }),
]

DEPARTMENTS = [
    ("{short}派出所", DepartmentKind.POLICE_STATION),
    ("{short}人民法庭", DepartmentKind.COURT),
    ("{short}司法所", DepartmentKind.JUDICIAL_OFFICE),
    ("{short}镇信访办", DepartmentKind.PETITION_OFFICE),
    ("{short}镇综治办", DepartmentKind.GOVERNANCE_OFFICE),
]

GROUP_NAMES = "一二三四五六七八九十"

STAFF = [
    ("admin", Role.TOWNSHIP_ADMIN, "调处中心主任"),
    ("clerk", Role.CLERK, "受理员"),
    ("mediator", Role.MEDIATOR, "调解员"),
    ("officer", Role.OFFICER, "综治维稳员"),
    ("police", Role.LIAISON, "派出所联络员"),
    ("party", Role.PARTY, "党委政府"),
]


def _user_exists(username: str) -> bool:
    return db.session.scalar(select(User.id).where(User.username == username)) is not None


def _seed_township(county, slug: str, name: str, villages: dict) -> Tenant:
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug)) or create_township(county, slug, name)
    prepare_township(tenant)
    short = name.removesuffix("镇")
    with tenant_scope(tenant.id):
        for village_name, households in villages.items():
            village = db.session.scalar(select(Village).where(Village.name == village_name))
            if village is None:
                kind = "community" if village_name.endswith("社区") else "village"
                village = Village(name=village_name, kind=kind)
                db.session.add(village)
            for index, count in enumerate(households):
                group_name = f"第{GROUP_NAMES[index]}村民小组"
                if not any(g.name == group_name for g in village.groups):
                    village.groups.append(VillagerGroup(name=group_name, households=count))
        departments = {}
        for pattern, kind in DEPARTMENTS:
            dept_name = pattern.format(short=short)
            dept = db.session.scalar(select(Department).where(Department.name == dept_name))
            if dept is None:
                dept = Department(name=dept_name, kind=kind)
                db.session.add(dept)
            departments[kind] = dept
        db.session.flush()
        password = current_app.config["DEMO_PASSWORD"]
        for suffix, role, title in STAFF:
            username = f"{slug}.{suffix}"
            if not _user_exists(username):
                dept = departments[DepartmentKind.POLICE_STATION] if role == Role.LIAISON else None
                create_staff(tenant, username, password, role, display_name=f"{name}{title}", department=dept)
    return tenant


def seed() -> None:
    # Only the county admin must use a second factor here: every other demo account signs in
    # with the password alone, and a newcomer sees the enrolment by signing in as county.admin.
    county = get_or_create_county(COUNTY, two_factor_roles=(Role.COUNTY_ADMIN,))
    password = current_app.config["DEMO_PASSWORD"]
    for username, role, title in [("county", Role.COUNTY_REVIEWER, "司法局审阅"),
                                  ("county.admin", Role.COUNTY_ADMIN, "司法局管理员")]:
        if not _user_exists(username):
            create_county_user(county, username, password, role, display_name=f"{COUNTY}{title}")
    for slug, name, villages in TOWNSHIPS:
        tenant = _seed_township(county, slug, name, villages)
        seed_cases(tenant)
        seed_meetings(tenant)
        seed_rounds(tenant)
        seed_pay(tenant)
        seed_councils(tenant)
        seed_officer_villages(tenant)
        seed_supervision(tenant)
    db.session.flush()


@cli.command("seed")
def seed_command():
    """Create (or complete) the demo data; safe to run again."""
    if redis_is_up():
        seed()
        db.session.commit()
    else:
        with jobs_left_to_the_worker():
            seed()
            db.session.commit()
        click.echo("The job queue is not running yet: the worker renders the case files as soon as it starts.")
    users = db.session.scalar(select(db.func.count(Membership.id)))
    with all_tenants():
        cases = db.session.scalar(select(db.func.count(Case.id)))
    click.echo(f"demo data ready: {len(TOWNSHIPS)} townships, {users} accounts, {cases} cases, "
               f"password {current_app.config['DEMO_PASSWORD']}")
