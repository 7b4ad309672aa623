"""The deadline sweep: set-based SQL over every township, safe to run twice or twice at once.

1. For every running case whose next moment has come (``cases.next_alert_at``, indexed),
   record each passed moment as a ``case_alerts`` row — unique per case, clock cycle and
   kind, so a moment is acted on once however many sweeps run.
2. Move each such case's ``next_alert_at`` on to its next future moment.
3. From the alerts this sweep inserted (and only those: ``sweep_id``), write the
   notifications, escalations, flags and timeline events, each under its own unique key.
4. Late referrals and missed follow-up visits are flagged the same way, and the liaisons of
   a pending referral are told of it if the job that should have told them never ran.

A killed sweep rolls back whole; the next one finds the same due moments in the database,
so nothing is lost when Redis or a worker was down.
"""
import uuid
from datetime import datetime, timezone
from sqlalchemy import Index, String, and_, cast, func, insert, literal, null, select, true, update
from sqlalchemy import case as when
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from tenants.models import Membership, Role
from tenants.scope import all_tenants
from webapp import timelimits
from webapp.cases.models import Case, CaseEvent, CaseSettings, CaseState, FollowUp, Referral, ReferralStatus, Risk
from webapp.deadlines.models import (
    FAULT_OF, AlertKind, CaseAlert, Escalation, EscalationLevel, Flag, FlagKind, Notification, SweepRun,
)
from webapp.extensions import db
from webapp.types import UTCDateTime, utcnow

RUNNING = [CaseState(s) for s in timelimits.RUNNING_STATES]
FINISHED = [CaseState.CLOSED, CaseState.ARCHIVED]

# Which moment, under which condition, makes which alert.
_C = Case.__table__.c


def _alert_conditions(now):
    running = and_(_C.state.in_(RUNNING), _C.paused_since.is_(None))
    return {
        AlertKind.YELLOW: and_(running, _C.warn_at <= now, _C.due_at > now),
        AlertKind.RED: and_(running, _C.due_at <= now),
        AlertKind.LONG_OVERDUE: and_(running, _C.escalate_at <= now),
        AlertKind.UNREPORTED: and_(_C.report_by <= now, _C.risk == Risk.MAY_ESCALATE, _C.escalated_to.is_(None),
                                   _C.state.not_in(FINISHED + [CaseState.ESCALATED])),
        AlertKind.UNHANDLED: and_(_C.handle_by <= now, _C.state == CaseState.REGISTERED),
    }


ONCE_PER_CASE = {AlertKind.UNREPORTED, AlertKind.UNHANDLED}

# Who hears of each alert, and how far up it goes.
NOTIFY = {AlertKind.YELLOW, AlertKind.RED, AlertKind.LONG_OVERDUE, AlertKind.UNREPORTED, AlertKind.UNHANDLED}
ESCALATE = {
    AlertKind.RED: [EscalationLevel.DIRECTOR],
    AlertKind.LONG_OVERDUE: [EscalationLevel.PARTY_COMMITTEE, EscalationLevel.COUNTY],
    AlertKind.UNREPORTED: [EscalationLevel.PARTY_COMMITTEE, EscalationLevel.COUNTY],
}
FLAG = {
    AlertKind.LONG_OVERDUE: FlagKind.OVERDUE_NO_PROGRESS,
    AlertKind.UNREPORTED: FlagKind.NOT_REPORTED,
    AlertKind.UNHANDLED: FlagKind.ASSIGNED_NOT_HANDLED,
}


def _insert(table):
    dialect = db.session.get_bind().dialect.name
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(table)


def _run(statement) -> int:
    # SQLAlchemy reports the rowcount of an INSERT (on psycopg: -1) only when asked to keep it.
    return db.session.execute(statement.execution_options(preserve_rowcount=True)).rowcount or 0


_NEVER = datetime(9999, 1, 1, tzinfo=timezone.utc)


def _least_future(columns, now):
    """The earliest of ``columns`` still in the future, or NULL."""
    never = literal(_NEVER, type_=UTCDateTime())
    futures = [func.coalesce(when((column > now, column), else_=null()), never) for column in columns]
    least = func.least if db.session.get_bind().dialect.name == "postgresql" else func.min
    return func.nullif(least(*futures, type_=UTCDateTime()), never)


def run_sweep(now=None, *, dry_run: bool = False) -> dict:
    """One sweep over every township. Returns what it did (or, dry, what it would do)."""
    now = now or utcnow()
    sweep_id = uuid.uuid4().hex
    with all_tenants():
        savepoint = db.session.begin_nested() if dry_run else None
        counts = _sweep(now, sweep_id)
        if dry_run:
            savepoint.rollback()
        else:
            db.session.add(SweepRun(id=sweep_id, started_at=now, finished_at=utcnow(), counts=counts))
        db.session.flush()
    counts["dry_run"] = dry_run
    return counts


def _sweep(now, sweep_id) -> dict:
    alerts = CaseAlert.__table__
    counts = {}
    conditions = _alert_conditions(now)
    for kind, condition in conditions.items():
        # The 24 hours to report and the time to take up an assignment run once per case, from
        # its assessment or acceptance: a new cycle of the deadline (a pause) does not renew them.
        cycle = literal(0) if kind in ONCE_PER_CASE else _C.clock_cycle
        rows = select(_C.tenant_id, _C.id, cycle, literal(kind.value), literal(now), literal(sweep_id)) \
            .where(_C.next_alert_at <= now, condition)
        counts[kind.value] = _run(_insert(alerts).from_select(
            ["tenant_id", "case_id", "cycle", "kind", "at", "sweep_id"], rows).on_conflict_do_nothing(
            index_elements=["case_id", "cycle", "kind"]))
    _run(update(Case.__table__).where(_C.next_alert_at <= now).values(
        next_alert_at=_least_future([_C.warn_at, _C.due_at, _C.escalate_at, _C.report_by, _C.handle_by], now)))

    mine = alerts.alias("mine")
    counts["notified"] = _notify(mine, sweep_id, now) + _notify_pending_referrals(sweep_id, now)
    counts["escalated"] = _escalate(mine, sweep_id, now)
    counts["flagged"] = _flag_from_alerts(mine, sweep_id, now) + _flag_late_referrals(sweep_id, now) \
        + _flag_missed_follow_ups(sweep_id, now)
    _timeline(sweep_id, now)
    return {
        "warned": counts["yellow"], "overdue": counts["red"], "escalated": counts["escalated"],
        "flagged": counts["flagged"], "notified": counts["notified"], "long_overdue": counts["long_overdue"],
        "unreported": counts["unreported"], "unhandled": counts["unhandled"],
    }


def _notify(mine, sweep_id, now) -> int:
    table = Notification.__table__
    key = cast(mine.c.kind, String) + ":" + cast(mine.c.case_id, String) + ":" + \
        cast(mine.c.cycle, String)
    columns = ["tenant_id", "user_id", "case_id", "kind", "key", "created_at", "sweep_id"]
    to_assignee = select(mine.c.tenant_id, _C.assignee_id, mine.c.case_id, mine.c.kind, key, literal(now),
                         literal(sweep_id)) \
        .join(Case.__table__, _C.id == mine.c.case_id) \
        .where(mine.c.sweep_id == sweep_id, _C.assignee_id.is_not(None))
    m = Membership.__table__.c
    to_directors = select(mine.c.tenant_id, m.user_id, mine.c.case_id, mine.c.kind, key, literal(now),
                          literal(sweep_id)) \
        .join(Membership.__table__, and_(m.tenant_id == mine.c.tenant_id, m.role == Role.TOWNSHIP_ADMIN,
                                         m.active == true())) \
        .where(mine.c.sweep_id == sweep_id)
    total = 0
    for rows in (to_assignee, to_directors):
        total += _run(_insert(table).from_select(columns, rows).on_conflict_do_nothing(
            index_elements=["user_id", "key"]))
    return total


def _notify_pending_referrals(sweep_id, now) -> int:
    """The liaisons hear of a referral from the job enqueued after its commit; if Redis was
    down then, the job never ran, and the sweep tells them instead. The key is the job's
    (``webapp.deadlines.operations.notify_referral``): once per liaison, whoever comes first."""
    r = Referral.__table__.c
    m = Membership.__table__.c
    rows = select(r.tenant_id, m.user_id, r.case_id, literal("referral"), literal("referral:") + cast(r.id, String),
                  literal(now), literal(sweep_id)) \
        .join(Membership.__table__, and_(m.tenant_id == r.tenant_id, m.department_id == r.department_id,
                                         m.role == Role.LIAISON, m.active == true())) \
        .where(r.status == ReferralStatus.PENDING)
    return _run(_insert(Notification.__table__).from_select(
        ["tenant_id", "user_id", "case_id", "kind", "key", "created_at", "sweep_id"], rows)
        .on_conflict_do_nothing(index_elements=["user_id", "key"]))


def _escalate(mine, sweep_id, now) -> int:
    table = Escalation.__table__
    total = 0
    for kind, levels in ESCALATE.items():
        for level in levels:
            key = literal(f"{kind.value}:{level.value}:") + cast(mine.c.cycle, String)
            rows = select(mine.c.tenant_id, mine.c.case_id, literal(level.value), literal(kind.value), key,
                          literal(now), literal(sweep_id)) \
                .where(mine.c.sweep_id == sweep_id, mine.c.kind == kind)
            total += _run(_insert(table).from_select(
                ["tenant_id", "case_id", "level", "reason", "key", "created_at", "sweep_id"], rows)
                .on_conflict_do_nothing(index_elements=["case_id", "key"]))
    return total


FLAG_COLUMNS = ["tenant_id", "case_id", "kind", "fault", "key", "responsible_user_id", "responsible_department_id",
                "evidence", "raised_at", "sweep_id"]


def _flag_from_alerts(mine, sweep_id, now) -> int:
    table = Flag.__table__
    total = 0
    e = CaseEvent.__table__.c
    for alert_kind, flag_kind in FLAG.items():
        key = literal(f"{flag_kind.value}:") + cast(mine.c.case_id, String) + ":" + \
            cast(mine.c.cycle, String)
        condition = and_(mine.c.sweep_id == sweep_id, mine.c.kind == alert_kind)
        if flag_kind == FlagKind.OVERDUE_NO_PROGRESS:
            # 久拖不调: overdue, and no person has recorded anything on the case since the deadline.
            # Acknowledging an escalation or handling a flag answers the alarm, it does not move
            # the case on: those lines of the timeline are not progress.
            progress = select(e.id).where(e.case_id == mine.c.case_id, e.actor_id.is_not(None), e.at >= _C.due_at,
                                          e.kind.not_like("escalation%"), e.kind.not_like("ack:%"),
                                          e.kind.not_like("flag%"))
            condition = and_(condition, ~progress.exists())
        rows = select(mine.c.tenant_id, mine.c.case_id, literal(flag_kind.value), literal(int(FAULT_OF[flag_kind])),
                      key, _C.assignee_id, null(), literal(""), literal(now), literal(sweep_id)) \
            .join(Case.__table__, _C.id == mine.c.case_id).where(condition)
        total += _run(_insert(table).from_select(FLAG_COLUMNS, rows)
                      .on_conflict_do_nothing(index_elements=["tenant_id", "key"]))
    return total


def _flag_late_referrals(sweep_id, now) -> int:
    """A referral not accepted in time (default one working day) flags the department."""
    r = Referral.__table__.c
    late = and_(r.status == ReferralStatus.PENDING, r.accept_by <= now, r.late_flagged.is_(False))
    key = literal(f"{FlagKind.REFERRAL_NOT_ACCEPTED.value}:") + cast(r.id, String)
    rows = select(r.tenant_id, r.case_id, literal(FlagKind.REFERRAL_NOT_ACCEPTED.value),
                  literal(int(FAULT_OF[FlagKind.REFERRAL_NOT_ACCEPTED])), key, null(), r.department_id, literal(""),
                  literal(now), literal(sweep_id)).where(late)
    inserted = _run(_insert(Flag.__table__).from_select(FLAG_COLUMNS, rows)
                    .on_conflict_do_nothing(index_elements=["tenant_id", "key"]))
    _run(update(Referral.__table__).where(late).values(late_flagged=True))
    return inserted


# The visits still open, which every sweep looks through (migration bb5dfc325148): without it
# each sweep reads every follow-up of every township twice. The predicate is the query's own.
_OPEN = and_(FollowUp.done_at.is_(None), FollowUp.missed_flagged.is_(False))
OPEN_FOLLOW_UPS = Index("ix_follow_ups_open", FollowUp.tenant_id, FollowUp.due_on,
                        postgresql_where=_OPEN, sqlite_where=_OPEN)


def _flag_missed_follow_ups(sweep_id, now) -> int:
    """A follow-up visit not done within its window (the township's grace days after the
    visit's date) flags the case's mediator."""
    f = FollowUp.__table__.c
    s = CaseSettings.__table__.c
    today = timelimits.today(now)
    if db.session.get_bind().dialect.name == "postgresql":
        window_end = f.due_on + s.follow_up_grace_days
    else:
        window_end = func.date(f.due_on, literal("+") + cast(s.follow_up_grace_days, String) + " days")
    missed = and_(f.done_at.is_(None), f.missed_flagged.is_(False), f.due_on < today)
    late = select(f.id).join(CaseSettings.__table__, s.tenant_id == f.tenant_id).where(missed, window_end < today)
    key = literal(f"{FlagKind.FOLLOW_UP_MISSED.value}:") + cast(f.id, String)
    rows = select(f.tenant_id, f.case_id, literal(FlagKind.FOLLOW_UP_MISSED.value),
                  literal(int(FAULT_OF[FlagKind.FOLLOW_UP_MISSED])), key, _C.assignee_id, null(), literal(""),
                  literal(now), literal(sweep_id)) \
        .join(Case.__table__, _C.id == f.case_id).where(f.id.in_(late))
    inserted = _run(_insert(Flag.__table__).from_select(FLAG_COLUMNS, rows)
                    .on_conflict_do_nothing(index_elements=["tenant_id", "key"]))
    _run(update(FollowUp.__table__).where(f.id.in_(late)).values(missed_flagged=True))
    return inserted


def _timeline(sweep_id, now) -> None:
    """Every escalation and flag this sweep wrote is also a line on its case's timeline."""
    events = CaseEvent.__table__
    columns = ["tenant_id", "case_id", "at", "kind", "note"]
    esc = Escalation.__table__.c
    _run(insert(events).from_select(columns, select(
        esc.tenant_id, esc.case_id, literal(now), literal("escalation:") + cast(esc.level, String), literal(""))
        .where(esc.sweep_id == sweep_id)))
    fl = Flag.__table__.c
    _run(insert(events).from_select(columns, select(
        fl.tenant_id, fl.case_id, literal(now), literal("flag:") + cast(fl.kind, String), literal(""))
        .where(fl.sweep_id == sweep_id, fl.case_id.is_not(None))))


def last_run():
    return db.session.scalar(select(SweepRun).where(SweepRun.dry_run.is_(False)).order_by(SweepRun.started_at.desc()))
