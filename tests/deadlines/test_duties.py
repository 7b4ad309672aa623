"""The sweep's reminders and flags for joint-meeting decisions, investigation rounds and
key-person visits: reminded before the day, flagged after it, and a second sweep changes nothing."""
from datetime import date

from sqlalchemy import func, select

from tests import factories
from tests.conftest import login
from tests.deadlines.conftest import bj, sweep
from webapp.deadlines.models import Flag, FlagKind, Notification
from webapp.extensions import db
from webapp.keypersons.operations import record_visit, save_key_person
from webapp.meetings import operations as meeting_operations
from webapp.rounds import operations as round_operations
from webapp.types import clock_at


def _rows(model):
    return db.session.scalar(select(func.count()).select_from(model))


def _kinds(model, column):
    return sorted(db.session.scalars(select(column)).all())


def test_decisions_rounds_and_visits_are_reminded_then_flagged_once(db, tenant, client):
    director = factories.member("township_admin", tenant)
    officer = factories.member("officer", tenant)
    owner = factories.member("mediator", tenant)
    village = factories.village_of(tenant)
    meeting = factories.meeting(tenant, decision=None)
    with clock_at(bj(2026, 7, 10, 15)):
        decision = meeting_operations.add_decision(meeting, director, text="限期化解", due_on=date(2026, 7, 20),
                                                   owner_id=owner.user_id)
        round_ = round_operations.open_round(tenant, director, kind=round_operations.RoundKind.SPECIAL,
                                             due_on=date(2026, 7, 20))
        person = save_key_person(None, name="赵某", kind="其他", village_id=None, measures="走访", responsible="村支书")
        record_visit(person, officer, visited_on=date(2026, 7, 10), visitors="李维稳员", done="谈心",
                     next_due_on=date(2026, 7, 20))
    db.session.commit()

    assert sweep(bj(2026, 7, 10, 16))["notified"] == 0  # ten days ahead: nothing yet
    counts = sweep(bj(2026, 7, 18))
    assert counts["notified"] == 3 and counts["flagged"] == 0
    assert _kinds(Notification, Notification.kind) == ["decision_due", "round_due", "visit_due"]
    assert sweep(bj(2026, 7, 19))["notified"] == 0  # reminded once
    # The bell leads to the page of the duty.
    assert login(client, officer.user.username).status_code == 302
    page = client.get("/t/alpha/notifications/").get_data(as_text=True)
    assert 'href="/t/alpha/rounds/"' in page and 'href="/t/alpha/key-persons/"' in page

    counts = sweep(bj(2026, 7, 21))
    assert counts["flagged"] == 3
    assert _kinds(Flag, Flag.kind) == sorted([FlagKind.DECISION_OVERDUE, FlagKind.ROUND_NOT_REPORTED,
                                              FlagKind.VISIT_MISSED])
    flags = {f.kind: f for f in db.session.scalars(select(Flag))}
    assert flags[FlagKind.DECISION_OVERDUE].responsible_user_id == owner.user_id
    assert flags[FlagKind.VISIT_MISSED].responsible_user_id == officer.user_id
    assert village.name in flags[FlagKind.ROUND_NOT_REPORTED].evidence
    before = (_rows(Flag), _rows(Notification))
    again = sweep(bj(2026, 7, 21, 11))
    assert (again["flagged"], again["notified"]) == (0, 0)
    assert (_rows(Flag), _rows(Notification)) == before
    assert decision.done_at is None


def test_what_was_done_in_time_is_neither_reminded_nor_flagged(db, tenant):
    director = factories.member("township_admin", tenant)
    officer = factories.member("officer", tenant)
    village = factories.village_of(tenant)
    meeting = factories.meeting(tenant, decision=None)
    with clock_at(bj(2026, 7, 10, 15)):
        decision = meeting_operations.add_decision(meeting, director, text="限期化解", due_on=date(2026, 7, 20),
                                                   owner_id=director.user_id)
        meeting_operations.complete_decision(decision, director)
        round_ = round_operations.open_round(tenant, director, kind=round_operations.RoundKind.SPECIAL,
                                             due_on=date(2026, 7, 20))
        round_operations.file_nil_report(round_, village, officer)
        person = save_key_person(None, name="赵某", kind="其他", village_id=None, measures="走访", responsible="村支书")
        record_visit(person, officer, visited_on=date(2026, 7, 10), visitors="李维稳员", done="谈心",
                     next_due_on=date(2026, 7, 20))
    with clock_at(bj(2026, 7, 15)):
        record_visit(person, officer, visited_on=date(2026, 7, 15), visitors="李维稳员", done="再次谈心",
                     next_due_on=None)
    db.session.commit()
    for moment in (bj(2026, 7, 18), bj(2026, 7, 25)):
        counts = sweep(moment)
        assert (counts["notified"], counts["flagged"]) == (0, 0)
