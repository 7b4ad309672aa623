"""The rate schedule: what a case pays, by the person's kind and employment, the case's
difficulty and its outcome, and from which day.

A rate is in force from 00:00 Beijing time on its ``valid_from`` day until a later rate
of the same cell takes over. The report looks up, for each case, the rate in force at the
moment its outcome was recorded; rates are only ever set from today on, so a month that
is over never changes when the rates do.
"""
from datetime import date, datetime, time, timezone
from decimal import Decimal
from itertools import product

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from webapp.cases.models import Difficulty
from webapp.extensions import db
from webapp.labels import register
from webapp.pay.models import Employment, Outcome, PayRate, StaffKind
from webapp.timelimits import BEIJING

KIND_LABELS = register("pay_staff_kind", {StaffKind.MEDIATOR: _l("Mediator"),
                                          StaffKind.OFFICER: _l("Stability officer")})
EMPLOYMENT_LABELS = register("pay_employment", {Employment.FULL_TIME: _l("Full-time"),
                                                Employment.PART_TIME: _l("Part-time")})
OUTCOME_LABELS = register("pay_outcome", {
    Outcome.RESOLVED: _l("Resolved by agreement"),
    Outcome.REFERRAL_RESOLVED: _l("Resolved by a department after referral"),
    Outcome.FAILED: _l("Mediation failed"),
})
DIFFICULTY_LABELS = register("pay_difficulty", {Difficulty.ORDINARY: _l("Ordinary"), Difficulty.COMPLEX: _l("Complex"),
                                                Difficulty.MAJOR: _l("Major")})

# The schedule's tables (one per kind and employment) and their cells.
TRACKS = [(k, e) for k in StaffKind for e in Employment]
CELLS = [(d, o) for o in Outcome for d in Difficulty]


def cell_key(kind, employment, difficulty, outcome) -> str:
    """The form field and dictionary key of one rate: ``mediator-full_time-ordinary-resolved``."""
    return "-".join(getattr(x, "value", x) for x in (kind, employment, difficulty, outcome))


ALL_KEYS = [cell_key(k, e, d, o) for (k, e), (d, o) in product(TRACKS, CELLS)]


def start_of_day(day: date) -> datetime:
    """00:00 Beijing time on ``day``, as a UTC moment."""
    return datetime.combine(day, time.min, tzinfo=BEIJING).astimezone(timezone.utc)


def rates_on(tenant_id: int, day: date) -> dict[str, PayRate]:
    """The rate of every cell in force on ``day`` (a cell never set is missing)."""
    rows = db.session.scalars(
        select(PayRate).where(PayRate.tenant_id == tenant_id, PayRate.valid_from <= day)
        .order_by(PayRate.valid_from)
    ).all()
    found = {}
    for rate in rows:  # later days overwrite earlier ones
        found[cell_key(rate.kind, rate.employment, rate.difficulty, rate.outcome)] = rate
    return found


def schedule_days(tenant_id: int) -> list[date]:
    """Every day the schedule changed (or will change), newest first."""
    return list(db.session.scalars(
        select(PayRate.valid_from).where(PayRate.tenant_id == tenant_id).distinct()
        .order_by(PayRate.valid_from.desc())
    ))


def amounts_on(tenant_id: int, day: date) -> dict[str, Decimal]:
    return {key: rate.amount for key, rate in rates_on(tenant_id, day).items()}
