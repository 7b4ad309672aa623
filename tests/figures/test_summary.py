"""The monthly summary gives exactly the live figures: after a refresh, after changes the
refresh has not seen yet, for a custom range that cuts months, and refreshing twice changes
nothing. Data: the hand-built half-year of conftest.py, built at NOW."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tenants.scope import all_tenants
from tests.figures.conftest import H1, NOW
from webapp.cases.models import CaseState
from webapp.extensions import db
from webapp.figures import Period, county_figures
from webapp.figures.models import FigureMonth
from webapp.figures.summary import refresh
from webapp.types import clock_at

LATER = NOW + timedelta(hours=3)
PERIODS = [H1, Period.year(2026), Period.between(date(2026, 1, 15), date(2026, 3, 10)), Period.month(2026, 7),
           Period.between(date(2025, 12, 31), date(2026, 7, 1))]


def _figures(period, now, summary, stats=None):
    with all_tenants():
        rows, total = county_figures(period, now=now, summary=summary, stats=stats)
    drop = ("period",)
    return [{k: v for k, v in row.items() if k not in drop} for row in rows + [total]]


def _same_as_live(period, now):
    stats = {}
    got, want = _figures(period, now, True, stats), _figures(period, now, False)
    for g, w in zip(got, want):
        assert {k: (g.get(k), w.get(k)) for k in set(g) | set(w) if g.get(k) != w.get(k)} == {}
    assert len(got) == len(want)
    return stats


@pytest.fixture
def built(frozen, half_year):
    """The half-year, its cases written at NOW (the builders run under the frozen clock)."""
    return half_year


def _refresh(now):
    with all_tenants():
        n = refresh(now=now)
        db.session.flush()
    return n


def _rows():
    with all_tenants():
        return sorted((r.tenant_id, r.month, r.counts) for r in db.session.scalars(select(FigureMonth)))


@pytest.mark.parametrize("period", PERIODS, ids=lambda p: p.key)
def test_before_any_refresh_everything_is_live_and_right(built, period):
    stats = _same_as_live(period, LATER)
    assert stats["summary"] == 0


@pytest.mark.parametrize("period", PERIODS, ids=lambda p: p.key)
def test_after_a_refresh_the_summary_gives_the_live_figures(built, period):
    assert _refresh(LATER) > 0
    stats = _same_as_live(period, LATER)
    if period == H1:
        assert stats == {"summary": 12, "live": 0}  # 2 townships × 6 months, none read live


def test_refreshing_again_changes_nothing(built):
    _refresh(LATER)
    before = _rows()
    assert _refresh(LATER + timedelta(hours=2)) == 0  # nothing changed since
    assert _rows() == before


def test_a_change_after_the_refresh_is_counted_live_until_the_next(built):
    _refresh(LATER)
    later = LATER + timedelta(hours=2)
    with clock_at(later), all_tenants():
        built[9].state = CaseState.ARCHIVED      # 2026-03: archived 1 → 2 of 3
        built[9].archived_at = later
        db.session.flush()
    stats = _same_as_live(H1, later)
    assert stats["live"] == 2  # alpha's March (the case) and June (its visit due 06-30) alone
    with all_tenants():
        rows, _ = county_figures(H1, now=later)
    assert rows[0]["archived"] == 2
    assert _refresh(later + timedelta(hours=2)) >= 1
    stats = _same_as_live(H1, later + timedelta(hours=2))
    assert stats == {"summary": 12, "live": 0}


def test_a_visit_recorded_after_the_refresh_counts_at_once(built):
    from webapp.cases.models import FollowUp

    _refresh(LATER)
    later = LATER + timedelta(hours=2)
    with all_tenants():
        visit = db.session.scalar(select(FollowUp).where(FollowUp.due_on == date(2026, 6, 30)))
        visit.done_at, visit.carried_out = later, True
        db.session.flush()
    _same_as_live(H1, later)
    with all_tenants():
        rows, _ = county_figures(H1, now=later)
    assert (rows[0]["visits_done"], rows[0]["visits_carried_out"]) == (3, 2)
