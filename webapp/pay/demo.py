"""The demo's roster and rates, so that the pay report of a demo township has lines.

Called by ``flask demo seed`` after the cases: the township's mediator account (full-time),
its stability officer account (part-time, for the first village), an officer without an
account for every other village, and one part-time village mediator without an account.
Rates start before the demo's history and were raised on the 16th of last month, so the
report of last month shows both rates. A township with a roster or rates is left alone.
"""
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from tenants.scope import tenant_scope
from webapp import timelimits
from webapp.auth.models import User
from webapp.extensions import db
from webapp.pay.models import Employment, PayRate, RosterEntry, StaffKind
from webapp.pay.operations import save_roster_entry, set_rates
from webapp.pay.rates import TRACKS, CELLS, cell_key
from webapp.villages.models import Village

# Yuan per case for a part-time mediator; the other kinds and employments are shares of it.
BASE = {
    ("ordinary", "resolved"): 50, ("complex", "resolved"): 100, ("major", "resolved"): 200,
    ("ordinary", "referral_resolved"): 20, ("complex", "referral_resolved"): 40, ("major", "referral_resolved"): 80,
    ("ordinary", "failed"): 20, ("complex", "failed"): 30, ("major", "failed"): 50,
}
SHARE = {("mediator", "part_time"): Decimal("1"), ("mediator", "full_time"): Decimal("0.6"),
         ("officer", "part_time"): Decimal("0.4"), ("officer", "full_time"): Decimal("0.3")}
SURNAMES = "杨李赵段尹张王刘"
GIVEN = ["建华", "国才", "永明", "正兴", "家顺", "德昌", "兴旺", "发祥"]


def _schedule(raise_by: Decimal) -> dict:
    amounts = {}
    for (kind, employment), (difficulty, outcome) in ((t, c) for t in TRACKS for c in CELLS):
        base = Decimal(BASE[(difficulty.value, outcome.value)])
        amount = base * SHARE[(kind.value, employment.value)] * raise_by
        amounts[cell_key(kind, employment, difficulty, outcome)] = amount.quantize(Decimal("0.01"))
    return amounts


def seed_pay(tenant) -> None:
    with tenant_scope(tenant.id):
        if db.session.scalar(select(RosterEntry.id).limit(1)) is not None or \
                db.session.scalar(select(PayRate.id).limit(1)) is not None:
            return
        today = timelimits.today()
        since = date(today.year - 1, 1, 1)
        last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=16)
        set_rates(tenant, None, valid_from=since, amounts=_schedule(Decimal("1")), allow_past=True)
        set_rates(tenant, None, valid_from=last_month, amounts=_schedule(Decimal("1.2")), allow_past=True)

        villages = db.session.scalars(select(Village).order_by(Village.id)).all()
        account = {u.username: u for u in db.session.scalars(
            select(User).where(User.username.in_([f"{tenant.slug}.mediator", f"{tenant.slug}.officer"])))}
        entry = dict(phone=None, active_from=since, active_to=None)
        if f"{tenant.slug}.mediator" in account:
            save_roster_entry(tenant, None, user_id=account[f"{tenant.slug}.mediator"].id, name="",
                              kind=StaffKind.MEDIATOR, employment=Employment.FULL_TIME, village_id=None, **entry)
        save_roster_entry(tenant, None, user_id=None, name="杨建明", kind=StaffKind.MEDIATOR,
                          employment=Employment.PART_TIME, village_id=villages[0].id if villages else None,
                          **dict(entry, phone="13908750001"))
        for index, village in enumerate(villages):
            officer = account.get(f"{tenant.slug}.officer") if index == 0 else None
            save_roster_entry(tenant, None, user_id=officer.id if officer else None,
                              name="" if officer else f"{SURNAMES[(index + 1) % len(SURNAMES)]}{GIVEN[index % len(GIVEN)]}",
                              kind=StaffKind.OFFICER, employment=Employment.PART_TIME, village_id=village.id,
                              **dict(entry, phone=f"139087{index + 10:05d}"))
