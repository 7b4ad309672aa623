"""The demo's investigation rounds and key-person visits (``flask demo seed``): a finished and
an open round, visits due; a second seed adds nothing."""
from sqlalchemy import func, select

from tests import factories
from webapp.extensions import db
from webapp.keypersons.models import KeyPersonVisit
from webapp.keypersons.operations import save_key_person
from webapp.rounds import operations
from webapp.rounds.demo import seed_rounds
from webapp.rounds.models import Round, RoundReport
from webapp.villages.models import Village


def test_the_demo_has_a_finished_and_an_open_round_and_visits_due(db, tenant):
    factories.member("township_admin", tenant)
    factories.member("officer", tenant)
    save_key_person(None, name="赵某", kind="其他", village_id=None, measures="走访", responsible="村支书")
    db.session.add(Village(tenant_id=tenant.id, name="甲镇二村"))
    seed_rounds(tenant)
    rounds = db.session.scalars(select(Round).order_by(Round.opened_on)).all()
    villages = operations.villages(tenant.id)
    finished, current = rounds
    assert operations.is_finished(finished, operations.village_rows(finished, villages))
    assert not operations.is_finished(current, operations.village_rows(current, villages))
    # Last month: the first village reported, the last is silent; this month: half of them.
    assert [len(r.reports) for r in rounds] == [1, 1]
    assert db.session.scalar(select(func.count(KeyPersonVisit.id))) == 1
    seed_rounds(tenant)
    assert (db.session.scalar(select(func.count(Round.id))), db.session.scalar(select(func.count(RoundReport.id))),
            db.session.scalar(select(func.count(KeyPersonVisit.id)))) == (2, 2, 1)
