"""A township's settings, as every feature reads them: its time limits, warning and
escalation days, follow-up days and quiet hours (``CaseSettings``), and the calendar its time
limits count in (calendar days, or working days with the township's own overrides).

Read once per transaction: a move asks for them for the clock and again for the card it
answers with, and a board page for each of its cards. ``forget_settings`` drops what was read
when they change; a new transaction reads them afresh.

Kept between requests too, for the township of the request (``webapp.township.kept``): a
page that shows a clock asks the database nothing more than its own records.
"""
from sqlalchemy import event, select
from sqlalchemy.orm import Session, make_transient

from webapp import timelimits
from webapp.cases.models import CaseSettings
from webapp.deadlines.models import CalendarOverride
from webapp.extensions import db
from webapp.township import kept

_SETTINGS = "township_settings"
# The method's numbers, for a township that has saved none (the columns' defaults, which a
# row not yet flushed does not have).
DEFAULTS = dict(limit_ordinary=7, limit_complex=20, limit_major=60, yellow_days=3, follow_up_days="7,30",
                count_working_days=False, escalate_after_days=3, referral_accept_days=1, assigned_handle_days=1,
                follow_up_grace_days=3, quiet_start_hour=21, quiet_end_hour=8)
_OVERRIDES = "township_calendar_overrides"

kept.watch(CaseSettings)
kept.watch(CalendarOverride)


def _read_settings(tenant_id: int) -> CaseSettings:
    found = db.session.scalar(select(CaseSettings).where(CaseSettings.tenant_id == tenant_id))
    return found or CaseSettings(tenant_id=tenant_id, **DEFAULTS)


def _detached(settings: CaseSettings) -> CaseSettings:
    if settings in db.session:  # shared by the process's requests: in none of their sessions
        db.session.expunge(settings)
        make_transient(settings)
    return settings


def _read_overrides(tenant_id: int) -> tuple:
    return tuple(tuple(row) for row in db.session.execute(
        select(CalendarOverride.day, CalendarOverride.is_workday).where(CalendarOverride.tenant_id == tenant_id)))


def settings_for(tenant_id: int) -> CaseSettings:
    """The township's settings, or the method's defaults when it has set none. Read them,
    never change them: ``webapp.township.operations.save_limits`` changes them."""
    known = db.session.info.setdefault(_SETTINGS, {})
    if tenant_id not in known:
        known[tenant_id] = kept.kept("settings", tenant_id, lambda: _read_settings(tenant_id), _detached)
    return known[tenant_id]


def calendar_for(tenant_id: int) -> timelimits.WorkCalendar:
    """The days the township's time limits count: every day, or its working days (China's
    published calendar with the township's overrides)."""
    settings = settings_for(tenant_id)
    if not settings.count_working_days:
        return timelimits.CALENDAR_DAYS
    known = db.session.info.setdefault(_OVERRIDES, {})
    if tenant_id not in known:
        known[tenant_id] = kept.kept("calendar", tenant_id, lambda: _read_overrides(tenant_id))
    return timelimits.calendar_for(settings, known[tenant_id])


def forget_settings(session=None, *_) -> None:
    info = (session or db.session).info
    info.pop(_SETTINGS, None)
    info.pop(_OVERRIDES, None)


def _forget_when_written(session, flush_context, instances) -> None:
    if any(isinstance(obj, (CaseSettings, CalendarOverride)) for obj in (*session.new, *session.dirty, *session.deleted)):
        forget_settings(session)


event.listen(Session, "before_flush", _forget_when_written)
event.listen(Session, "after_transaction_end",
             lambda session, transaction: forget_settings(session) if transaction.parent is None else None)
