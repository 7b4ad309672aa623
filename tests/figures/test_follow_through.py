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
