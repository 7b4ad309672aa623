"""Everything that changes an assignment or a supervision notice. Each operation checks,
changes and flushes; the view (or the demo seed) commits.

The county's operations run inside the township's own scope (``tenant_scope``), the one
write of the county's pages into a township.
"""
from datetime import date

from flask_babel import lazy_gettext as _l

from tenants.models import Role
from webapp import timelimits
from webapp.cases.models import Case, Source
from webapp.cases.operations import record_event, register_case
from webapp.deadlines.reports import members_of, notify
from webapp.errors import Refused
from webapp.extensions import db
from webapp.supervision.models import Assignment, AssignmentSource, NoticeKind, SupervisionNotice
from webapp.types import utcnow

# Who in the township hears of an assignment and takes it up: the intake of the center.
INTAKE = (Role.TOWNSHIP_ADMIN, Role.CLERK)


def _county_admin(actor) -> None:
    if actor.role != Role.COUNTY_ADMIN:
        raise Refused(_l("Only the county bureau can do this."))


def assign(tenant, actor, *, title: str, parties: str, source: AssignmentSource, take_up_on: date,
           settle_on: date, narrative: str = "", now=None) -> Assignment:
    """交办: the county bureau hands a dispute that reached it (12345 hotline, a petition, a higher
    authority) down to a township, with a day to take it up by and a day to settle it by. It
    waits in the township's intake queue; the center's intake is told."""
    _county_admin(actor)
    today = timelimits.today(now)
    if take_up_on < today:
        raise Refused(_l("The day to take it up by cannot be in the past."), field="take_up_on")
    if settle_on < take_up_on:
        raise Refused(_l("The day to settle it by comes on or after the day to take it up by."), field="settle_on")
    take_up_by = timelimits.end_of_day(take_up_on)
    assignment = Assignment(tenant_id=tenant.id, title=title, parties=parties, narrative=narrative, source=source,
                            take_up_by=take_up_by, warn_at=timelimits.assignment_warn_at(take_up_by),
                            settle_by=timelimits.end_of_day(settle_on), created_by_id=actor.user_id)
    db.session.add(assignment)
    db.session.flush()
    notify(tenant.id, members_of(tenant.id, INTAKE), case_id=None, kind="assignment", key=f"assignment:{assignment.id}")
    return assignment


def take_up(assignment: Assignment, tenant, actor) -> Case:
    """Taking an assignment up registers it as a case of the township, marked 上级交办; the
    timeline says where it came from."""
    if actor.role not in INTAKE:
        raise Refused(_l("Only the center's intake can take up an assignment."))
    if assignment.case_id is not None:
        raise Refused(_l("This assignment has been taken up already."))
    narrative = "\n\n".join(part for part in (assignment.parties, assignment.narrative) if part)
    case = register_case(tenant, actor, title=assignment.title, source=Source.ASSIGNED, narrative=narrative)
    assignment.case_id, assignment.taken_up_at, assignment.taken_up_by_id = case.id, utcnow(), actor.user_id
    assignment.case = case
    record_event(case, actor, "assignment_taken_up",
                 data={"assignment": assignment.id, "source": assignment.source.value})
    db.session.flush()
    return case


def send_notice(tenant, actor, *, kind: NoticeKind, subject: str, body: str, answer_by: date,
                case: Case | None = None, now=None) -> SupervisionNotice:
    """督办函 / 预警函: the county asks the township about a case or a figure below target, and
    wants a written answer by a date. The township's directors are told."""
    _county_admin(actor)
    if answer_by < timelimits.today(now):
        raise Refused(_l("The day to answer by cannot be in the past."), field="answer_by")
    notice = SupervisionNotice(tenant_id=tenant.id, kind=kind, subject=subject, body=body, answer_by=answer_by,
                               answer_due_at=timelimits.end_of_day(answer_by), case_id=case.id if case else None,
                               created_by_id=actor.user_id)
    db.session.add(notice)
    db.session.flush()
    notify(tenant.id, members_of(tenant.id, (Role.TOWNSHIP_ADMIN,)), case_id=notice.case_id, kind="supervision",
           key=f"supervision:{notice.id}")
    return notice


def answer_notice(notice: SupervisionNotice, actor, *, text: str) -> None:
    """The center director answers a notice in writing; the answer is kept as given."""
    if actor.role != Role.TOWNSHIP_ADMIN:
        raise Refused(_l("Only the center director can answer a supervision notice."), field="text")
    if notice.answered_at is not None:
        raise Refused(_l("This notice has been answered already."), field="text")
    notice.answer, notice.answered_at, notice.answered_by_id = text, utcnow(), actor.user_id
    db.session.flush()
