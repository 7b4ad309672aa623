"""A township's settings, as every feature reads them: its time limits, warning and
escalation days, follow-up days and quiet hours (``CaseSettings``), and the calendar its time
limits count in (calendar days, or working days with the township's own overrides).

Read once per transaction: a move asks for them for the clock and again for the card it
answers with, and a board page for each of its cards. ``forget_settings`` drops what was read
when they change; a new transaction reads them afresh.
"""
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from webapp import timelimits
from webapp.cases.models import CaseSettings
from webapp.deadlines.models import CalendarOverride
from webapp.extensions import db

_SETTINGS = "township_settings"
# The method's numbers, for a township that has saved none (the columns' defaults, which a
# row not yet flushed does not have).
DEFAULTS = dict(limit_ordinary=7, limit_complex=20, limit_major=60, yellow_days=3, follow_up_days="7,30",
                count_working_days=False, escalate_after_days=3, referral_accept_days=1, assigned_handle_days=1,
                follow_up_grace_days=3, quiet_start_hour=21, quiet_end_hour=8)
_OVERRIDES = "township_calendar_overrides"


def settings_for(tenant_id: int) -> CaseSettings:
    """The township's settings, or the method's defaults when it has set none."""
    known = db.session.info.setdefault(_SETTINGS, {})
    if tenant_id not in known:
        found = db.session.scalar(select(CaseSettings).where(CaseSettings.tenant_id == tenant_id))
        known[tenant_id] = found or CaseSettings(tenant_id=tenant_id, **DEFAULTS)
    return known[tenant_id]


def calendar_for(tenant_id: int) -> timelimits.WorkCalendar:
    """The days the township's time limits count: every day, or its working days (China's
    published calendar with the township's overrides)."""
    settings = settings_for(tenant_id)
    if not settings.count_working_days:
        return timelimits.CALENDAR_DAYS
    known = db.session.info.setdefault(_OVERRIDES, {})
    if tenant_id not in known:
        known[tenant_id] = tuple(tuple(row) for row in db.session.execute(
            select(CalendarOverride.day, CalendarOverride.is_workday).where(CalendarOverride.tenant_id == tenant_id)))
    return timelimits.calendar_for(settings, known[tenant_id])


def forget_settings(session=None, *_) -> None:
    info = (session or db.session).info
    info.pop(_SETTINGS, None)
    info.pop(_OVERRIDES, None)


event.listen(Session, "after_transaction_end",
             lambda session, transaction: forget_settings(session) if transaction.parent is None else None)
