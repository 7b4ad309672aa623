"""The sweep's part for supervision from above, in set-based SQL over every township, each
under a unique key and marked done on its row, so that a second sweep changes nothing:

- an assignment whose time to take it up runs out soon warns the center's intake;
- an assignment not taken up in time flags the township (fault 5), like a case assigned
  from above and not taken up;
- a supervision notice not answered by its day flags the township (fault 5).

Called by ``webapp.deadlines.sweep`` inside its ``all_tenants()`` scope.
"""
from sqlalchemy import String, and_, cast, literal, null, select, true, update

from tenants.models import Membership
from webapp.deadlines.models import FAULT_OF, FlagKind
from webapp.supervision.models import Assignment, SupervisionNotice
from webapp.supervision.operations import INTAKE

_A = Assignment.__table__.c
_N = SupervisionNotice.__table__.c


def warn_assignments(now, sweep_id, insert, run, notifications) -> int:
    """The intake hears once, a day before the time to take an assignment up runs out."""
    m = Membership.__table__.c
    due = and_(_A.case_id.is_(None), _A.warned.is_(False), _A.warn_at <= now, _A.take_up_by > now)
    rows = select(_A.tenant_id, m.user_id, literal("assignment_due"),
                  literal("assignment_due:") + cast(_A.id, String), literal(now), literal(sweep_id)) \
        .join(Membership.__table__, and_(m.tenant_id == _A.tenant_id, m.role.in_(INTAKE), m.active == true())) \
        .where(due)
    told = run(insert(notifications).from_select(["tenant_id", "user_id", "kind", "key", "created_at", "sweep_id"],
                                                 rows).on_conflict_do_nothing(index_elements=["user_id", "key"]))
    run(update(Assignment.__table__).where(due).values(warned=True))
    return told


def flag_late(now, sweep_id, insert, run, flags, columns) -> int:
    """Assignments not taken up, and notices not answered, in time: one flag each."""
    total = 0
    kind = FlagKind.ASSIGNED_NOT_HANDLED
    late = and_(_A.case_id.is_(None), _A.late_flagged.is_(False), _A.take_up_by <= now)
    rows = select(_A.tenant_id, null(), literal(kind.value), literal(int(FAULT_OF[kind])),
                  literal(f"{kind.value}:assignment:") + cast(_A.id, String), null(), null(), _A.title,
                  literal(now), literal(sweep_id)).where(late)
    total += run(insert(flags).from_select(columns, rows).on_conflict_do_nothing(index_elements=["tenant_id", "key"]))
    run(update(Assignment.__table__).where(late).values(late_flagged=True))

    kind = FlagKind.NOT_ANSWERED
    late = and_(_N.answered_at.is_(None), _N.late_flagged.is_(False), _N.answer_due_at <= now)
    rows = select(_N.tenant_id, _N.case_id, literal(kind.value), literal(int(FAULT_OF[kind])),
                  literal(f"{kind.value}:") + cast(_N.id, String), null(), null(), _N.subject,
                  literal(now), literal(sweep_id)).where(late)
    total += run(insert(flags).from_select(columns, rows).on_conflict_do_nothing(index_elements=["tenant_id", "key"]))
    run(update(SupervisionNotice.__table__).where(late).values(late_flagged=True))
    return total
