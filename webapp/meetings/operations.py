"""What the director does with a joint meeting. Each operation checks, changes and flushes;
the view that calls it commits once. Changes to cases go through ``webapp.cases.operations``
only: a decision's action is one of its operations, so the workflow's rules and its timeline
apply to it as to any other change."""
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tenants.models import Membership, Role
from webapp.auth.models import User

from webapp.cases import operations as case_operations
from webapp.cases.models import Case, CaseEvent, EscalationTarget
from webapp.errors import Refused
from webapp.extensions import db
from webapp.meetings.models import Action, ActionKind, Attendance, Decision, Meeting, MeetingKind
from webapp.referrals.models import Department
from webapp.types import utcnow
from webapp.villages.models import Village


def default_title(tenant, kind: MeetingKind, year: int) -> str:
    if kind is MeetingKind.MID_YEAR:
        return _("%(township)s %(year)d mid-year joint meeting", township=tenant.name, year=year)
    return _("%(township)s %(year)d year-end joint meeting", township=tenant.name, year=year)


def _check_open(meeting: Meeting) -> None:
    if meeting.is_final:
        raise Refused(_l("The minutes are final: this meeting's records can no longer change."))


def _check_held(meeting: Meeting) -> None:
    """Attendance, decisions and minutes are records of a meeting that has taken place."""
    _check_open(meeting)
    if not meeting.has_begun():
        raise Refused(_l("The meeting has not taken place yet: its records start on the day of the meeting."))


def schedule_meeting(tenant, actor, *, kind: MeetingKind, year: int, starts_at: datetime, place: str, chair: str,
                     title: str = "") -> Meeting:
    """联席会议制度: twice a year, mid-year and year-end, convened by the center's director."""
    meeting = Meeting(tenant_id=tenant.id, kind=kind, year=year, starts_at=starts_at, place=place, chair=chair,
                      title=title or default_title(tenant, kind, year), created_by_id=actor.user_id)
    db.session.add(meeting)
    db.session.flush()
    return meeting


def reschedule_meeting(meeting: Meeting, *, starts_at: datetime, place: str, chair: str, title: str) -> None:
    _check_open(meeting)
    meeting.starts_at, meeting.place, meeting.chair, meeting.title = starts_at, place, chair, title or meeting.title
    db.session.flush()


def member_units(tenant_id: int) -> tuple[list[Department], list[Village]]:
    """The member units (成员单位: the departments) and the villages whose officers attend."""
    departments = db.session.scalars(select(Department).where(Department.tenant_id == tenant_id)
                                     .order_by(Department.id)).all()
    villages = db.session.scalars(select(Village).where(Village.tenant_id == tenant_id).order_by(Village.id)).all()
    return departments, villages


def record_attendance(meeting: Meeting, rows: dict[tuple[str, int], tuple[bool, str]]) -> None:
    """``rows``: ("department" | "village", id) → (present, who came). Recorded again, it replaces."""
    _check_held(meeting)
    existing = {(("department", a.department_id) if a.department_id else ("village", a.village_id)): a
                for a in meeting.attendance}
    for (unit, unit_id), (present, attendee) in rows.items():
        row = existing.get((unit, unit_id))
        if row is None:
            row = Attendance(tenant_id=meeting.tenant_id, **{f"{unit}_id": unit_id})
            meeting.attendance.append(row)
        row.present, row.attendee = present, attendee if present else ""
    db.session.flush()


def add_decision(meeting: Meeting, actor, *, text: str, department_id: int | None = None,
                 village_id: int | None = None, due_on: date | None = None, owner_id: int | None = None) -> Decision:
    """A decision with a due date is followed through by its owner — whoever records it, unless
    another is named: the sweep reminds the owner before the date and flags the decision after
    it, until it is marked done."""
    _check_held(meeting)
    if due_on is not None and owner_id is None:
        owner_id = actor.user_id
    position = (db.session.scalar(select(func.max(Decision.position)).where(Decision.meeting_id == meeting.id)) or 0) + 1
    decision = Decision(tenant_id=meeting.tenant_id, position=position, text=text, department_id=department_id,
                        village_id=village_id, due_on=due_on, owner_id=owner_id, created_by_id=actor.user_id)
    meeting.decisions.append(decision)
    db.session.flush()
    return decision


def may_complete(decision: Decision, actor) -> bool:
    """Its owner, or the director, says a decision is done."""
    return actor is not None and (actor.user_id == decision.owner_id or actor.role == Role.TOWNSHIP_ADMIN)


def complete_decision(decision: Decision, actor) -> None:
    """Done: the sweep stops reminding of it. Also after the minutes are final: carrying a
    decision out is not a record of the meeting."""
    if not may_complete(decision, actor):
        raise Refused(_l("Only the decision's owner or the director marks it done."))
    if decision.done_at is not None:
        raise Refused(_l("This decision is marked done already."))
    decision.done_at, decision.done_by_id = utcnow(), actor.user_id
    db.session.flush()


def owners(tenant_id: int) -> list:
    """Who can own a decision: the township's active staff (not the departments' liaisons), as
    rows of ``id`` and ``name``."""
    name = func.coalesce(func.nullif(User.display_name, ""), User.username).label("name")
    return db.session.execute(
        select(User.id, name).join(Membership, Membership.user_id == User.id)
        .where(Membership.tenant_id == tenant_id, Membership.active.is_(True), Membership.role != Role.LIAISON)
        .order_by(Membership.role, User.id)).all()


def open_decisions(meeting: Meeting) -> list[Decision]:
    """The earlier meetings' decisions not yet done: what the next meeting's pack lists."""
    return db.session.scalars(
        select(Decision).join(Meeting, Meeting.id == Decision.meeting_id)
        .where(Decision.tenant_id == meeting.tenant_id, Decision.done_at.is_(None),
               Meeting.starts_at < meeting.starts_at)
        .options(selectinload(Decision.meeting), selectinload(Decision.owner))
        .order_by(Meeting.starts_at, Decision.position)).all()


def take_action(decision: Decision, case: Case, actor, kind: ActionKind, *, assignee_id: int | None = None,
                target: EscalationTarget | None = None, due_on: date | None = None) -> Action:
    """A decision acts on a case through the case's own operations, so the workflow may refuse
    (``Refused``: the caller rolls the whole decision back). The timeline line names the meeting."""
    meeting = decision.meeting
    _check_held(meeting)
    note = _("%(meeting)s, decision %(n)d: %(text)s", meeting=meeting.title, n=decision.position, text=decision.text)
    if kind is ActionKind.ASSIGN:
        if assignee_id is None:
            raise Refused(_l("Choose the mediator."), field="assignee")
        if case.state.value == "escalated":
            case_operations.resume_case(case, actor, assignee_id=assignee_id, note=note)
        else:
            case_operations.start_mediation(case, actor, assignee_id=assignee_id, note=note)
    elif kind is ActionKind.ESCALATE:
        if target is None:
            raise Refused(_l("Choose where to report the case."), field="target")
        case_operations.escalate_case(case, actor, target=target, note=note)
    elif kind is ActionKind.DEADLINE:
        if due_on is None:
            raise Refused(_l("Enter the date by which the case is to be settled."), field="action_due_on")
        case_operations.set_deadline(case, actor, due_on=due_on, note=note)
    event_id = db.session.scalar(select(func.max(CaseEvent.id)).where(CaseEvent.case_id == case.id))
    action = Action(tenant_id=meeting.tenant_id, case_id=case.id, kind=kind, assignee_id=assignee_id,
                    target=target.value if target is not None else None, due_on=due_on, event_id=event_id,
                    created_by_id=actor.user_id)
    decision.actions.append(action)
    db.session.flush()
    return action


def finalise_minutes(meeting: Meeting, actor) -> None:
    """会议纪要: once final, attendance, decisions and actions are read-only."""
    _check_held(meeting)
    if not meeting.attendance:
        raise Refused(_l("Record the attendance before finalising the minutes."))
    meeting.finalised_at, meeting.finalised_by_id = utcnow(), actor.user_id
    db.session.flush()
