"""Demo joint meetings: the mid-year meeting of this year (or last, before July) held, with its
attendance and decisions, owned by the director (one done ten days later; one sets a deadline on a major dispute, when one was on the table
then and has not moved since: a later case cannot have been decided on); and the year-end
meeting scheduled. Idempotent: a township that has its mid-year meeting is left alone.

The Chinese text here is content (what people said at the meeting), not interface.
"""
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from tenants.models import Membership, Role
from tenants.scope import tenant_scope
from webapp import timelimits
from webapp.cases.models import Case, CaseEvent, CaseState, Difficulty
from webapp.errors import Refused
from webapp.cases.workflow import OPEN
from webapp.extensions import db
from webapp.meetings import operations
from webapp.meetings.models import ActionKind, Meeting, MeetingKind
from webapp.referrals.models import DepartmentKind
from webapp.timelimits import BEIJING
from webapp.types import clock_at

ATTENDEES = {
    DepartmentKind.POLICE_STATION: "李建国", DepartmentKind.COURT: "赵明华", DepartmentKind.JUDICIAL_OFFICE: "杨丽",
    DepartmentKind.PETITION_OFFICE: "段志强", DepartmentKind.GOVERNANCE_OFFICE: "尹春梅",
}
OFFICERS = ["张德全", "李正发", "杨家富", "王秀英", "段永福", "赵忠良", "尹国顺"]


def seed_meetings(tenant) -> None:
    today = timelimits.today()
    year = today.year if today >= date(today.year, 7, 10) else today.year - 1
    held_at = datetime(year, 7, 10, 9, 0, tzinfo=BEIJING)
    with tenant_scope(tenant.id):
        if db.session.scalar(select(Meeting.id).where(Meeting.tenant_id == tenant.id, Meeting.year == year,
                                                      Meeting.kind == MeetingKind.MID_YEAR)) is not None:
            return
        director = db.session.scalar(select(Membership).where(
            Membership.tenant_id == tenant.id, Membership.role == Role.TOWNSHIP_ADMIN).order_by(Membership.id))
        if director is None:
            return
        departments, villages = operations.member_units(tenant.id)
        with clock_at(held_at - timedelta(days=20)):
            meeting = operations.schedule_meeting(
                tenant, director, kind=MeetingKind.MID_YEAR, year=year, starts_at=held_at,
                place=f"{tenant.name}人民政府三楼会议室", chair=director.user.name)
        with clock_at(held_at + timedelta(hours=3)):
            rows = {("department", d.id): (True, ATTENDEES.get(d.kind, "王明")) for d in departments}
            for index, village in enumerate(villages):
                # One village's officer was away at the meeting.
                present = index != len(villages) - 1
                rows[("village", village.id)] = (present, OFFICERS[index % len(OFFICERS)] if present else "")
            operations.record_attendance(meeting, rows)
            governance = next((d for d in departments if d.kind == DepartmentKind.GOVERNANCE_OFFICE), None)
            police = next((d for d in departments if d.kind == DepartmentKind.POLICE_STATION), None)
            operations.add_decision(
                meeting, director, text="各村（社区）综治维稳员于下半年开展一次矛盾纠纷大排查，重点排查土地山林、易地搬迁纠纷，九月底前报送排查台账。",
                department_id=governance.id if governance else None, due_on=date(year, 9, 30))
            decision = operations.add_decision(
                meeting, director, text="对久调未结的重大疑难纠纷，由调处中心牵头、派出所配合，限期化解，逐案明确责任人。",
                department_id=police.id if police else None, due_on=date(year, 8, 31))
            first = meeting.decisions[0]
            case = _case_before(tenant.id, held_at)
            if case is not None:
                try:
                    operations.take_action(decision, case, director, ActionKind.DEADLINE, due_on=date(year, 8, 31))
                except Refused:
                    # The workflow may refuse it for this case (closed meanwhile, say): the
                    # decision stands without an action, as it would at a real meeting.
                    pass
        db.session.flush()
        # The center's own decision was carried out ten days later; the other is still open.
        with clock_at(held_at + timedelta(days=10)):
            operations.complete_decision(first, director)
        # The year-end meeting, ahead.
        if db.session.scalar(select(Meeting.id).where(Meeting.tenant_id == tenant.id, Meeting.year == year,
                                                      Meeting.kind == MeetingKind.YEAR_END)) is None:
            operations.schedule_meeting(tenant, director, kind=MeetingKind.YEAR_END, year=year,
                                        starts_at=datetime(year, 12, 22, 9, 0, tzinfo=BEIJING),
                                        place=f"{tenant.name}人民政府三楼会议室", chair=director.user.name)


def _case_before(tenant_id: int, held_at: datetime) -> Case | None:
    """A complex or major dispute that was on the table at the meeting and has not moved since
    (still open, or escalated and waiting): a deadline set then fits its timeline."""
    last_move = (select(CaseEvent.case_id, func.max(CaseEvent.at).label("at"))
                 .where(CaseEvent.tenant_id == tenant_id, CaseEvent.kind.in_(["transition", "registered"]))
                 .group_by(CaseEvent.case_id).subquery())
    return db.session.scalar(
        select(Case).join(last_move, last_move.c.case_id == Case.id).where(
            Case.tenant_id == tenant_id, Case.state.in_(OPEN | {CaseState.ESCALATED}),
            Case.difficulty.in_([Difficulty.COMPLEX, Difficulty.MAJOR]), last_move.c.at < held_at)
        .order_by(Case.accepted_at.desc()).limit(1))
