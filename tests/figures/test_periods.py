"""Periods: parsing the query arguments, and where Beijing days begin and end."""
from datetime import date, datetime, timezone

import pytest
from werkzeug.datastructures import MultiDict

from webapp.figures import BadPeriod, Period


@pytest.mark.parametrize("text, first, last, kind", [
    ("2026-07", date(2026, 7, 1), date(2026, 7, 31), "month"),
    ("2026-02", date(2026, 2, 1), date(2026, 2, 28), "month"),
    ("2024-2", date(2024, 2, 1), date(2024, 2, 29), "month"),   # leap year
    ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30), "quarter"),
    ("2026-q4", date(2026, 10, 1), date(2026, 12, 31), "quarter"),
    ("2026-H1", date(2026, 1, 1), date(2026, 6, 30), "half"),
    ("2026-H2", date(2026, 7, 1), date(2026, 12, 31), "half"),
    ("2026", date(2026, 1, 1), date(2026, 12, 31), "year"),
])
def test_parse(text, first, last, kind):
    period = Period.parse(text)
    assert (period.first, period.last, period.kind) == (first, last, kind)
    assert Period.parse(period.key) == period  # the key reads back


@pytest.mark.parametrize("text", ["", "2026-13", "2026-Q5", "2026-H3", "26", "H1-2026", "2026-00"])
def test_nonsense_is_refused(text):
    with pytest.raises(BadPeriod):
        Period.parse(text)


def test_custom_range_from_the_query_arguments():
    period = Period.from_args(MultiDict({"from": "2026-01-15", "to": "2026-03-31"}))
    assert (period.first, period.last, period.kind) == (date(2026, 1, 15), date(2026, 3, 31), "range")
    assert period.query_args() == {"from": "2026-01-15", "to": "2026-03-31"}
    with pytest.raises(BadPeriod):
        Period.from_args(MultiDict({"from": "2026-03-31", "to": "2026-01-15"}))  # backwards
    with pytest.raises(BadPeriod):
        Period.from_args(MultiDict({"from": "2026-01-15"}))  # one end only
    with pytest.raises(BadPeriod):
        Period.from_args(MultiDict({"from": "2020-01-01", "to": "2026-01-01"}))  # over five years


def test_no_arguments_mean_the_current_half_year():
    assert Period.from_args(MultiDict(), default=None).kind == "half"
    assert Period.current_half(date(2026, 7, 1)) == Period.half(2026, 2)
    assert Period.current_half(date(2026, 6, 30)) == Period.half(2026, 1)


def test_a_period_runs_from_midnight_to_midnight_in_beijing():
    h1 = Period.half(2026, 1)
    # Beijing is UTC+8: the half-year starts at 16:00 UTC on the last day of 2025.
    assert h1.start.astimezone(timezone.utc) == datetime(2025, 12, 31, 16, tzinfo=timezone.utc)
    assert h1.end.astimezone(timezone.utc) == datetime(2026, 6, 30, 16, tzinfo=timezone.utc)


def test_months_cut_to_the_period_and_steps():
    months = Period.between(date(2026, 1, 15), date(2026, 3, 10)).months()
    assert [(m.first, m.last) for m in months] == [
        (date(2026, 1, 15), date(2026, 1, 31)), (date(2026, 2, 1), date(2026, 2, 28)),
        (date(2026, 3, 1), date(2026, 3, 10))]
    assert len(Period.year(2026).months()) == 12
    assert Period.quarter(2026, 1).previous() == Period.quarter(2025, 4)
    assert Period.half(2026, 2).next() == Period.half(2027, 1)
    assert Period.month(2026, 12).next() == Period.month(2027, 1)
