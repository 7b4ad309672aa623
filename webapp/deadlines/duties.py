"""The sweep's reminders and flags for dated duties outside a case's clock: a joint meeting's
decision (its owner), an investigation round's reports (every village), a key person's next
visit (who recorded the last one).

Before the due day (``timelimits.DUTY_REMINDER_DAYS``) the people concerned are reminded; from
the day after it, what is not done is an accountability flag. Like the rest of the sweep it is
set-based SQL under unique keys — a notification per person and key, a flag per township and
key — so a second sweep, or two at once, changes nothing more.
"""
from sqlalchemy import String, and_, cast, exists, literal, null, or_, select, true
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import aliased

from tenants.models import Membership, Role
from webapp import timelimits
from webapp.deadlines.models import FAULT_OF, Flag, FlagKind, Notification
from webapp.extensions import db
from webapp.keypersons.models import KeyPersonVisit
from webapp.meetings.models import Decision
from webapp.rounds.models import Round, RoundReport
from webapp.villages.models import Village

NOTIFICATION_COLUMNS = ["tenant_id", "user_id", "kind", "key", "created_at", "sweep_id"]
FLAG_COLUMNS = ["tenant_id", "case_id", "kind", "fault", "key", "responsible_user_id", "evidence", "raised_at",
                "sweep_id"]


def _insert_new(table, columns, rows, unique) -> int:
    dialect = db.session.get_bind().dialect.name
    statement = (pg_insert if dialect == "postgresql" else sqlite_insert)(table).from_select(columns, rows) \
        .on_conflict_do_nothing(index_elements=unique)
    # SQLAlchemy reports the rowcount of an INSERT (on psycopg: -1) only when asked to keep it.
    return db.session.execute(statement.execution_options(preserve_rowcount=True)).rowcount or 0


def _notify(rows) -> int:
    return _insert_new(Notification.__table__, NOTIFICATION_COLUMNS, rows, ["user_id", "key"])


def _flag(rows) -> int:
    return _insert_new(Flag.__table__, FLAG_COLUMNS, rows, ["tenant_id", "key"])


def _key(prefix: str, *ids):
    key = literal(prefix + ":")
    for n, id_ in enumerate(ids):
        key = key + (literal(":") if n else literal("")) + cast(id_, String)
    return key


def sweep_duties(sweep_id: str, now) -> dict:
    """What this sweep told and flagged: ``notified`` and ``flagged``."""
    today, window, since = timelimits.today(now), timelimits.reminder_window(now), timelimits.duties_since(now)
    notified = flagged = 0
    for remind, flag in (_decisions(sweep_id, now, today, window, since), _rounds(sweep_id, now, today, window, since),
                         _visits(sweep_id, now, today, window, since)):
        notified += remind
        flagged += flag
    return {"notified": notified, "flagged": flagged}


def _decisions(sweep_id, now, today, window, since):
    """A decision's owner is reminded before its due date; not done by then, it is flagged
    (fault 5: a matter handed over not handled in time) and the owner told."""
    d = Decision.__table__.c
    pending = and_(d.done_at.is_(None), d.owner_id.is_not(None), d.due_on.is_not(None))
    coming = select(d.tenant_id, d.owner_id, literal("decision_due"), _key("decision_due", d.id), literal(now),
                    literal(sweep_id)).where(pending, d.due_on >= today, d.due_on <= window)
    missed = and_(pending, d.due_on < today, d.due_on >= since)
    told = select(d.tenant_id, d.owner_id, literal("decision_overdue"), _key("decision_overdue", d.id),
                  literal(now), literal(sweep_id)).where(missed)
    kind = FlagKind.DECISION_OVERDUE
    flags = select(d.tenant_id, null(), literal(kind.value), literal(int(FAULT_OF[kind])), _key(kind.value, d.id),
                   d.owner_id, d.text, literal(now), literal(sweep_id)).where(missed)
    return _notify(coming) + _notify(told), _flag(flags)


def _rounds(sweep_id, now, today, window, since):
    """Every active stability officer is reminded of a round some village has not reported in;
    past the deadline each silent village is flagged (fault 1: not investigating one's area)
    and the directors told."""
    r, v, m = Round.__table__.c, Village.__table__.c, Membership.__table__.c
    rep = RoundReport.__table__.c
    silent = ~exists(select(rep.id).where(rep.round_id == r.id, rep.village_id == v.id))
    pairs = Round.__table__.join(Village.__table__, v.tenant_id == r.tenant_id)
    officers = and_(m.tenant_id == r.tenant_id, m.role == Role.OFFICER, m.active == true())
    coming = select(r.tenant_id, m.user_id, literal("round_due"), _key("round_due", r.id), literal(now),
                    literal(sweep_id)).select_from(pairs.join(Membership.__table__, officers)) \
        .where(r.due_on >= today, r.due_on <= window, silent).distinct()
    late = and_(r.due_on < today, r.due_on >= since, silent)
    directors = and_(m.tenant_id == r.tenant_id, m.role == Role.TOWNSHIP_ADMIN, m.active == true())
    told = select(r.tenant_id, m.user_id, literal("round_not_reported"), _key("round_not_reported", r.id),
                  literal(now), literal(sweep_id)).select_from(pairs.join(Membership.__table__, directors)) \
        .where(late).distinct()
    kind = FlagKind.ROUND_NOT_REPORTED
    flags = select(r.tenant_id, null(), literal(kind.value), literal(int(FAULT_OF[kind])),
                   _key(kind.value, r.id, v.id), null(), r.title + literal(" · ") + v.name, literal(now),
                   literal(sweep_id)).select_from(pairs).where(late)
    return _notify(coming) + _notify(told), _flag(flags)


def _visits(sweep_id, now, today, window, since):
    """A key person's next visit (set by the latest visit) is reminded of to who recorded that
    visit; not made by its day, it is flagged (fault 1) and they are told."""
    k = KeyPersonVisit.__table__.c
    later = aliased(KeyPersonVisit.__table__)
    superseded = exists(select(later.c.id).where(
        later.c.key_person_id == k.key_person_id,
        or_(later.c.visited_on > k.visited_on, and_(later.c.visited_on == k.visited_on, later.c.id > k.id))))
    open_ = and_(k.next_due_on.is_not(None), ~superseded)
    coming = select(k.tenant_id, k.recorded_by_id, literal("visit_due"), _key("visit_due", k.id), literal(now),
                    literal(sweep_id)).where(open_, k.recorded_by_id.is_not(None), k.next_due_on >= today,
                                             k.next_due_on <= window)
    missed = and_(open_, k.next_due_on < today, k.next_due_on >= since)
    told = select(k.tenant_id, k.recorded_by_id, literal("visit_missed"), _key("visit_missed", k.id), literal(now),
                  literal(sweep_id)).where(missed, k.recorded_by_id.is_not(None))
    kind = FlagKind.VISIT_MISSED
    flags = select(k.tenant_id, null(), literal(kind.value), literal(int(FAULT_OF[kind])), _key(kind.value, k.id),
                   k.recorded_by_id, k.visitors, literal(now), literal(sweep_id)).where(missed)
    return _notify(coming) + _notify(told), _flag(flags)
