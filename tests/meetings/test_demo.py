"""The demo's joint meetings (``flask demo seed`` calls ``seed_meetings`` for each township):
the mid-year meeting held, with attendance and decisions, the year-end one scheduled; a second
seed adds nothing."""
from sqlalchemy import func, select

from tests import factories
from webapp.meetings.demo import seed_meetings
from webapp.meetings.models import Action, Decision, Meeting, MeetingKind


def test_the_demo_holds_the_mid_year_meeting_and_schedules_the_year_end_one(db, tenant):
    factories.member("township_admin", tenant)
    seed_meetings(tenant)
    meetings = {m.kind: m for m in db.session.scalars(select(Meeting)).all()}
    held, ahead = meetings[MeetingKind.MID_YEAR], meetings[MeetingKind.YEAR_END]
    assert held.starts_at < ahead.starts_at and not held.is_final
    # The township's police station and its one village: both recorded, the village's officer away.
    assert {(a.department_id is not None, a.present) for a in held.attendance} == {(True, True), (False, False)}
    assert [d.position for d in held.decisions] == [1, 2] and all(d.due_on for d in held.decisions)
    assert held.decisions[1].department_id == factories.department_of(tenant).id

    seed_meetings(tenant)
    assert (db.session.scalar(select(func.count(Meeting.id))), db.session.scalar(select(func.count(Decision.id))),
            db.session.scalar(select(func.count(Action.id)))) == (2, 2, 0)
