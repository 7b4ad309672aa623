"""Follow-through figures: investigation reports on time (by village too), key-person visits on
time, joint-meeting decisions done on time; each shown with its definition."""
from datetime import date

from tests import factories
from tests.deadlines.conftest import bj
from webapp.figures import Period, follow_through
from webapp.keypersons.operations import record_visit, save_key_person
from webapp.meetings import operations as meeting_operations
from webapp.rounds import operations as round_operations
from webapp.rounds.models import RoundKind
from webapp.types import clock_at
from webapp.villages.models import Village
from webapp.extensions import db
from tenants.scope import tenant_scope


def test_the_follow_through_figures_count_what_was_done_by_its_day(db, tenant, login_as):
    director = factories.member("township_admin", tenant)
    officer = factories.member("officer", tenant)
    with tenant_scope(tenant.id):
        first = factories.village_of(tenant)
        second = Village(tenant_id=tenant.id, name="甲镇二村")
        db.session.add(second)
        meeting = factories.meeting(tenant, decision=None)
        with clock_at(bj(2026, 7, 10, 15)):
            for text, owner in (("限期化解", director), ("排查", director)):
                meeting_operations.add_decision(meeting, director, text=text, due_on=date(2026, 7, 20),
                                                owner_id=owner.user_id)
            round_ = round_operations.open_round(tenant, director, kind=RoundKind.MONTHLY)
            round_operations.file_nil_report(round_, first, officer)
            person = save_key_person(None, name="赵某", kind="其他", village_id=None, measures="走访", responsible="村支书")
            record_visit(person, officer, visited_on=date(2026, 7, 1), visitors="李维稳员", done="谈心",
                         next_due_on=date(2026, 7, 10))
            record_visit(person, officer, visited_on=date(2026, 7, 10), visitors="李维稳员", done="谈心",
                         next_due_on=date(2026, 7, 20))
        with clock_at(bj(2026, 7, 15)):
            meeting_operations.complete_decision(meeting.decisions[0], director)
        with clock_at(bj(2026, 8, 5)):
            record_visit(person, officer, visited_on=date(2026, 8, 5), visitors="李维稳员", done="谈心", next_due_on=None)
        db.session.flush()
        counts, by_village = follow_through.counts_by_township([tenant.id], Period.month(2026, 7),
                                                               now=bj(2026, 8, 10))
    mine = counts[tenant.id]
    assert (mine["villages_reported"], mine["villages_due"]) == (1, 2)
    assert (mine["visits_on_time"], mine["visits_owed"]) == (1, 2)
    assert (mine["decisions_on_time"], mine["decisions_due"]) == (1, 2)
    assert (by_village[first.id]["villages_reported"], by_village[second.id]["villages_reported"]) == (1, 0)

    page = login_as("township_admin").get("/t/alpha/figures/?period=2026-07").get_data(as_text=True)
    assert "重点人员按时走访率" in page and "各村按时排查报告" in page
    for label, definition, _ in follow_through.definitions():
        assert str(definition) in page


def test_the_days_of_the_levels_deadlines_are_beijing_days():
    from webapp import timelimits

    assert timelimits.deadline_day(timelimits.end_of_day(date(2026, 6, 30))) == date(2026, 6, 30)
    assert timelimits.acknowledge_by(bj(2026, 6, 30, 23, 30)) == date(2026, 7, 1)
    assert timelimits.days_passed_by(date(2026, 7, 1), date(2026, 7, 31), date(2026, 7, 10)) == \
        (date(2026, 7, 1), date(2026, 7, 9))


def _level_rows(tenant, on_time_only=False):
    """Escalations, assignments from the county and supervision notices of ``tenant`` around July 2026."""
    from tests.figures.builders import put
    from webapp import timelimits
    from webapp.deadlines.models import AlertKind, Escalation, EscalationLevel
    from webapp.supervision.models import Assignment, AssignmentSource, NoticeKind, SupervisionNotice

    D, P, C = EscalationLevel.DIRECTOR, EscalationLevel.PARTY_COMMITTEE, EscalationLevel.COUNTY
    end = timelimits.end_of_day
    cases = [put(tenant, "resolved", bj(2026, 7, 1), resolved=bj(2026, 7, 19)), put(tenant, "mediating", bj(2026, 7, 1)),
             put(tenant, "registered", bj(2026, 7, 7))]
    with tenant_scope(tenant.id):
        escalations = [  # (level, made, acknowledged): the day to acknowledge is the day after the one made
            (D, bj(2026, 7, 10), bj(2026, 7, 11, 9)),   # in July, on time
            (D, bj(2026, 7, 10), bj(2026, 7, 13)),      # in July, late
            (C, bj(2026, 6, 30), bj(2026, 7, 1, 20)),   # to acknowledge on 07-01: in July, on time
            (C, bj(2026, 7, 31), None),                 # to acknowledge on 08-01: not in July
            (P, bj(2026, 7, 5), None),                  # in July, never acknowledged
        ]
        if on_time_only:
            escalations = [(C, bj(2026, 7, 2), bj(2026, 7, 2, 11))]
        db.session.add_all(Escalation(tenant_id=tenant.id, case_id=cases[0].id, level=level, reason=AlertKind.MANUAL,
                                      key=f"e{n}", created_at=made, acknowledged_at=acknowledged)
                           for n, (level, made, acknowledged) in enumerate(escalations))
        assignments = [  # (take up by, taken up at, settle by, case)
            (date(2026, 7, 5), bj(2026, 7, 5, 18), date(2026, 7, 20), cases[0]),  # both on time
            (date(2026, 7, 6), bj(2026, 7, 7), date(2026, 8, 20), cases[2]),      # taken up late; settle in August
            (date(2026, 6, 30), bj(2026, 6, 30), date(2026, 7, 25), cases[1]),    # take up in June; not settled
        ]
        if on_time_only:
            assignments = assignments[:1]
        db.session.add_all(Assignment(tenant_id=tenant.id, title="交办", source=AssignmentSource.HOTLINE,
                                      take_up_by=end(take_up), warn_at=end(take_up), settle_by=end(settle),
                                      case_id=case.id, taken_up_at=taken_up)
                           for take_up, taken_up, settle, case in assignments)
        notices = [(date(2026, 7, 10), bj(2026, 7, 10, 23)), (date(2026, 7, 12), bj(2026, 7, 13)),
                   (date(2026, 7, 20), None), (date(2026, 8, 1), None)]
        if on_time_only:
            notices = notices[:1]
        db.session.add_all(SupervisionNotice(tenant_id=tenant.id, kind=NoticeKind.SUPERVISION, subject="督办",
                                             answer_by=answer_by, answer_due_at=end(answer_by), answered_at=answered)
                           for answer_by, answered in notices)
        db.session.flush()


def test_the_figures_of_the_levels_count_what_was_done_in_time_in_each_township(db, tenant, other_tenant, login_as):
    _level_rows(tenant)
    _level_rows(other_tenant, on_time_only=True)
    with tenant_scope(tenant.id):
        counts, _ = follow_through.counts_by_township([tenant.id], Period.month(2026, 7), now=bj(2026, 8, 10))
    mine = counts[tenant.id]
    pairs = {figure.key: (mine[figure.numerator], mine[figure.denominator])
             for figure in follow_through.LEVEL_FIGURES.values()}
    assert pairs == {
        "escalations_director_acknowledged_rate": (1, 2),
        "escalations_party_committee_acknowledged_rate": (0, 1),
        "escalations_county_acknowledged_rate": (1, 1),
        "assignments_taken_up_rate": (1, 2),
        "assignments_settled_rate": (1, 2),
        "notices_answered_rate": (1, 3),
    }
    with tenant_scope(other_tenant.id):
        theirs, _ = follow_through.counts_by_township([other_tenant.id], Period.month(2026, 7), now=bj(2026, 8, 10))
    assert {key: theirs[other_tenant.id][key] for key in ("escalations_county", "assignments_to_take_up",
                                                          "assignments_to_settle", "notices_due")} == \
        {"escalations_county": 1, "assignments_to_take_up": 1, "assignments_to_settle": 1, "notices_due": 1}

    page = login_as("township_admin").get("/t/alpha/figures/?period=2026-07").get_data(as_text=True)
    county = login_as("county_reviewer").get("/county/?period=2026-07")
    assert county.status_code == 200
    county = county.get_data(as_text=True)
    for figure in follow_through.LEVEL_FIGURES.values():
        for shown in (page, county):
            assert str(figure.label) in shown and str(figure.definition) in shown
    assert "上报县局一日内签收率" in page and "督办函按时回复率" in county
