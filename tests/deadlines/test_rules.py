"""The rules of the clock are written twice in ``webapp.timelimits``: in Python for one case
(the case page, the cards, the watch a move writes) and in SQL (the sweep, the figures, the
board's overdue view). Here the two are asked about the same case row, in every state, with
the clock running or paused, with and without its moments, at every boundary of the light:
they must give the same answers, on SQLite and on PostgreSQL."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from tests import factories
from tests.deadlines.conftest import bj
from webapp import timelimits
from webapp.cases.models import Case, CaseState, Difficulty, EscalationTarget
from webapp.extensions import db
from webapp.timelimits import Light

DUE = bj(2026, 3, 9, 10)
SECOND = timedelta(seconds=1)
MOMENTS = {"warn_at": DUE - timedelta(days=3), "due_at": DUE, "escalate_at": DUE + timedelta(days=3),
           "report_by": DUE - timedelta(days=5), "handle_by": DUE - timedelta(days=6)}
# Either side of every moment at which the light or the watch changes.
NOWS = [moment + offset for moment in sorted(MOMENTS.values()) for offset in (-SECOND, timedelta(0), SECOND)]
SHAPES = {
    "running": {},
    "paused": {"paused_since": DUE - timedelta(days=4)},
    "no warning moment": {"warn_at": None},
    "no deadline": {"warn_at": None, "due_at": None, "escalate_at": None},
    "no other moments": {"report_by": None, "handle_by": None},
    # Reported to the center's own director (not yet to the party committee), and higher up.
    "reported to the director": {"escalated_to": EscalationTarget.DIRECTOR},
    "reported to the party committee": {"escalated_to": EscalationTarget.PARTY_COMMITTEE},
    "reported to the county": {"escalated_to": EscalationTarget.COUNTY_BUREAU},
}


def _assessed(tenant) -> dict:
    """What the database asks of a case past registration (or referred)."""
    return {"difficulty": Difficulty.ORDINARY, "limit_days": 7, "department_id": factories.department_of(tenant).id}


@pytest.mark.parametrize("state", list(CaseState), ids=lambda s: s.value)
def test_python_and_sql_agree_on_the_light_the_overdue_and_the_watch(db, tenant, state):
    case = factories.case(tenant)
    c = Case.__table__.c
    for shape, changes in SHAPES.items():
        values = {**MOMENTS, "paused_since": None, "escalated_to": None, **changes, "state": state,
                  **_assessed(tenant)}
        db.session.execute(update(Case).where(Case.id == case.id).values(**values))
        db.session.expire_all()
        moments = {name: values[name] for name in timelimits.MOMENTS}
        row = db.session.execute(select(
            *[timelimits.light_sql(c, now) for now in NOWS],
            *[timelimits.overdue_sql(c, now) for now in NOWS],
            *[timelimits.long_overdue_sql(c, now) for now in NOWS],
            *timelimits.watched_sql(c),
            *[moment for now in NOWS for moment in timelimits.watched_sql(c, now)],
        ).where(c.id == case.id)).one()
        n, w = len(NOWS), len(timelimits.MOMENTS)
        lights, overdue, long_overdue = row[:n], row[n:2 * n], row[2 * n:3 * n]
        watched, future = row[3 * n:3 * n + w], row[3 * n + w:]
        loaded = db.session.get(Case, case.id)
        for i, now in enumerate(NOWS):
            at = f"{shape} at {now.isoformat()}"
            light = timelimits.light_of(state, values["paused_since"], values["due_at"], values["warn_at"], now)
            assert Light(lights[i]) == light == timelimits.case_light(loaded, now), at
            assert bool(overdue[i]) == (light == Light.RED), at
            assert bool(long_overdue[i]) == (timelimits.clock_runs(state, values["paused_since"])
                                             and values["escalate_at"] is not None
                                             and now >= values["escalate_at"]), at
            python_future = tuple(m for m in timelimits.watched_moments(
                state, values["paused_since"], moments, values["escalated_to"]) if m > now)
            assert tuple(m for m in future[i * w:(i + 1) * w] if m is not None) == python_future, at
        assert tuple(m for m in watched if m is not None) == \
            timelimits.watched_moments(state, values["paused_since"], moments, values["escalated_to"]), shape


def test_every_case_has_exactly_one_light_in_sql(db, tenant):
    """The figures count each light with its own condition: every case is counted once."""
    assessed = _assessed(tenant)
    for state in CaseState:
        for changes in SHAPES.values():
            case = factories.case(tenant)
            db.session.execute(update(Case).where(Case.id == case.id).values(
                **{**MOMENTS, "paused_since": None, **changes, "state": state, **assessed}))
    for now in NOWS:
        conditions = timelimits.light_conditions_sql(Case, now)
        counts = db.session.execute(select(
            func.count(), *[func.count().filter(condition) for condition in conditions.values()],
            func.count().filter(timelimits.light_sql(Case, now) == Light.NONE.value))).one()
        assert counts[0] == sum(counts[1:]) == len(CaseState) * len(SHAPES), now
