"""Which audit entries a township's director and the county see, and the filters on them."""
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, or_, select

from tenants.models import Membership
from webapp.audit import AuditEvent
from webapp.extensions import db
from webapp.timelimits import BEIJING

PAGE_SIZE = 50


def start_of_day(day: date) -> datetime:
    """A day of the filter is a day in the county (Beijing time)."""
    return datetime.combine(day, time.min, tzinfo=BEIJING)


def township_entries(tenant_id: int):
    """What happened in the township, and the sign-ins, lockouts and second-factor changes of
    its members (those belong to no township)."""
    members = select(Membership.user_id).where(Membership.tenant_id == tenant_id)
    return or_(AuditEvent.tenant_id == tenant_id,
               and_(AuditEvent.tenant_id.is_(None), AuditEvent.user_id.in_(members)))


def county_entries(county_id: int, township_ids):
    """Everything in the county's townships, and every entry of no township whose person is a
    member of the county, or unknown (a failed sign-in with a name no account has)."""
    members = select(Membership.user_id).where(Membership.county_id == county_id)
    return or_(AuditEvent.tenant_id.in_(list(township_ids)),
               and_(AuditEvent.tenant_id.is_(None),
                    or_(AuditEvent.user_id.is_(None), AuditEvent.user_id.in_(members))))


def filtered(where, form):
    query = select(AuditEvent).where(where)
    data = form.data
    if data.get("person"):
        query = query.where(AuditEvent.username == data["person"].strip())
    if data.get("action"):
        query = query.where(AuditEvent.event == data["action"])
    if data.get("case"):
        query = query.where(AuditEvent.detail["case"].as_string() == data["case"].strip())
    if data.get("since"):
        query = query.where(AuditEvent.at >= start_of_day(data["since"]))
    if data.get("until"):
        query = query.where(AuditEvent.at < start_of_day(data["until"] + timedelta(days=1)))
    return query.order_by(AuditEvent.id.desc())


def page_of(query, page: int):
    """One page, newest first, and whether there is a next one."""
    rows = db.session.scalars(query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).all()
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def actions(where) -> list[str]:
    return db.session.scalars(select(AuditEvent.event).where(where).distinct().order_by(AuditEvent.event)).all()
