"""All time-limit arithmetic (限时办结制度) lives here.

The limit follows the difficulty set at assessment: ordinary 7, complex 20, major 60
days from acceptance, per tenant. Days are calendar days. The traffic light turns yellow
when less than the tenant's threshold is left and red once the limit has passed.
"""
import enum
import math
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")

DEFAULT_LIMIT_DAYS = {"ordinary": 7, "complex": 20, "major": 60}
DEFAULT_YELLOW_DAYS = 3


class Light(str, enum.Enum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    NONE = "none"  # no running clock: not yet assessed, or finished


def today(now: datetime | None = None):
    """The calendar date in the county (Beijing time), which is what people count in."""
    from webapp.types import utcnow

    return (now or utcnow()).astimezone(BEIJING).date()


def limit_days(difficulty, settings=None) -> int:
    key = getattr(difficulty, "value", difficulty)
    if settings is not None:
        return settings.limit_days(key)
    return DEFAULT_LIMIT_DAYS[key]


def due_at(accepted_at: datetime, days: int) -> datetime:
    return accepted_at + timedelta(days=days)


def light(due: datetime | None, now: datetime, yellow_days: int = DEFAULT_YELLOW_DAYS) -> Light:
    if due is None:
        return Light.NONE
    left = due - now
    if left <= timedelta(0):
        return Light.RED
    if left < timedelta(days=yellow_days):
        return Light.YELLOW
    return Light.GREEN


def days_left(due: datetime | None, now: datetime) -> int | None:
    """Whole days left; negative once overdue (a case one hour late is -1)."""
    if due is None:
        return None
    return math.floor((due - now).total_seconds() / 86400)


# The clock runs while the center or a department is still working on a case.
RUNNING_STATES = frozenset({"assessed", "mediating", "referred", "returned", "escalated"})


def case_light(case, now: datetime, settings=None) -> Light:
    if getattr(case.state, "value", case.state) not in RUNNING_STATES:
        return Light.NONE
    yellow = settings.yellow_days if settings is not None else DEFAULT_YELLOW_DAYS
    return light(case.due_at, now, yellow)
