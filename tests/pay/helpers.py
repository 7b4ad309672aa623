"""Cases that reach their outcome at a chosen moment, and rate schedules written out by hand."""
from datetime import date, datetime, timedelta
from decimal import Decimal

from tests import factories
from webapp.cases import operations
from webapp.cases.models import Difficulty, NextStep, Risk
from webapp.pay.operations import set_rates
from webapp.pay.rates import ALL_KEYS
from webapp.timelimits import BEIJING
from webapp.types import clock_at


def beijing(month: int, day: int, hour: int = 10, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BEIJING)


def schedule(tenant, valid_from: date, **amounts):
    """Rates from ``valid_from``: every cell 0 except those named, e.g.
    ``mediator_part_time_ordinary_resolved="50"``."""
    values = {key: Decimal("0") for key in ALL_KEYS}
    for name, amount in amounts.items():
        kind, employment_a, employment_b, difficulty, *outcome = name.split("_")
        key = "-".join([kind, f"{employment_a}_{employment_b}", difficulty, "_".join(outcome)])
        assert key in values, key
        values[key] = Decimal(amount)
    return set_rates(tenant, None, valid_from=valid_from, amounts=values, allow_past=True)


def mediating(tenant, director, mediator, when, *, difficulty=Difficulty.ORDINARY, village=None, title="宅基地纠纷"):
    """A case registered, assessed and taken on by ``mediator`` two hours before ``when``."""
    with clock_at(when - timedelta(hours=2)):
        case = factories.case(tenant, director, title=title, village=village)
        operations.assess_case(case, director, difficulty=difficulty, risk=Risk.RESOLVABLE)
        operations.start_mediation(case, director, assignee_id=mediator.user_id)
    return case


def resolved(tenant, director, mediator, when, **fields):
    case = mediating(tenant, director, mediator, when, **fields)
    with clock_at(when):
        operations.resolve_case(case, mediator, text="双方达成协议", signed_on=when.astimezone(BEIJING).date())
    return case


def failed(tenant, director, mediator, when, **fields):
    case = mediating(tenant, director, mediator, when, **fields)
    with clock_at(when):
        operations.fail_case(case, mediator, next_step=NextStep.LITIGATION, note="双方分歧较大")
    return case


def referral_resolved(tenant, director, mediator, liaison, when, **fields):
    """Mediated first, then referred to the police station, which reports success at ``when``."""
    case = mediating(tenant, director, mediator, when, **fields)
    with clock_at(when - timedelta(hours=1)):
        operations.refer_case(case, director, department=factories.department_of(tenant))
        operations.accept_referral(case, liaison)
    with clock_at(when):
        operations.complete_referral(case, liaison, result="派出所调解成功")
    return case
