"""Keeping a case's clock current: its deadline moments, its cycle, and when the sweep
should next look at it. Called by every operation that moves or changes a case."""
from sqlalchemy import select

from webapp import timelimits
from webapp.extensions import db
from webapp.types import utcnow

_MOMENTS = ("warn_at", "due_at", "escalate_at", "report_by", "handle_by")


def calendar_for_tenant(tenant_id: int, settings=None) -> timelimits.WorkCalendar:
    from webapp.cases.operations import settings_for
    from webapp.deadlines.models import CalendarOverride

    settings = settings or settings_for(tenant_id)
    if not settings.count_working_days:
        return timelimits.CALENDAR_DAYS
    overrides = db.session.execute(select(CalendarOverride.day, CalendarOverride.is_workday)
                                   .where(CalendarOverride.tenant_id == tenant_id)).all()
    return timelimits.calendar_for(settings, [tuple(row) for row in overrides])


def _finished_pauses(case):
    from webapp.deadlines.models import CasePause

    if case.id is None:
        return []
    return db.session.execute(select(CasePause.started_at, CasePause.ended_at).where(
        CasePause.case_id == case.id, CasePause.ended_at.is_not(None), CasePause.started_at >= case.clock_started_at)
        .order_by(CasePause.started_at)).all()


def refresh(case, now=None) -> None:
    """Recompute the moments from the clock's start, the limit, the pauses and the township's
    settings; a change of any moment starts a new cycle, so its alerts can fire again."""
    from webapp.cases.models import Risk, Source
    from webapp.cases.operations import settings_for

    now = now or utcnow()
    # Reading the settings and pauses must not flush the change being made: the case's new
    # state and its moments then go to the database in one UPDATE.
    with db.session.no_autoflush:
        settings = settings_for(case.tenant_id)
        calendar = calendar_for_tenant(case.tenant_id, settings)
        pauses = _finished_pauses(case) if case.limit_days else ()
    before = tuple(getattr(case, name) for name in _MOMENTS)
    if case.limit_days:
        moments = timelimits.deadlines(case.clock_started_at, case.limit_days, pauses, settings, calendar)
        case.due_at, case.warn_at, case.escalate_at = moments.due_at, moments.warn_at, moments.escalate_at
    case.report_by = case.assessed_at + timelimits.REPORT_WITHIN \
        if case.risk == Risk.MAY_ESCALATE and case.assessed_at else None
    case.handle_by = calendar.add_days(case.accepted_at, settings.assigned_handle_days) \
        if case.source == Source.ASSIGNED else None
    if tuple(getattr(case, name) for name in _MOMENTS) != before:
        case.clock_cycle = (case.clock_cycle or 0) + 1
    case.next_alert_at = next_moment(case)


def next_moment(case):
    """When the sweep should next look at this case: the earliest moment that can still
    matter for its state, or never (None) for a paused or finished case."""
    state = getattr(case.state, "value", case.state)
    candidates = []
    if state in timelimits.RUNNING_STATES and case.paused_since is None:
        candidates += [case.warn_at, case.due_at, case.escalate_at]
    if state not in ("escalated", "closed", "archived"):
        candidates.append(case.report_by)
    if state == "registered":
        candidates.append(case.handle_by)
    candidates = [c for c in candidates if c is not None]
    # Past moments stay candidates: the sweep records each once and then moves on.
    return min(candidates) if candidates else None


def restart(case, now=None) -> None:
    """A reopened case gets a new clock with the same limit, starting now."""
    case.clock_started_at = now or utcnow()
    refresh(case, now)


def referral_accept_by(tenant_id: int, referred_at):
    from webapp.cases.operations import settings_for

    settings = settings_for(tenant_id)
    return calendar_for_tenant(tenant_id, settings).add_days(referred_at, settings.referral_accept_days)

