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
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import chinese_calendar
from sqlalchemy import and_, or_
from sqlalchemy import case as when

from webapp.types import utcnow

BEIJING = ZoneInfo("Asia/Shanghai")

DEFAULT_LIMIT_DAYS = {"ordinary": 7, "complex": 20, "major": 60}
DEFAULT_YELLOW_DAYS = 3
REPORT_WITHIN = timedelta(hours=24)

# States by their values (``CaseState`` is a ``str`` enum, so ``CaseState.MEDIATING in
# RUNNING_STATES`` holds, and SQL compares them as they are stored). The clock runs while the
# center or a department is still working on a case:
RUNNING_STATES = ("assessed", "mediating", "referred", "returned", "escalated")
# A 可激化 case must be reported to the township's party committee and government (报告党委、
# 政府), or higher, until it is or it is finished. The center's own director is not that report.
FINISHED = ("closed", "archived")
REPORTED_TO = ("party_committee", "county_bureau")
# A case assigned from above must be taken up (assessed) in time:
NOT_TAKEN_UP = ("registered",)


# Supervision from above (交办, 督办, DOMAIN.md): a day given as a deadline is met until its end,
# Beijing time, and the township is warned this long before an assignment's time to take it up
# runs out.
ASSIGNMENT_WARN_BEFORE = timedelta(days=1)


def end_of_day(day: date) -> datetime:
    """The moment a deadline given as a day passes: the next midnight in the county."""
    return _start_of(day + timedelta(days=1)).astimezone(timezone.utc)


def assignment_warn_at(take_up_by: datetime) -> datetime:
    return take_up_by - ASSIGNMENT_WARN_BEFORE


def passed(moment: datetime | None, now: datetime | None = None) -> bool:
    return moment is not None and moment <= (now or utcnow())


class Light(str, enum.Enum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"
    PAUSED = "paused"
    NONE = "none"  # no running clock: not yet assessed, or finished


def today(now: datetime | None = None) -> date:
    """The calendar date in the county (Beijing time), which is what people count in."""
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
        """Whole days left in this calendar's unit; negative from the deadline on, exactly when
        the light is red (at the deadline itself -1, one hour late -1, a day and an hour -2)."""
        if due is None:
            return None
        if not self.working_days:
            left = math.floor((due - now).total_seconds() / 86400)
            return min(left, -1) if now >= due else left
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


def share_left(case, now: datetime) -> float | None:
    """The share of the time limit still left, from 1.0 at acceptance to 0 at the deadline."""
    if case.due_at is None or case.accepted_at is None:
        return None
    total = (case.due_at - case.accepted_at).total_seconds()
    return max(0.0, (case.due_at - now).total_seconds() / total) if total > 0 else 0.0


# -- the rules of the clock, once in Python and once in SQL ---------------------------------
#
# Which states run the clock, how the light follows from the case's moments, and which
# moments the sweep watches: each rule is written here twice, for one case in Python (pages,
# cards, the watch written on a move) and as a SQL expression over the case's columns (the
# sweep, the figures, the board), where ``c`` is ``Case`` or ``Case.__table__.c``.
# tests/deadlines/test_rules.py checks on both databases that the two agree on every state
# and at every boundary of the light.


def clock_runs(state, paused_since) -> bool:
    return state in RUNNING_STATES and paused_since is None


def clock_runs_sql(c):
    return and_(c.state.in_(RUNNING_STATES), c.paused_since.is_(None))


def light_of(state, paused_since, due_at: datetime | None, warn_at: datetime | None, now: datetime) -> Light:
    """Red from the deadline on, yellow from the warning moment (``yellow_days`` before the
    deadline, in the township's kind of days, stored on the case), green before; paused while
    the clock is; none without a running clock (not yet assessed, or finished)."""
    if state not in RUNNING_STATES:
        return Light.NONE
    if paused_since is not None:
        return Light.PAUSED
    if due_at is None:
        return Light.NONE
    if now >= due_at:
        return Light.RED
    if warn_at is not None and now >= warn_at:
        return Light.YELLOW
    return Light.GREEN


def light_conditions_sql(c, now) -> dict:
    """The condition of each light but NONE (``light_of`` in SQL), for ``count() FILTER``
    and ``WHERE``; a case meets at most one."""
    runs = clock_runs_sql(c)
    return {
        Light.PAUSED: and_(c.state.in_(RUNNING_STATES), c.paused_since.is_not(None)),
        Light.RED: and_(runs, c.due_at <= now),
        Light.YELLOW: and_(runs, c.due_at > now, c.warn_at <= now),
        Light.GREEN: and_(runs, c.due_at > now, or_(c.warn_at.is_(None), c.warn_at > now)),
    }


def light_sql(c, now):
    """The light's value ('green', …, 'none') as one SQL expression."""
    return when(*[(condition, light.value) for light, condition in light_conditions_sql(c, now).items()],
                else_=Light.NONE.value)


def overdue_sql(c, now):
    """Overdue: the red light (days left below zero)."""
    return light_conditions_sql(c, now)[Light.RED]


def long_overdue_sql(c, now):
    """Overdue by more than the escalation days: the sweep escalates it."""
    return and_(clock_runs_sql(c), c.escalate_at <= now)


def case_light(case, now: datetime) -> Light:
    """The case's traffic light."""
    return light_of(case.state, getattr(case, "paused_since", None), case.due_at, getattr(case, "warn_at", None), now)


MOMENTS = ("warn_at", "due_at", "escalate_at", "report_by", "handle_by")


def must_report(state, escalated_to) -> bool:
    """Whether a case's 24 hours to be reported still matter: until it was reported to the party
    committee and government or the county (``escalated_to``), or is finished."""
    return state not in FINISHED and getattr(escalated_to, "value", escalated_to) not in REPORTED_TO


def must_report_sql(c):
    return and_(c.state.not_in(FINISHED), or_(c.escalated_to.is_(None), c.escalated_to.not_in(REPORTED_TO)))


def watched_moments(state, paused_since, moments: dict, escalated_to=None) -> tuple:
    """The moments that can still matter for a case in ``state``: the light's and the
    escalation's while the clock runs, the 24 hours to report a 可激化 case until it is
    reported (``must_report``), and the time to take up an assignment until it is."""
    watched = []
    if clock_runs(state, paused_since):
        watched += [moments["warn_at"], moments["due_at"], moments["escalate_at"]]
    if must_report(state, escalated_to):
        watched.append(moments["report_by"])
    if state in NOT_TAKEN_UP:
        watched.append(moments["handle_by"])
    return tuple(moment for moment in watched if moment is not None)


def watched_sql(c, now=None) -> list:
    """``watched_moments`` in SQL, one expression per moment (NULL when not watched); with
    ``now``, only those still in the future."""
    runs = clock_runs_sql(c)
    moments = [when((runs, c.warn_at)), when((runs, c.due_at)), when((runs, c.escalate_at)),
               when((must_report_sql(c), c.report_by)),
               when((c.state.in_(NOT_TAKEN_UP), c.handle_by))]
    return moments if now is None else [when((moment > now, moment)) for moment in moments]


# -- days left ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseClock:
    """How a case's clock stands, as every page shows it: the light and, while the clock
    runs, the days left in the township's kind of days (negative once overdue)."""

    light: Light
    days_left: int | None

    @property
    def overdue_days(self) -> int:
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0


def days_left(due: datetime | None, now: datetime, calendar: WorkCalendar) -> int | None:
    """No default calendar: a number of days left means nothing without the township's."""
    return calendar.days_left(due, now)


def case_clock(case, now: datetime, calendar: WorkCalendar) -> CaseClock:
    """The one place the days left of a case are counted: the case page, its card, the
    overview and the flags all show this, with the township's calendar
    (``webapp.township.settings.calendar_for``)."""
    light = case_light(case, now)
    shown = light in (Light.GREEN, Light.YELLOW, Light.RED)
    return CaseClock(light, calendar.days_left(case.due_at, now) if shown else None)


# -- dated duties outside a case's clock -----------------------------------------------------
# A joint meeting's decision, an investigation round's report, a key person's next visit: each
# is due on a day (Beijing), in calendar days. The sweep reminds from ``DUTY_REMINDER_DAYS``
# before the day and flags from the day after it; the pages count the days overdue the same way.

DUTY_REMINDER_DAYS = 3
# An investigation round (排查): a monthly one is due at the end of its month; a special one
# (before a holiday or an event) on the day the director sets, by default a week from opening.
SPECIAL_ROUND_DAYS = 7


def remind_from(due_on: date) -> date:
    """The first day on which a duty due on ``due_on`` is reminded of."""
    return due_on - timedelta(days=DUTY_REMINDER_DAYS)


def reminder_window(now: datetime | None = None) -> date:
    """Duties due on or before this day are reminded of now."""
    return today(now) + timedelta(days=DUTY_REMINDER_DAYS)


def duty_missed(due_on: date | None, done: bool, now: datetime | None = None) -> bool:
    """Not done, and the due day has passed (Beijing)."""
    return due_on is not None and not done and due_on < today(now)


def days_overdue(due_on: date | None, now: datetime | None = None) -> int:
    """Calendar days past the due day; 0 while it is not passed, or when there is none."""
    if due_on is None:
        return 0
    return max((today(now) - due_on).days, 0)


def done_on_time(due_on: date | None, done_at: datetime | None) -> bool | None:
    """Whether a duty was done by its day (Beijing); None while it is neither done nor due."""
    if done_at is None:
        return None
    return due_on is None or today(done_at) <= due_on


def month_end(day: date) -> date:
    """The last day of ``day``'s month: a monthly round's default deadline."""
    first_next = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def special_round_due(now: datetime | None = None) -> date:
    return today(now) + timedelta(days=SPECIAL_ROUND_DAYS)


# How far back the sweep looks for duties passed: each is acted on under a unique key, so this
# only bounds the work of every sweep; an outage of the sweep longer than this is not caught up.
DUTY_LOOK_BACK_DAYS = 62


def duties_since(now: datetime | None = None) -> date:
    return today(now) - timedelta(days=DUTY_LOOK_BACK_DAYS)


def passed_due_days(first: date, last: date, now: datetime | None = None) -> tuple[date, date]:
    """Of the due days ``first`` to ``last``, those that have passed (an empty span: last < first)."""
    return days_passed_by(first, last, today(now))


def days_passed_by(first: date, last: date, today_: date) -> tuple[date, date]:
    """Of the days ``first`` to ``last``, those before ``today_`` (an empty span: last < first)."""
    return first, min(last, today_ - timedelta(days=1))


# An escalation is to be acknowledged within a day: by the end of the day after the one it was made (Beijing).
ACKNOWLEDGE_WITHIN_DAYS = 1


def acknowledge_by(made_at: datetime) -> date:
    """The last day (Beijing) on which an escalation made at ``made_at`` is acknowledged in time."""
    return today(made_at) + timedelta(days=ACKNOWLEDGE_WITHIN_DAYS)


def made_from(first_day_to_acknowledge: date) -> datetime:
    """The earliest moment an escalation to be acknowledged on ``first_day_to_acknowledge`` or later was made."""
    return _start_of(first_day_to_acknowledge - timedelta(days=ACKNOWLEDGE_WITHIN_DAYS)).astimezone(timezone.utc)


def deadline_day(moment: datetime) -> date:
    """The day (Beijing) a deadline given as a moment belongs to: the last day it is still met, so
    that ``deadline_day(end_of_day(day)) == day``."""
    return today(moment - timedelta(microseconds=1))


def met(deadline: datetime, done_at: datetime | None) -> bool:
    """Whether something due by the moment ``deadline`` was done by then."""
    return done_at is not None and done_at <= deadline
