"""The arithmetic of the time limits (限时办结): calendar days, working days with China's
holidays and make-up working days (调休), the township's overrides, pauses, the light."""
from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from tests.deadlines.conftest import bj
from webapp import timelimits
from webapp.timelimits import CALENDAR_DAYS, Light, WorkCalendar

WORKING = WorkCalendar(working_days=True)


def midnight(year, month, day):
    """The start of a day in Beijing: the end of the day before, where working-day limits end."""
    return bj(year, month, day, 0)


# -- calendar days ------------------------------------------------------------------------


def test_calendar_days_count_every_day_to_the_minute():
    accepted = bj(2026, 3, 2, 10, 30)
    assert CALENDAR_DAYS.add_days(accepted, 7) == bj(2026, 3, 9, 10, 30)
    assert CALENDAR_DAYS.add_days(accepted, 60) == bj(2026, 5, 1, 10, 30)
    assert CALENDAR_DAYS.subtract_days(bj(2026, 3, 9, 10, 30), 3) == bj(2026, 3, 6, 10, 30)
    # Holidays and weekends count in calendar mode: the Spring Festival does not stop the clock.
    assert CALENDAR_DAYS.add_days(bj(2026, 2, 13, 15), 7) == bj(2026, 2, 20, 15)
    assert CALENDAR_DAYS.add_days(bj(2026, 12, 28, 9), 7) == bj(2027, 1, 4, 9)
    assert all(CALENDAR_DAYS.is_workday(date(2026, 2, 15) + timedelta(days=n)) for n in range(9))
    assert CALENDAR_DAYS.unit == "calendar" and WORKING.unit == "working"


@pytest.mark.parametrize("difficulty, days", [("ordinary", 7), ("complex", 20), ("major", 60)])
def test_the_limit_follows_the_difficulty_and_the_townships_settings(difficulty, days):
    assert timelimits.limit_days(difficulty) == days
    settings = SimpleNamespace(limit_days=lambda key: {"ordinary": 5, "complex": 15, "major": 45}[key])
    assert timelimits.limit_days(difficulty, settings) == {"ordinary": 5, "complex": 15, "major": 45}[difficulty]


# -- working days: the 2026 Spring Festival and its make-up Saturdays ---------------------


def test_the_official_2026_spring_festival_and_its_make_up_saturdays():
    assert WORKING.is_workday(date(2026, 2, 13))  # Friday
    assert WORKING.is_workday(date(2026, 2, 14))  # Saturday, a make-up working day (调休)
    assert not any(WORKING.is_workday(date(2026, 2, 15) + timedelta(days=n)) for n in range(9))  # 15..23 off
    assert WORKING.is_workday(date(2026, 2, 24))
    assert WORKING.is_workday(date(2026, 2, 28))  # Saturday, the second make-up working day
    assert not WORKING.is_workday(date(2026, 3, 1))  # an ordinary Sunday
    assert not WORKING.is_workday(date(2026, 3, 7))  # an ordinary Saturday


@pytest.mark.parametrize("days, due", [
    (1, midnight(2026, 2, 15)),  # the make-up Saturday counts: due at the end of 14 February
    (2, midnight(2026, 2, 25)),  # then the festival, 15..23, does not
    (5, midnight(2026, 2, 28)),  # to the end of Friday 27 February
    (6, midnight(2026, 3, 1)),   # the second make-up Saturday, 28 February, counts
    (7, midnight(2026, 3, 3)),   # Sunday 1 March does not: the end of Monday 2 March
])
def test_working_days_from_a_friday_before_the_spring_festival(days, due):
    accepted = bj(2026, 2, 13, 15)  # Friday afternoon; the day of acceptance itself does not count
    assert WORKING.add_days(accepted, days) == due


def test_a_working_day_limit_accepted_on_an_ordinary_friday_ends_on_monday_evening():
    assert WORKING.add_days(bj(2026, 3, 6, 16), 1) == midnight(2026, 3, 10)  # end of Monday 9 March
    assert WORKING.add_days(bj(2026, 3, 6, 0, 5), 1) == midnight(2026, 3, 10)


def test_subtracting_working_days_steps_back_over_the_holidays():
    due = midnight(2026, 3, 3)  # end of Monday 2 March
    assert WORKING.subtract_days(due, 1) == midnight(2026, 3, 2)
    assert WORKING.subtract_days(due, 2) == midnight(2026, 2, 28)  # skips Sunday 1 March
    assert WORKING.subtract_days(due, 3) == midnight(2026, 2, 27)  # the make-up Saturday counts
    # Two working days before the end of 24 February: 24th and the make-up Saturday 14th.
    assert WORKING.subtract_days(midnight(2026, 2, 25), 2) == midnight(2026, 2, 14)


def test_the_townships_overrides_win_over_the_official_calendar():
    local = WorkCalendar(True, ((date(2026, 2, 14), False), (date(2026, 2, 16), True), (date(2026, 3, 4), False)))
    assert not local.is_workday(date(2026, 2, 14))  # a local day off on the make-up Saturday
    assert local.is_workday(date(2026, 2, 16))     # the center works on a festival day
    assert local.is_workday(date(2026, 3, 3)) and not local.is_workday(date(2026, 3, 4))
    assert local.add_days(bj(2026, 2, 13, 15), 1) == midnight(2026, 2, 17)
    # Overrides only matter in working-day mode.
    assert WorkCalendar(False, local.overrides).add_days(bj(2026, 2, 13, 15), 1) == bj(2026, 2, 14, 15)


def test_the_township_calendar_is_calendar_days_unless_it_counts_working_days():
    assert timelimits.calendar_for(None) is CALENDAR_DAYS
    assert timelimits.calendar_for(SimpleNamespace(count_working_days=False), [(date(2026, 3, 4), False)]) \
        is CALENDAR_DAYS
    working = timelimits.calendar_for(SimpleNamespace(count_working_days=True), [(date(2026, 3, 4), False)])
    assert working.working_days and working.overrides == ((date(2026, 3, 4), False),)


# -- a year the official calendar does not cover ------------------------------------------


def test_2027_is_not_covered_and_says_so():
    assert timelimits.uncovered_years([2026, 2027]) == [2027]
    assert timelimits.uncovered_years([2027, 2026, 2027]) == [2027]
    assert timelimits.uncovered_years([2025, 2026]) == []
    assert timelimits.official_workday(date(2027, 6, 1)) is None
    assert timelimits.official_workday(date(2026, 2, 14)) is True


def test_working_days_in_an_uncovered_year_are_monday_to_friday_plus_overrides():
    # 1 January 2027 is a Friday; without the official calendar it is a working day...
    assert WORKING.is_workday(date(2027, 1, 1))
    assert not WORKING.is_workday(date(2027, 1, 2)) and not WORKING.is_workday(date(2027, 1, 3))
    assert WORKING.add_days(bj(2026, 12, 31, 10), 1) == midnight(2027, 1, 2)
    # ...unless the township enters it as a day off, or a Saturday as a make-up working day.
    local = WorkCalendar(True, ((date(2027, 1, 1), False), (date(2027, 1, 9), True)))
    assert not local.is_workday(date(2027, 1, 1))
    assert local.add_days(bj(2026, 12, 31, 10), 1) == midnight(2027, 1, 5)  # Monday 4 January
    assert local.add_days(bj(2027, 1, 4, 10), 5) == midnight(2027, 1, 10)   # 5..8, then Saturday 9


# -- pauses -------------------------------------------------------------------------------


def test_a_pause_moves_a_calendar_deadline_by_what_it_lasted():
    accepted = bj(2026, 3, 2, 10)
    plain = timelimits.deadlines(accepted, 7, [], None, CALENDAR_DAYS)
    assert (plain.due_at, plain.warn_at, plain.escalate_at) == (bj(2026, 3, 9, 10), bj(2026, 3, 6, 10),
                                                                 bj(2026, 3, 12, 10))
    pauses = [(bj(2026, 3, 3, 9), bj(2026, 3, 5, 14)), (bj(2026, 3, 6, 10), bj(2026, 3, 6, 11, 30))]
    moved = timelimits.deadlines(accepted, 7, pauses, None, CALENDAR_DAYS)
    lasted = timedelta(days=2, hours=5) + timedelta(hours=1, minutes=30)
    assert moved.due_at == plain.due_at + lasted
    assert moved.warn_at == moved.due_at - timedelta(days=3)
    assert moved.escalate_at == moved.due_at + timedelta(days=3)


@pytest.mark.parametrize("pause, touched", [
    ((bj(2026, 3, 3, 15), bj(2026, 3, 4, 9)), 2),   # Tuesday afternoon to Wednesday morning
    ((bj(2026, 3, 5, 9), bj(2026, 3, 5, 11)), 1),   # two hours on a Thursday
    ((bj(2026, 3, 7, 10), bj(2026, 3, 8, 18)), 0),  # a weekend only
])
def test_a_pause_moves_a_working_day_deadline_by_the_working_days_it_touched(pause, touched):
    accepted = bj(2026, 3, 2, 10)  # Monday: 3, 4, 5, 6, 9, 10, 11 March → end of Wednesday 11 March
    assert timelimits.deadlines(accepted, 7, [], None, WORKING).due_at == midnight(2026, 3, 12)
    assert WORKING.days_touched(*pause) == touched
    moved = timelimits.deadlines(accepted, 7, [pause], None, WORKING).due_at
    assert moved == WORKING.add_days(midnight(2026, 3, 11), touched)
    assert moved == [midnight(2026, 3, 12), midnight(2026, 3, 13), midnight(2026, 3, 14)][touched]


def test_a_pause_over_the_spring_festival_counts_only_its_working_days():
    pause = (bj(2026, 2, 13, 10), bj(2026, 2, 24, 10))  # Friday, the make-up Saturday, Tuesday 24th
    assert WORKING.days_touched(*pause) == 3
    accepted = bj(2026, 2, 12, 10)  # Thursday: 13, 14, 24, 25, 26, 27, 28 → end of Saturday 28th
    assert timelimits.deadlines(accepted, 7, [], None, WORKING).due_at == midnight(2026, 3, 1)
    assert timelimits.deadlines(accepted, 7, [pause], None, WORKING).due_at == midnight(2026, 3, 5)


# -- the moments around the deadline --------------------------------------------------------


def test_the_warning_and_escalation_moments_follow_the_townships_settings():
    settings = SimpleNamespace(yellow_days=2, escalate_after_days=5)
    moments = timelimits.deadlines(bj(2026, 3, 2, 10), 20, [], settings, CALENDAR_DAYS)
    assert moments.due_at == bj(2026, 3, 22, 10)
    assert moments.warn_at == bj(2026, 3, 20, 10)
    assert moments.escalate_at == bj(2026, 3, 27, 10)


def test_working_day_moments_across_the_spring_festival():
    """Accepted Friday 13 February, ordinary (7 working days): due at the end of Monday 2 March;
    yellow with three working days left (27, 28 February and 2 March); overdue by more than
    three working days once 3, 4 and 5 March have passed."""
    moments = timelimits.deadlines(bj(2026, 2, 13, 10), 7, [], None, WORKING)
    assert moments.due_at == midnight(2026, 3, 3)
    assert moments.warn_at == midnight(2026, 2, 27)
    assert moments.escalate_at == midnight(2026, 3, 6)


# -- the traffic light and the days left ----------------------------------------------------


def test_the_light_turns_yellow_then_red_at_the_right_moments():
    due, warn = bj(2026, 3, 9, 10), bj(2026, 3, 6, 10)
    second = timedelta(seconds=1)
    light = lambda now, due=due, warn=warn: timelimits.light_of("mediating", None, due, warn, now)  # noqa: E731
    assert light(warn - second) == Light.GREEN
    assert light(warn) == Light.YELLOW
    assert light(due - second) == Light.YELLOW
    assert light(due) == Light.RED
    assert light(due + timedelta(days=30)) == Light.RED
    assert light(due, due=None) == Light.NONE
    # Without a warning moment there is no yellow (as the sweep and the figures count it).
    assert light(due - second, warn=None) == Light.GREEN


def _case(state="mediating", **fields):
    moments = timelimits.deadlines(bj(2026, 2, 13, 10), 7, [], None, WORKING)
    return SimpleNamespace(state=state, paused_since=None, due_at=moments.due_at, warn_at=moments.warn_at,
                           accepted_at=bj(2026, 2, 13, 10), **fields)


def test_the_light_of_a_case_in_working_days_through_the_festival():
    case = _case()
    # In calendar days the case would be red on 20 February; in working days it is green.
    assert timelimits.case_light(case, bj(2026, 2, 20, 12)) == Light.GREEN
    assert timelimits.case_light(case, bj(2026, 2, 26, 23, 59)) == Light.GREEN
    assert timelimits.case_light(case, bj(2026, 2, 27, 0, 1)) == Light.YELLOW
    assert timelimits.case_light(case, bj(2026, 3, 2, 23, 59)) == Light.YELLOW
    assert timelimits.case_light(case, bj(2026, 3, 3, 0, 1)) == Light.RED


@pytest.mark.parametrize("state, paused, expected", [
    ("registered", False, Light.NONE), ("resolved", False, Light.NONE), ("closed", False, Light.NONE),
    ("referred", False, Light.RED), ("escalated", False, Light.RED), ("mediating", True, Light.PAUSED),
])
def test_only_a_running_clock_has_a_light(state, paused, expected):
    case = _case(state)
    if paused:
        case.paused_since = bj(2026, 3, 1)
    assert timelimits.case_light(case, bj(2026, 3, 10)) == expected


def test_the_share_of_the_limit_left():
    case = SimpleNamespace(accepted_at=bj(2026, 3, 2, 10), due_at=bj(2026, 3, 9, 10))
    assert timelimits.share_left(case, bj(2026, 3, 2, 10)) == 1.0
    assert timelimits.share_left(case, bj(2026, 3, 5, 22)) == pytest.approx(0.5)
    assert timelimits.share_left(case, bj(2026, 3, 12)) == 0.0


def test_days_left_in_calendar_days():
    due = bj(2026, 3, 9, 10)
    assert timelimits.days_left(due, bj(2026, 3, 2, 10), CALENDAR_DAYS) == 7
    assert timelimits.days_left(due, bj(2026, 3, 6, 22), CALENDAR_DAYS) == 2
    assert timelimits.days_left(due, due - timedelta(seconds=1), CALENDAR_DAYS) == 0
    assert timelimits.days_left(due, due, CALENDAR_DAYS) == -1  # the light is red: overdue, never "0 days left"
    assert timelimits.days_left(due, due + timedelta(hours=1), CALENDAR_DAYS) == -1  # an hour late is a day late
    assert timelimits.days_left(due, due + timedelta(days=1, hours=1), CALENDAR_DAYS) == -2
    assert timelimits.days_left(None, due, CALENDAR_DAYS) is None


def test_days_left_in_working_days():
    due = midnight(2026, 3, 3)  # end of Monday 2 March
    left = lambda now: timelimits.days_left(due, now, WORKING)  # noqa: E731
    assert left(bj(2026, 2, 20, 12)) == 6  # 24, 25, 26, 27, 28 February and 2 March; the festival is off
    assert left(bj(2026, 2, 27, 12)) == 2  # 28 February and 2 March
    assert left(bj(2026, 3, 1, 12)) == 1   # Sunday: Monday is left
    assert left(bj(2026, 3, 2, 12)) == 0
    assert left(bj(2026, 3, 3, 10)) == -1
    assert left(bj(2026, 3, 4, 10)) == -2
    assert left(bj(2026, 3, 8, 10)) == -4  # the weekend does not count: 3, 4, 5, 6 March
