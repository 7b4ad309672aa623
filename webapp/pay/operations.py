"""Changes to the roster and the rate schedule. Each checks the rule it carries, changes,
and flushes; the view commits once."""
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select

from tenants.models import Membership, Role
from webapp import audit, timelimits
from webapp.extensions import db
from webapp.cases.models import Difficulty
from webapp.pay.models import Employment, Outcome, PayRate, RosterEntry, StaffKind
from webapp.pay.rates import ALL_KEYS, cell_key, start_of_day
from webapp.villages.models import Village

# Accounts that can be put on the roster: the people who mediate or keep watch.
ROSTER_ROLES = (Role.MEDIATOR, Role.OFFICER, Role.TOWNSHIP_ADMIN)


class PayError(Exception):
    """A rule of the roster or the schedule forbids this; ``field`` is where the form shows it."""

    def __init__(self, message, field: str):
        super().__init__(message)
        self.message = message
        self.field = field


def _period(entry: RosterEntry) -> str:
    end = entry.active_to.isoformat() if entry.active_to else "…"
    return f"{entry.active_from.isoformat()} – {end}"


def _overlapping(tenant_id: int, entry: RosterEntry | None, active_from: date, active_to: date | None):
    """Entries of the township whose period meets [active_from, active_to]."""
    conditions = [
        RosterEntry.tenant_id == tenant_id,
        or_(RosterEntry.active_to.is_(None), RosterEntry.active_to >= active_from),
    ]
    if active_to is not None:
        conditions.append(RosterEntry.active_from <= active_to)
    if entry is not None and entry.id is not None:
        conditions.append(RosterEntry.id != entry.id)
    return select(RosterEntry).where(and_(*conditions)).order_by(RosterEntry.active_from)


def save_roster_entry(tenant, entry: RosterEntry | None, *, user_id: int | None, name: str, kind: StaffKind,
                      employment: Employment, village_id: int | None, phone: str | None, active_from: date,
                      active_to: date | None) -> RosterEntry:
    """Put a person on the roster, or change their entry.

    A person with an account is linked to it, so the cases assigned to them count as theirs;
    part-time village mediators often have no account and are entered by name. One account
    has one entry at a time. A stability officer serves one village (综治维稳员 of a 村/社区),
    and a village has one officer at a time, so that each case of the village pays one officer.
    An empty phone keeps the stored one."""
    name = (name or "").strip()
    if user_id:
        membership = db.session.scalar(select(Membership).where(
            Membership.user_id == user_id, Membership.tenant_id == tenant.id, Membership.role.in_(ROSTER_ROLES)))
        if membership is None:
            raise PayError(_l("Choose an account of this township's mediators, officers or directors."), "account")
        name = name or membership.user.name
    elif not name:
        raise PayError(_l("Enter the name of a person without an account."), "name")
    if active_to is not None and active_to < active_from:
        raise PayError(_l("The last day cannot be before the first day."), "active_to")
    if village_id is not None and db.session.scalar(
            select(Village.id).where(Village.id == village_id, Village.tenant_id == tenant.id)) is None:
        raise PayError(_l("Choose a village of this township."), "village")
    if kind == StaffKind.OFFICER and village_id is None:
        raise PayError(_l("A stability officer serves one village: choose it."), "village")
    others = db.session.scalars(_overlapping(tenant.id, entry, active_from, active_to)).all()
    if user_id:
        clash = next((o for o in others if o.user_id == user_id), None)
        if clash is not None:
            raise PayError(_l("This account is on the roster already for %(period)s: end that entry first.",
                              period=_period(clash)), "account")
    if kind == StaffKind.OFFICER:
        clash = next((o for o in others if o.kind == StaffKind.OFFICER and o.village_id == village_id), None)
        if clash is not None:
            raise PayError(_l("%(name)s is this village's stability officer for %(period)s: "
                              "a village has one officer at a time.", name=clash.name, period=_period(clash)),
                           "village")
    entry = entry or RosterEntry(tenant_id=tenant.id)
    entry.user_id, entry.name, entry.kind, entry.employment = user_id or None, name, kind, employment
    entry.village_id, entry.active_from, entry.active_to = village_id, active_from, active_to
    entry.starts_at = start_of_day(active_from)
    entry.ends_at = start_of_day(active_to + timedelta(days=1)) if active_to is not None else None
    if phone:
        entry.phone = phone
    db.session.add(entry)
    db.session.flush()
    return entry


def set_rates(tenant, actor, *, valid_from: date, amounts: dict, allow_past: bool = False) -> list[PayRate]:
    """Set the whole schedule from ``valid_from`` on (以案定补 rates, each ≥ 0).

    A day that has begun may not be given new rates: a month already reported must read the
    same later. Setting the schedule again for the same future day replaces what was set for
    it. ``allow_past`` is for the demo's history only."""
    if not allow_past and valid_from < timelimits.today():
        raise PayError(_l("New rates take effect from today or a later day: past months keep the rates "
                          "they were paid at."), "valid_from")
    missing = [key for key in ALL_KEYS if key not in amounts]
    if missing:
        raise PayError(_l("Every rate is needed."), missing[0])
    existing = {cell_key(r.kind, r.employment, r.difficulty, r.outcome): r for r in db.session.scalars(
        select(PayRate).where(PayRate.tenant_id == tenant.id, PayRate.valid_from == valid_from))}
    saved = []
    for key in ALL_KEYS:
        amount = amounts[key]
        if amount is None or amount < 0:
            raise PayError(_l("A rate is an amount of 0 yuan or more."), key)
        rate = existing.get(key)
        if rate is None:
            kind, employment, difficulty, outcome = key.split("-")
            rate = PayRate(tenant_id=tenant.id, kind=StaffKind(kind), employment=Employment(employment),
                           difficulty=Difficulty(difficulty), outcome=Outcome(outcome), valid_from=valid_from, starts_at=start_of_day(valid_from))
            db.session.add(rate)
        rate.amount = amount
        rate.set_by_id = getattr(actor, "user_id", None)
        saved.append(rate)
    audit.record("pay.rates_set", user=getattr(actor, "user", None), tenant=tenant,
                 detail={"valid_from": valid_from.isoformat(), "amounts": {k: str(v) for k, v in amounts.items()}})
    db.session.flush()
    return saved
