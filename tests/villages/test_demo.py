"""The demo's councils: one in each size band, all of their size, a relocation site with its
phases under way, and the council-reported disputes naming a council."""
from sqlalchemy import func, select

from tests import factories
from webapp.cases.models import Case, CaseEvent, Level, Source
from webapp.extensions import db
from webapp.villages.demo import seed_councils
from webapp.villages.models import CaseLink, Council, CouncilStatus, PhaseStatus, RelocationProject, VillagerGroup
from webapp.villages.rules import council_size


def _counts():
    return [db.session.scalar(select(func.count()).select_from(model))
            for model in (Council, CaseLink, CaseEvent, RelocationProject)]


def test_demo_councils_cover_every_band_and_are_idempotent(db, tenant):
    village = factories.village_of(tenant)
    for name, households in (("第二村民小组", 20), ("第三村民小组", 66)):
        db.session.add(VillagerGroup(village=village, name=name, households=households))
    db.session.flush()
    group = village.groups[0]
    reported = factories.case(tenant, source="council")
    handled = factories.case(tenant, source="visit", village=village, group=group, level=Level.GROUP)

    seed_councils(tenant)
    once = _counts()
    seed_councils(tenant)
    assert _counts() == once

    councils = db.session.scalars(select(Council)).all()
    bands = {council_size(c.households) for c in councils if c.group_id}
    assert bands == {(3, 5), (5, 7), (7, 9)}
    for council in councils:
        fewest, most = council_size(council.households)
        assert council.status == CouncilStatus.ACTIVE and fewest <= len(council.members) <= most
    site = db.session.scalar(select(RelocationProject))
    assert site.council is not None and len(site.phases) == 5
    assert {p.status for p in site.phases} == set(PhaseStatus)
    assert db.session.get(Case, reported.id).link.reporting_council is not None
    assert db.session.get(Case, handled.id).link.handling_council.group_id == group.id
    assert db.session.get(Case, reported.id).source == Source.COUNCIL
