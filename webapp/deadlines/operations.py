"""What people do about time limits: pause and resume the clock, acknowledge escalations,
read notifications, and acknowledge, dispute, resolve or raise accountability flags."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from tenants.models import Membership, Role
from webapp import timelimits
from webapp.cases.models import Case, CaseState
from webapp.cases.operations import record_event
from webapp.errors import Refused
from webapp.deadlines import clock
from webapp.deadlines.models import (
    CalendarOverride, CasePause, Escalation, Fault, Flag, FlagKind, FlagStatus, Notification,
)
from webapp.deadlines.reports import RECEIVERS, members_of, notify
from webapp.extensions import db
from webapp.township.settings import forget_settings, settings_for
from webapp.types import utcnow

PAUSERS = {Role.TOWNSHIP_ADMIN, Role.MEDIATOR}


def _may_pause(case: Case, actor):
    if actor.role not in PAUSERS or (actor.role == Role.MEDIATOR and case.assignee_id != actor.user_id):
        raise Refused(_l("Only the assigned mediator or the center director can do this."))


def pause_clock(case: Case, actor, *, reason: str) -> CasePause:
    """The clock stops for a reason (an expert appraisal, a party unreachable); it is on the timeline."""
    _may_pause(case, actor)
    if case.state not in timelimits.RUNNING_STATES or case.due_at is None:
        raise Refused(_l("Only a running time limit can be paused."))
    if case.paused_since is not None:
        raise Refused(_l("The clock is paused already."))
    now = utcnow()
    if case.due_at <= now:
        # A pause stops a clock that is still running, for a reason that came up in time; it
        # does not take an overdue case off the escalation ladder or out of accountability.
        raise Refused(_l("The time limit has run out: an overdue case's clock cannot be paused."))
    pause = CasePause(tenant_id=case.tenant_id, case_id=case.id, reason=reason, started_at=now,
                      started_by_id=actor.user_id)
    db.session.add(pause)
    case.paused_since = now
    clock.keep_watch(case)
    record_event(case, actor, "clock_paused", note=reason)
    db.session.flush()
    return pause


def resume_clock(case: Case, actor, *, note: str = "") -> None:
    """The deadline moves on by the time the pause lasted (in working days, by the working
    days it touched), and the sweep watches the case again."""
    _may_pause(case, actor)
    pause = db.session.scalar(select(CasePause).where(CasePause.case_id == case.id, CasePause.ended_at.is_(None)))
    if pause is None or case.paused_since is None:
        raise Refused(_l("The clock is not paused."))
    pause.ended_at, pause.ended_by_id = utcnow(), actor.user_id
    case.paused_since = None
    db.session.flush()
    clock.refresh(case)
    record_event(case, actor, "clock_resumed", note=note, data={"due_at": case.due_at.isoformat()})
    db.session.flush()


def acknowledge_escalation(escalation: Escalation, actor) -> None:
    """Every step up the ladder is acknowledged by whoever receives it."""
    if actor.role not in RECEIVERS[escalation.level]:
        raise Refused(_l("This escalation is for someone else to acknowledge."))
    if escalation.acknowledged_at is not None:
        raise Refused(_l("Acknowledged already."))
    escalation.acknowledged_at, escalation.acknowledged_by_id = utcnow(), actor.user_id
    # "ack:<level>": case_events.kind is 30 characters.
    record_event(escalation.case, actor, f"ack:{escalation.level.value}")
    db.session.flush()


def instruct_escalation(escalation: Escalation, actor, *, text: str) -> None:
    """批示: the level a case was reported to answers with an instruction. It lands on the
    case's timeline, acknowledges the escalation if nobody had, and the case's mediator and the
    center director are told."""
    if actor.role not in RECEIVERS[escalation.level]:
        raise Refused(_l("This escalation is for someone else to answer."), field="text")
    if escalation.instructed_at is not None:
        raise Refused(_l("An instruction has been given already."), field="text")
    now = utcnow()
    if escalation.acknowledged_at is None:
        escalation.acknowledged_at, escalation.acknowledged_by_id = now, actor.user_id
    escalation.instruction, escalation.instructed_at, escalation.instructed_by_id = text, now, actor.user_id
    case = escalation.case
    record_event(case, actor, f"instruction:{escalation.level.value}", note=text, data={"escalation": escalation.id})
    told = set(members_of(case.tenant_id, (Role.TOWNSHIP_ADMIN,)))
    if case.assignee_id is not None:
        told.add(case.assignee_id)
    notify(case.tenant_id, told - {actor.user_id}, case_id=case.id, kind="instruction",
           key=f"instruction:{escalation.id}")
    db.session.flush()


def mark_read(user_id: int, notification_ids=None) -> int:
    query = update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    if notification_ids is not None:
        query = query.where(Notification.id.in_(notification_ids))
    return db.session.execute(query.values(read_at=utcnow())).rowcount


# -- accountability flags ---------------------------------------------------------------------


def _is_responsible(flag: Flag, actor) -> bool:
    if flag.responsible_user_id is not None:
        return flag.responsible_user_id == actor.user_id
    return flag.responsible_department_id is not None and flag.responsible_department_id == actor.department_id


def acknowledge_flag(flag: Flag, actor) -> None:
    if not (_is_responsible(flag, actor) or actor.role == Role.TOWNSHIP_ADMIN):
        raise Refused(_l("Only the person responsible or the center director can do this."))
    if flag.status != FlagStatus.OPEN:
        raise Refused(_l("This flag is no longer open."))
    flag.status, flag.acknowledged_at = FlagStatus.ACKNOWLEDGED, utcnow()
    _flag_event(flag, actor, "flag_acknowledged")


def dispute_flag(flag: Flag, actor, *, reason: str) -> None:
    """The person responsible may say why the flag is wrong; the director then decides."""
    if not _is_responsible(flag, actor):
        raise Refused(_l("Only the person responsible can dispute a flag."))
    if flag.status not in (FlagStatus.OPEN, FlagStatus.ACKNOWLEDGED):
        raise Refused(_l("This flag can no longer be disputed."))
    flag.status, flag.disputed_at, flag.dispute_reason = FlagStatus.DISPUTED, utcnow(), reason
    _flag_event(flag, actor, "flag_disputed", reason)


def resolve_flag(flag: Flag, actor, *, resolution: str) -> None:
    if actor.role != Role.TOWNSHIP_ADMIN:
        raise Refused(_l("Only the center director can resolve a flag."))
    if flag.status == FlagStatus.RESOLVED:
        raise Refused(_l("This flag is resolved already."))
    flag.status, flag.resolved_at, flag.resolved_by_id, flag.resolution = \
        FlagStatus.RESOLVED, utcnow(), actor.user_id, resolution
    _flag_event(flag, actor, "flag_resolved", resolution)


def raise_flag(tenant_id: int, actor, *, fault: Fault, evidence: str, case: Case | None = None,
               responsible_user_id: int | None = None, responsible_department_id: int | None = None) -> Flag:
    """The faults the data cannot show (passing the buck, not going to the scene, unfair
    mediation, ...) are raised by hand by the director, with evidence."""
    if actor.role != Role.TOWNSHIP_ADMIN:
        raise Refused(_l("Only the center director can raise a flag."))
    if responsible_user_id is None and responsible_department_id is None:
        raise Refused(_l("Name the person or the department responsible."), field="responsible")
    now = utcnow()
    flag = Flag(tenant_id=tenant_id, case_id=case.id if case else None, kind=FlagKind.MANUAL, fault=int(fault),
                key=f"manual:{actor.user_id}:{now.isoformat()}", responsible_user_id=responsible_user_id,
                responsible_department_id=responsible_department_id, evidence=evidence, raised_at=now,
                raised_by_id=actor.user_id, event_ids=[e.id for e in case.events][-5:] if case else None)
    db.session.add(flag)
    db.session.flush()
    if case is not None:
        record_event(case, actor, "flag:manual", note=evidence, data={"fault": int(fault)})
        db.session.flush()
    return flag


def _flag_event(flag: Flag, actor, kind: str, note: str = "") -> None:
    if flag.case is not None:
        record_event(flag.case, actor, kind, note=note, data={"flag": flag.id})
    db.session.flush()


# -- the township's calendar ------------------------------------------------------------------


def set_calendar_day(tenant_id: int, day, is_workday: bool, note: str = "") -> CalendarOverride:
    """The township's own working days win over the official calendar, for the cases whose
    clock runs now too: their moments are computed again."""
    override = db.session.scalar(select(CalendarOverride).where(CalendarOverride.tenant_id == tenant_id,
                                                                CalendarOverride.day == day))
    if override is None:
        override = CalendarOverride(tenant_id=tenant_id, day=day)
        db.session.add(override)
    override.is_workday, override.note = is_workday, note
    db.session.flush()
    forget_settings()
    if settings_for(tenant_id).count_working_days:
        running = list(timelimits.RUNNING_STATES) + [CaseState.REGISTERED]
        for case in db.session.scalars(select(Case).where(Case.tenant_id == tenant_id, Case.state.in_(running))):
            clock.refresh(case)
        db.session.flush()
    return override


def notify_referral(referral) -> int:
    """Tell the department's liaisons that a case waits in their inbox (once per referral)."""
    liaisons = db.session.scalars(select(Membership.user_id).where(
        Membership.tenant_id == referral.tenant_id, Membership.department_id == referral.department_id,
        Membership.role == Role.LIAISON, Membership.active.is_(True))).all()
    key = f"referral:{referral.id}"
    known = set(db.session.scalars(select(Notification.user_id).where(Notification.key == key,
                                                                      Notification.user_id.in_(liaisons))))
    for user_id in set(liaisons) - known:
        db.session.add(Notification(tenant_id=referral.tenant_id, user_id=user_id, case_id=referral.case_id,
                                    kind="referral", key=key))
    db.session.flush()
    return len(set(liaisons) - known)
