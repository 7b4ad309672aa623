"""The deadline sweep: set-based SQL over every township, safe to run twice or twice at once.

1. For every case whose next moment has come (``case_watch.next_at``, indexed), record each
   passed moment as a ``case_alerts`` row — unique per case, clock cycle and kind, so a
   moment is acted on once however many sweeps run.
2. Move each such case's watch on to its next future moment.
3. From the alerts this sweep inserted (and only those: ``sweep_id``), write the
   notifications (one per person and kind of alert, naming the cases), escalations, flags
   and timeline events, each under its own unique key.
4. Late referrals and missed follow-up visits are flagged the same way, and the liaisons of
   a pending referral are told of it if the job that should have told them never ran.
5. Joint-meeting decisions, investigation rounds and key-person visits — dated duties outside
   any case's clock — are reminded of before their day and flagged after it
   (``webapp.deadlines.duties``).
6. Assignments from the county are warned of before their time to take them up runs out, and
   flagged when it has; supervision notices not answered in time are flagged
   (``webapp.supervision.sweep``).

A killed sweep rolls back whole; the next one finds the same due moments in the database,
so nothing is lost when Redis or a worker was down.

A *full* sweep (``full=True``: when the scheduler starts, and once a day) first looks at
every open case, not only those its watch says are due: a case whose watch is missing, or
not the next moment its own moments say, is watched again from its earliest moment, and the
sweep then acts on it like any other — after a change made to the database by hand, say.
Run after an ordinary sweep, it finds nothing more.
"""
import uuid
from datetime import datetime, timezone
from sqlalchemy import Index, String, and_, cast, exists, func, insert, literal, null, or_, select, true, update
from sqlalchemy import case as when
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from tenants.models import Membership, Role
from tenants.scope import all_tenants
from webapp import timelimits
from webapp.cases.models import (
    Case, CaseEvent, CaseSettings, CaseState, EscalationTarget, FollowUp, Referral, ReferralStatus, Risk,
)
from webapp.deadlines.duties import sweep_duties
from webapp.deadlines.models import (
    FAULT_OF, AlertKind, CaseAlert, CaseWatch, Escalation, EscalationLevel, Flag, FlagKind, Notification, SweepRun,
)
from webapp.extensions import db
from webapp.supervision import sweep as supervision
from webapp.types import UTCDateTime, utcnow

FINISHED = [CaseState.CLOSED, CaseState.ARCHIVED]

# Which moment, under which condition, makes which alert.
_C = Case.__table__.c
_W = CaseWatch.__table__.c


def _alert_conditions(now):
    """The yellow and red alerts are the lights of ``webapp.timelimits`` turning; the others
    are their moments passed in the states ``timelimits.watched_moments`` watches them in."""
    lights = timelimits.light_conditions_sql(_C, now)
    return {
        AlertKind.YELLOW: lights[timelimits.Light.YELLOW],
        AlertKind.RED: lights[timelimits.Light.RED],
        AlertKind.LONG_OVERDUE: timelimits.long_overdue_sql(_C, now),
        AlertKind.UNREPORTED: and_(_C.report_by <= now, timelimits.must_report_sql(_C), _C.risk == Risk.MAY_ESCALATE),
        AlertKind.UNHANDLED: and_(_C.handle_by <= now, _C.state.in_(timelimits.NOT_TAKEN_UP)),
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


# The most cases one sweep acts on: after a long outage the due cases are swept in several
# transactions of bounded length (a batch of 50,000 due cases took about 12 s on two cores
# in a county of 1,000,000 open cases, bench/sweep.py): no lock is held for minutes, and a
# job stopped at its timeout keeps the batches it committed; the next sweep goes on from there.
BATCH = 50_000
COUNTED = ("warned", "overdue", "escalated", "flagged", "notified", "long_overdue", "unreported", "unhandled")


def sweep_until_done(now=None, *, full: bool = False, batch: int = BATCH) -> dict:
    """Sweep, committing, until no due case is left; what the sweeps did, added up. What the
    job and the command line run; each batch is a sweep of its own, so one killed half-way
    loses only its own uncommitted work, which the next one does again."""
    total = dict.fromkeys(COUNTED, 0)
    total.update(batches=0)
    while True:
        counts = run_sweep(now, full=full and total["batches"] == 0, batch=batch,
                           earlier=total if total["batches"] else None)
        db.session.commit()
        total["batches"] += 1
        for key in COUNTED:
            total[key] += counts[key]
        if "repaired" in counts:
            total.update(full=True, repaired=counts["repaired"])
        if not counts["more"]:
            total["dry_run"] = False
            return total


def run_sweep(now=None, *, dry_run: bool = False, full: bool = False, batch: int | None = None,
              earlier: dict | None = None) -> dict:
    """One sweep over every township, acting on at most ``batch`` due cases (the earliest
    first); ``more`` says whether some were left for the next. Returns what it did (or, dry,
    what it would do). ``earlier``: what the earlier batches of the same catch-up did, added
    up; the operations view then shows the whole catch-up, not its last batch alone."""
    now = now or utcnow()
    sweep_id = uuid.uuid4().hex
    with all_tenants():
        savepoint = db.session.begin_nested() if dry_run else None
        counts = _sweep(now, sweep_id, full, batch)
        if dry_run:
            savepoint.rollback()
        else:
            record = {key: value for key, value in counts.items() if key != "more"}
            if earlier is not None:
                record["catch_up"] = {"batches": earlier["batches"] + 1,
                                      **{key: earlier[key] + counts[key] for key in COUNTED}}
            db.session.add(SweepRun(id=sweep_id, started_at=now, finished_at=utcnow(), counts=record))
        db.session.flush()
    counts["dry_run"] = dry_run
    return counts


def _due_until(now, batch):
    """The watch moment up to which this sweep acts: ``now``, or, when more than ``batch``
    cases are due, the moment of the ``batch``-th (cases due at that same moment included)."""
    if batch is None:
        return now, False
    cutoff = db.session.scalar(select(_W.next_at).where(_W.next_at <= now).order_by(_W.next_at)
                               .offset(batch - 1).limit(1))
    if cutoff is None:
        return now, False
    more = db.session.scalar(select(_W.case_id).where(_W.next_at > cutoff, _W.next_at <= now).limit(1))
    return cutoff, more is not None


def _sweep(now, sweep_id, full=False, batch=None) -> dict:
    alerts = CaseAlert.__table__
    counts = {}
    conditions = _alert_conditions(now)
    repaired = _repair_watch(now) if full else 0
    until, more = _due_until(now, batch)
    for kind, condition in conditions.items():
        # The 24 hours to report and the time to take up an assignment run once per case, from
        # its assessment or acceptance: a new cycle of the deadline (a pause) does not renew them.
        cycle = literal(0) if kind in ONCE_PER_CASE else _C.clock_cycle
        rows = select(_C.tenant_id, _C.id, cycle, literal(kind.value), literal(now), literal(sweep_id)) \
            .select_from(CaseWatch.__table__.join(Case.__table__, _C.id == _W.case_id)) \
            .where(_W.next_at <= until, condition)
        counts[kind.value] = _run(_insert(alerts).from_select(
            ["tenant_id", "case_id", "cycle", "kind", "at", "sweep_id"], rows).on_conflict_do_nothing(
            index_elements=["case_id", "cycle", "kind"]))
    _run(update(CaseWatch.__table__).where(_W.next_at <= until, _W.case_id == _C.id).values(
        next_at=_watched_future(now)))

    mine = alerts.alias("mine")
    counts["notified"] = _notify(mine, sweep_id, now) + _notify_pending_referrals(sweep_id, now) \
        + supervision.warn_assignments(now, sweep_id, _insert, _run, Notification.__table__)
    counts["escalated"] = _escalate(mine, sweep_id, now)
    counts["flagged"] = _flag_from_alerts(mine, sweep_id, now) + _flag_late_referrals(sweep_id, now) \
        + _flag_missed_follow_ups(sweep_id, now) \
        + supervision.flag_late(now, sweep_id, _insert, _run, Flag.__table__, FLAG_COLUMNS)
    _timeline(sweep_id, now)
    # Decisions, investigation rounds and key-person visits: dated duties with no case clock.
    duties = sweep_duties(sweep_id, now)
    counts["notified"] += duties["notified"]
    counts["flagged"] += duties["flagged"]
    result = {
        "warned": counts["yellow"], "overdue": counts["red"], "escalated": counts["escalated"],
        "flagged": counts["flagged"], "notified": counts["notified"], "long_overdue": counts["long_overdue"],
        "unreported": counts["unreported"], "unhandled": counts["unhandled"], "more": more,
    }
    if full:
        result.update(full=True, repaired=repaired)
    return result


def _watched(now=None) -> list:
    return timelimits.watched_sql(_C, now)


def _least(moments):
    """The earliest of ``moments`` that is not NULL, or NULL."""
    never = literal(_NEVER, type_=UTCDateTime())
    least = func.least if db.session.get_bind().dialect.name == "postgresql" else func.min
    return func.nullif(least(*[func.coalesce(moment, never) for moment in moments], type_=UTCDateTime()), never)


def _watched_future(now):
    """Where the watch of a case goes once the sweep has acted on every moment passed."""
    return _least(_watched(now))


def _repair_watch(now) -> int:
    """The full sweep's look at every open case: one with no watch, or with a watch in the
    future that is not its next future moment, is watched again from its earliest moment
    (what ``clock.next_moment`` writes), so that this sweep acts on whatever it missed."""
    watch = CaseWatch.__table__
    earliest = _least(_watched())
    wrong = or_(and_(_W.case_id.is_(None), earliest.is_not(None)),
                and_(_W.case_id.is_not(None), or_(_W.next_at.is_(None), _W.next_at > now),
                     _W.next_at.is_distinct_from(_watched_future(now))))
    # In the order of the cases, so that full sweeps running at once lock the rows they
    # write in the same order and never wait on each other in a circle.
    rows = select(_C.id, _C.tenant_id, earliest) \
        .select_from(Case.__table__.outerjoin(watch, _W.case_id == _C.id)) \
        .where(_C.state.not_in(FINISHED), wrong).order_by(_C.id)
    upsert = _insert(watch).from_select(["case_id", "tenant_id", "next_at"], rows)
    return _run(upsert.on_conflict_do_update(index_elements=["case_id"], set_={"next_at": upsert.excluded.next_at}))


def _notify(mine, sweep_id, now) -> int:
    """One notification per person and kind of alert, naming every case of this sweep: to the
    township's directors, all of the township's cases; to each mediator, their own (a
    director assigned a case hears of it among the director's)."""
    m = Membership.__table__.c
    postgres = db.session.get_bind().dialect.name == "postgresql"
    aggregate = func.json_agg if postgres else func.json_group_array
    columns = ["tenant_id", "user_id", "case_id", "case_ids", "kind", "key", "created_at", "sweep_id"]
    key = mine.c.kind + literal(":" + sweep_id)

    def one_case(ids):
        return when((func.count() == 1, func.min(ids)), else_=null())

    directs = and_(m.role == Role.TOWNSHIP_ADMIN, m.active == true())
    per_township = select(mine.c.tenant_id, mine.c.kind, one_case(mine.c.case_id).label("case_id"),
                          aggregate(mine.c.case_id).label("case_ids")) \
        .where(mine.c.sweep_id == sweep_id).group_by(mine.c.tenant_id, mine.c.kind).subquery("per_township")
    to_directors = select(per_township.c.tenant_id, m.user_id, per_township.c.case_id, per_township.c.case_ids,
                          per_township.c.kind, per_township.c.kind + literal(":" + sweep_id), literal(now),
                          literal(sweep_id)) \
        .join(Membership.__table__, and_(m.tenant_id == per_township.c.tenant_id, directs))
    is_director = exists(select(m.user_id).where(m.tenant_id == mine.c.tenant_id, m.user_id == _C.assignee_id,
                                                 directs))
    to_assignees = select(mine.c.tenant_id, _C.assignee_id, one_case(mine.c.case_id), aggregate(mine.c.case_id),
                          mine.c.kind, key, literal(now), literal(sweep_id)) \
        .join(Case.__table__, _C.id == mine.c.case_id) \
        .where(mine.c.sweep_id == sweep_id, _C.assignee_id.is_not(None), ~is_director) \
        .group_by(mine.c.tenant_id, _C.assignee_id, mine.c.kind)
    total = 0
    for rows in (to_directors, to_assignees):
        total += _run(_insert(Notification.__table__).from_select(columns, rows)
                      .on_conflict_do_nothing(index_elements=["user_id", "key"]))
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
                                          e.kind.not_like("flag%"), e.kind.not_like("instruction%"))
            condition = and_(condition, ~progress.exists())
        rows = select(mine.c.tenant_id, mine.c.case_id, literal(flag_kind.value), literal(int(FAULT_OF[flag_kind])),
                      key, _responsible(flag_kind), null(), literal(""), literal(now), literal(sweep_id)) \
            .join(Case.__table__, _C.id == mine.c.case_id).where(condition)
        total += _run(_insert(table).from_select(FLAG_COLUMNS, rows)
                      .on_conflict_do_nothing(index_elements=["tenant_id", "key"]))
    return total


def _responsible(flag_kind):
    """Whom a flag names: the case's mediator; but a 可激化 case that the mediator reported to
    the center's director in time, and that went no higher, is the director's to have reported:
    the one who acknowledged the report, or the center (no one person) if nobody did."""
    if flag_kind != FlagKind.NOT_REPORTED:
        return _C.assignee_id
    x = Escalation.__table__.c
    acknowledged_by = select(x.acknowledged_by_id).where(
        x.case_id == _C.id, x.level == EscalationLevel.DIRECTOR, x.reason == AlertKind.MANUAL) \
        .order_by(x.id.desc()).limit(1).scalar_subquery()
    return when((_C.escalated_to == EscalationTarget.DIRECTOR, acknowledged_by), else_=_C.assignee_id)


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
    """The latest sweep; of the batches of a catch-up (which share their moment), the last,
    which holds what they all did."""
    done = SweepRun.dry_run.is_(False)
    latest = select(func.max(SweepRun.started_at)).where(done).scalar_subquery()
    runs = db.session.scalars(select(SweepRun).where(done, SweepRun.started_at == latest)).all()
    return max(runs, key=lambda run: ((run.counts or {}).get("catch_up", {}).get("batches", 1), run.finished_at),
               default=None)
