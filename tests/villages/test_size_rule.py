"""The size of a council (30户以下3至5人、30到50户5至7人、50户以上7至9人) at every boundary, in the
one function that applies it and in the operations that must respect it."""
import pytest

from tests import factories
from tests.villages.conftest import RULE_EN
from webapp.extensions import db
from webapp.villages import operations
from webapp.villages.models import CouncilRole, CouncilStatus
from webapp.villages.rules import council_size, size_problem

# households, members, allowed
BOUNDARIES = [
    (29, 2, False), (29, 3, True), (29, 5, True), (29, 6, False),
    (30, 4, False), (30, 5, True), (30, 7, True), (30, 8, False),
    (40, 4, False), (40, 5, True), (40, 7, True), (40, 8, False),
    (50, 4, False), (50, 5, True), (50, 7, True), (50, 8, False),
    (51, 6, False), (51, 7, True), (51, 9, True), (51, 10, False),
    (0, 2, False), (0, 3, True), (200, 9, True), (200, 10, False),
]


def test_thirty_and_fifty_households_are_in_the_middle_band():
    assert council_size(0) == council_size(29) == (3, 5)
    assert council_size(30) == council_size(50) == (5, 7)
    assert council_size(51) == council_size(500) == (7, 9)


def test_negative_households_have_no_council_size():
    with pytest.raises(ValueError):
        council_size(-1)


@pytest.mark.parametrize("households,members,allowed", BOUNDARIES)
def test_the_rule_at_every_boundary(app, households, members, allowed):
    problem = size_problem(households, members)
    if allowed:
        assert problem is None
        return
    with app.test_request_context("/?lang=en"):
        message = str(problem)
    fewest, most = council_size(households)
    assert f"With {households} households a council must have {fewest} to {most} members; " \
           f"this one would have {members}." in message
    assert RULE_EN in message


@pytest.mark.parametrize("households,members,allowed", BOUNDARIES)
def test_confirming_a_council_follows_the_rule(db, tenant, households, members, allowed):
    council = factories.council(tenant, members=members, households=households, confirm=False)
    if allowed:
        operations.confirm_council(council)
        assert council.status == CouncilStatus.ACTIVE and council.formed_at is not None
    else:
        with pytest.raises(operations.Refused) as refused:
            operations.confirm_council(council)
        assert refused.value.message == size_problem(households, members)
        assert council.status == CouncilStatus.FORMING


@pytest.mark.parametrize("households,most", [(29, 5), (30, 7), (50, 7), (51, 9)])
def test_a_council_never_grows_past_its_most_members(db, tenant, households, most):
    council = factories.council(tenant, members=most - 1, households=households, confirm=False)
    operations.add_member(council, name="补选理事", role=CouncilRole.MEMBER, phone=None)
    with pytest.raises(operations.Refused) as refused:
        operations.add_member(council, name="多一人", role=CouncilRole.MEMBER, phone=None)
    assert refused.value.message == size_problem(households, most + 1)
    assert len(council.members) == most


@pytest.mark.parametrize("households,fewest", [(29, 3), (30, 5), (50, 5), (51, 7)])
def test_a_confirmed_council_keeps_its_fewest_members(db, tenant, households, fewest):
    council = factories.council(tenant, members=fewest + 1, households=households)
    operations.remove_member(council, council.members[-1])
    with pytest.raises(operations.Refused) as refused:
        operations.remove_member(council, council.members[-1])
    assert refused.value.message == size_problem(households, fewest - 1)
    assert len(council.members) == fewest


def test_a_forming_council_may_shrink_below_the_fewest(db, tenant):
    council = factories.council(tenant, members=5, households=40, confirm=False)
    for member in list(council.members[1:]):
        operations.remove_member(council, member)
    assert len(council.members) == 1


@pytest.mark.parametrize("members,households,allowed", [
    (5, 29, True), (5, 50, True), (5, 51, False), (7, 51, True), (7, 29, False), (6, 29, False), (6, 30, True),
])
def test_households_of_a_group_with_a_confirmed_council_stay_in_its_range(db, tenant, members, households, allowed):
    council = factories.council(tenant, members=members, households=40)
    group = council.group
    if allowed:
        operations.save_group(group, group.village, name=group.name, households=households)
        assert group.households == households
    else:
        with pytest.raises(operations.Refused) as refused:
            operations.save_group(group, group.village, name=group.name, households=households)
        assert refused.value.field == "households"
        db.session.rollback()


def test_a_forming_council_lets_the_households_change(db, tenant):
    council = factories.council(tenant, members=3, households=29)
    operations.reopen_council(council)
    group = council.group
    operations.save_group(group, group.village, name=group.name, households=60)
    assert group.households == 60
    with pytest.raises(operations.Refused):
        operations.confirm_council(council)  # 3 members for 60 households: not until it has 7


def test_a_council_confirms_with_exactly_one_chair(db, tenant):
    council = factories.council(tenant, members=5, households=40, confirm=False)
    with pytest.raises(operations.Refused) as refused:
        operations.add_member(council, name="第二理事长", role=CouncilRole.CHAIR, phone=None)
    assert refused.value.field == "role"
    council.members[0].role = CouncilRole.MEMBER
    db.session.flush()
    with pytest.raises(operations.Refused):
        operations.confirm_council(council)


def test_a_confirmed_council_keeps_its_chair(db, tenant):
    council = factories.council(tenant, members=6, households=40)
    with pytest.raises(operations.Refused):
        operations.remove_member(council, council.members[0])


def test_the_size_of_a_relocation_sites_council_follows_its_households(db, tenant):
    site = factories.relocation_project(tenant, households=60)
    council = operations.form_council(project=site)
    for i in range(6):
        operations.add_member(council, name=f"理事{i}", role=CouncilRole.CHAIR if i == 0 else CouncilRole.MEMBER,
                              phone=None)
    with pytest.raises(operations.Refused) as refused:
        operations.confirm_council(council)
    assert refused.value.message == size_problem(60, 6)
    operations.add_member(council, name="理事6", role=CouncilRole.MEMBER, phone=None)
    operations.confirm_council(council)
    with pytest.raises(operations.Refused) as refused:
        operations.save_project(site, name=site.name, village=site.village, households=29, notes="")
    assert refused.value.field == "households"
