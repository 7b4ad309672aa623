"""All time-limit arithmetic (限时办结制度) lives here.

The limit follows the difficulty set at assessment: ordinary 7, complex 20, major 60 days
from acceptance, per township. A township counts calendar days (the default) or working
days, which follow China's published holidays and make-up working days (调休, from the
``chinesecalendar`` package) with the township's own overrides; a year the package does
not cover falls back to Monday–Friday plus overrides, and ``uncovered_years`` says so.

The clock can be paused (an expert appraisal, a party unreachable): a pause moves the
deadline by the time it lasted — in working-day mode, by the working days it touched.

From the deadline follow the moments the sweep acts on, stored on the case so that the
sweep is plain comparisons: ``warn_at`` (yellow: fewer than the township's warning days
left), ``due_at`` (red), ``escalate_at`` (overdue by more than the escalation days),
``report_by`` (a 可激化 case must be reported within 24 hours of assessment) and
``handle_by`` (a case assigned from above must be taken up in time).
"""
import enum
import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

BEIJING = ZoneInfo("Asia/Shanghai")

DEFAULT_LIMIT_DAYS = {"ordinary": 7, "complex": 20, "major": 60}
DEFAULT_YELLOW_DAYS = 3
REPORT_WITHIN = timedelta(hours=24)

# The clock runs while the center or a department is still working on a case.
RUNNING_STATES = frozenset({"assessed", "mediating", "referred", "returned", "escalated"})


class Light(str, enum.Enum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    PAUSED = "paused"
    NONE = "none"  # no running clock: not yet assessed, or finished


def today(now: datetime | None = None) -> date:
    """The calendar date in the county (Beijing time), which is what people count in."""
    from webapp.types import utcnow

    return (now or utcnow()).astimezone(BEIJING).date()


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=BEIJING)


# -- which days count -----------------------------------------------------------------------


def official_workday(day: date) -> bool | None:
    """China's published answer for ``day``, or None for a year the calendar does not cover."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


def uncovered_years(years) -> list[int]:
    """Years for which working days fall back to Monday–Friday (plus the township's overrides)."""
    return [y for y in sorted(set(years)) if official_workday(date(y, 6, 1)) is None]


@dataclass(frozen=True)
class WorkCalendar:
    working_days: bool = False
    overrides: tuple = ()  # ((date, is_workday), ...) set by the township

    @property
    def unit(self) -> str:
        return "working" if self.working_days else "calendar"

    def is_workday(self, day: date) -> bool:
        if not self.working_days:
            return True
        for override_day, is_workday in self.overrides:
            if override_day == day:
                return is_workday
        official = official_workday(day)
        return official if official is not None else day.weekday() < 5

    def add_days(self, start: datetime, days: int) -> datetime:
        """``days`` after ``start``: exactly, in calendar mode; in working-day mode, the end of
        the ``days``-th working day after the day of ``start`` (a case accepted on Friday with
        one working day is due at the end of Monday, or later after a holiday)."""
        if not self.working_days:
            return start + timedelta(days=days)
        day = start.astimezone(BEIJING).date()
        counted = 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_workday(day):
                counted += 1
        return _start_of(day + timedelta(days=1))

    def subtract_days(self, end: datetime, days: int) -> datetime:
        """The moment when ``days`` are left before ``end``."""
        if not self.working_days:
            return end - timedelta(days=days)
        # ``end`` is the end of a working day; step back over ``days`` working days.
        day = (end - timedelta(microseconds=1)).astimezone(BEIJING).date()
        counted = 0
        while counted < days:
            if self.is_workday(day):
                counted += 1
            day -= timedelta(days=1)
        return _start_of(day + timedelta(days=1))

    def days_touched(self, start: datetime, end: datetime) -> int:
        """Working days on which a pause from ``start`` to ``end`` stopped the clock."""
        first, last = start.astimezone(BEIJING).date(), end.astimezone(BEIJING).date()
        return sum(1 for n in range((last - first).days + 1) if self.is_workday(first + timedelta(days=n)))

    def days_left(self, due: datetime | None, now: datetime) -> int | None:
        """Whole days left in this calendar's unit; negative once overdue (one hour late is -1)."""
        if due is None:
            return None
        if not self.working_days:
            return math.floor((due - now).total_seconds() / 86400)
        if now >= due:
            return -max(1, self.days_touched(due, now))
        first, last = today(now), (due - timedelta(microseconds=1)).astimezone(BEIJING).date()
        return sum(1 for n in range(1, (last - first).days + 1) if self.is_workday(first + timedelta(days=n)))


CALENDAR_DAYS = WorkCalendar()


def calendar_for(settings, overrides=()) -> WorkCalendar:
    if settings is None or not getattr(settings, "count_working_days", False):
        return CALENDAR_DAYS
    return WorkCalendar(True, tuple(overrides))


# -- limits and deadlines -------------------------------------------------------------------


def limit_days(difficulty, settings=None) -> int:
    key = getattr(difficulty, "value", difficulty)
    if settings is not None:
        return settings.limit_days(key)
    return DEFAULT_LIMIT_DAYS[key]


def due_at(accepted_at: datetime, days: int, calendar: WorkCalendar = CALENDAR_DAYS) -> datetime:
    return calendar.add_days(accepted_at, days)


@dataclass(frozen=True)
class Deadlines:
    due_at: datetime
    warn_at: datetime
    escalate_at: datetime


def deadlines(accepted_at: datetime, days: int, pauses, settings, calendar: WorkCalendar) -> Deadlines:
    """The deadline and the moments around it, with finished pauses added to the clock.

    ``pauses`` are (started_at, ended_at) pairs of pauses that have ended.
    """
    due = calendar.add_days(accepted_at, days)
    for started, ended in pauses:
        if calendar.working_days:
            due = calendar.add_days(_last_moment_of(due), calendar.days_touched(started, ended))
        else:
            due += ended - started
    yellow = getattr(settings, "yellow_days", DEFAULT_YELLOW_DAYS)
    escalate_after = getattr(settings, "escalate_after_days", 3)
    # A working-day deadline is the end of a day (midnight); counting on from midnight itself
    # would skip the first overdue day, so count from the last moment of the day it ends.
    escalate = calendar.add_days(_last_moment_of(due) if calendar.working_days else due, escalate_after)
    return Deadlines(due, calendar.subtract_days(due, yellow), escalate)


def _last_moment_of(end_of_day: datetime) -> datetime:
    return end_of_day - timedelta(microseconds=1)


def light(due: datetime | None, now: datetime, yellow_days: int = DEFAULT_YELLOW_DAYS,
          warn_at: datetime | None = None) -> Light:
    if due is None:
        return Light.NONE
    if now >= due:
        return Light.RED
    if now >= (warn_at or due - timedelta(days=yellow_days)):
        return Light.YELLOW
    return Light.GREEN


def days_left(due: datetime | None, now: datetime, calendar: WorkCalendar = CALENDAR_DAYS) -> int | None:
    return calendar.days_left(due, now)


def share_left(case, now: datetime) -> float | None:
    """The share of the time limit still left, from 1.0 at acceptance to 0 at the deadline."""
    if case.due_at is None or case.accepted_at is None:
        return None
    total = (case.due_at - case.accepted_at).total_seconds()
    return max(0.0, (case.due_at - now).total_seconds() / total) if total > 0 else 0.0


def case_light(case, now: datetime, settings=None) -> Light:
    """The case's traffic light: red past the deadline, yellow from ``warn_at`` on."""
    if getattr(case.state, "value", case.state) not in RUNNING_STATES:
        return Light.NONE
    if getattr(case, "paused_since", None) is not None:
        return Light.PAUSED
    yellow = settings.yellow_days if settings is not None else DEFAULT_YELLOW_DAYS
    return light(case.due_at, now, yellow, getattr(case, "warn_at", None))
