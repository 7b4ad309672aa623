"""Keeping a case's clock current: its deadline moments, its cycle, and when the sweep
should next look at it. Called by every operation that moves or changes a case."""
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from webapp import timelimits
from webapp.cases.models import Risk, Source
from webapp.deadlines.models import CasePause, CaseWatch
from webapp.extensions import db
from webapp.timelimits import watched_moments
from webapp.township.settings import calendar_for, settings_for
from webapp.types import utcnow

_MOMENTS = timelimits.MOMENTS


def _finished_pauses(case):
    if case.id is None:
        return []
    return db.session.execute(select(CasePause.started_at, CasePause.ended_at).where(
        CasePause.case_id == case.id, CasePause.ended_at.is_not(None), CasePause.started_at >= case.clock_started_at)
        .order_by(CasePause.started_at)).all()


def refresh(case, now=None, *, was_state=None) -> None:
    """Recompute the moments from the clock's start, the limit, the pauses and the township's
    settings; a change of any moment starts a new cycle, so its alerts can fire again. Called
    when one of these changes: registration, assessment, reopening, a resumed clock, the
    township's calendar.

    ``was_state`` is the state a move takes the case from: knowing it, an unchanged watch
    need not be written again."""
    now = now or utcnow()
    # Reading the settings and pauses must not flush the change being made: the case's new
    # state and its moments then go to the database in one UPDATE.
    with db.session.no_autoflush:
        settings = settings_for(case.tenant_id)
        calendar = calendar_for(case.tenant_id)
        pauses = _finished_pauses(case) if case.limit_days else ()
    before = tuple(getattr(case, name) for name in _MOMENTS)
    watched = None if was_state is None else \
        watched_moments(was_state, case.paused_since, dict(zip(_MOMENTS, before)), _was(case, "escalated_to"))
    if case.limit_days:
        moments = timelimits.deadlines(case.clock_started_at, case.limit_days, pauses, settings, calendar)
        case.due_at, case.warn_at, case.escalate_at = moments.due_at, moments.warn_at, moments.escalate_at
    case.report_by = case.assessed_at + timelimits.REPORT_WITHIN \
        if case.risk == Risk.MAY_ESCALATE and case.assessed_at else None
    case.handle_by = calendar.add_days(case.accepted_at, settings.assigned_handle_days) \
        if case.source == Source.ASSIGNED else None
    if tuple(getattr(case, name) for name in _MOMENTS) != before:
        case.clock_cycle = (case.clock_cycle or 0) + 1
    keep_watch(case, watched)


def moved(case, was_state) -> None:
    """The case changed state and nothing its moments are computed from: they stand as they
    were computed (the moments depend on the clock's start, the limit, the pauses and the
    settings, never on the state). What the sweep watches may follow the state."""
    keep_watch(case, watched_moments(was_state, case.paused_since, _moments(case), _was(case, "escalated_to")))


def _moments(case) -> dict:
    return {name: getattr(case, name) for name in _MOMENTS}


def _was(case, name):
    """What ``name`` held before the change being made (a move sets where the case was reported
    before its state)."""
    history = sa_inspect(case).attrs[name].history
    return history.deleted[0] if history.deleted else getattr(case, name)


def next_moment(case):
    """When the sweep should next look at this case: the earliest moment that can still
    matter for its state, or never (None) for a paused or finished case."""
    watched = watched_moments(case.state, case.paused_since, _moments(case), case.escalated_to)
    # Past moments stay candidates: the sweep records each once and then moves on.
    return min(watched) if watched else None


def keep_watch(case, watched_before=None) -> None:
    """Tell the sweep when to look at the case next, if this change changed what it watches.

    Most moves (taking up mediation, recording a session) leave the moments and the running
    clock as they were: then the sweep's own note stands and nothing is written. A new case
    gets its row with the case's INSERT; a changed one is written at once (no flush of the
    case: its new state and moments still go out in one UPDATE)."""
    now_watched = watched_moments(case.state, case.paused_since, _moments(case), case.escalated_to)
    next_at = min(now_watched) if now_watched else None
    if case.id is None:
        case.watch = CaseWatch(tenant_id=case.tenant_id, next_at=next_at)
        return
    if watched_before is not None and now_watched == watched_before:
        return
    table = CaseWatch.__table__
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    with db.session.no_autoflush:
        db.session.execute(insert(table).values(case_id=case.id, tenant_id=case.tenant_id, next_at=next_at)
                           .on_conflict_do_update(index_elements=["case_id"], set_={"next_at": next_at}))


def restart(case, now=None, *, was_state=None) -> None:
    """A reopened case gets a new clock with the same limit, starting now."""
    case.clock_started_at = now or utcnow()
    refresh(case, now, was_state=was_state)


def referral_accept_by(tenant_id: int, referred_at):
    return calendar_for(tenant_id).add_days(referred_at, settings_for(tenant_id).referral_accept_days)

