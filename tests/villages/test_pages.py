"""Villages, groups and councils as the director keeps them: a refused change answers 422
with the reason beside its field, keeps what was typed, and saves nothing."""
from sqlalchemy import func, select, text as sql

from tests import factories
from tests.villages.conftest import RULE_EN, field_block, text
from webapp.extensions import db
from webapp.villages.models import Council, CouncilMember, CouncilStatus, Village, VillagerGroup
from webapp.villages.rules import households_problem, size_problem


def _post(client, path, **data):
    return client.post(path, data=dict(data, csrf_token=client.csrf))


def _members(council) -> int:
    return db.session.scalar(select(func.count(CouncilMember.id)).where(CouncilMember.council_id == council.id))


def _village(tenant):
    return factories.village_of(tenant)


# -- villages and groups --------------------------------------------------------------------


def test_the_director_adds_a_village_and_a_group(db, tenant, login_as):
    director = login_as("township_admin")
    response = _post(director, "/t/alpha/villages/new", name="赵营村", kind="village")
    assert response.status_code == 302
    village = db.session.scalar(select(Village).where(Village.name == "赵营村"))
    assert response.headers["Location"] == f"/t/alpha/villages/{village.id}"
    response = _post(director, f"/t/alpha/villages/{village.id}/groups/new", name="第三村民小组", households="47")
    assert response.status_code == 302
    page = text(director.get(f"/t/alpha/villages/{village.id}"))
    assert "第三村民小组" in page and "47" in page


def test_a_village_name_is_unique_in_the_township(db, tenant, login_as):
    director = login_as("township_admin")
    response = _post(director, "/t/alpha/villages/new", name="甲镇一村", kind="village")
    assert response.status_code == 422
    block = field_block(text(response), "name")
    assert 'value="甲镇一村"' in block and 'class="error"' in block
    assert db.session.scalar(select(func.count(Village.id))) == 1


def test_households_cannot_be_negative(db, tenant, login_as):
    director = login_as("township_admin")
    village = _village(tenant)
    response = _post(director, f"/t/alpha/villages/{village.id}/groups/new", name="第二村民小组", households="-3")
    assert response.status_code == 422
    block = field_block(text(response), "households")
    assert 'value="-3"' in block and 'class="error"' in block
    assert 'value="第二村民小组"' in text(response)
    assert db.session.scalar(select(func.count(VillagerGroup.id)).where(VillagerGroup.name == "第二村民小组")) == 0


def test_group_names_are_unique_per_village_not_per_township(db, tenant, login_as):
    director = login_as("township_admin")
    village = _village(tenant)
    response = _post(director, f"/t/alpha/villages/{village.id}/groups/new", name="第一村民小组", households="12")
    assert response.status_code == 422
    assert 'class="error"' in field_block(text(response), "name")
    _post(director, "/t/alpha/villages/new", name="甲镇二村", kind="village")
    other = db.session.scalar(select(Village).where(Village.name == "甲镇二村"))
    assert _post(director, f"/t/alpha/villages/{other.id}/groups/new", name="第一村民小组",
                 households="12").status_code == 302


def test_a_household_change_that_breaks_the_councils_size_is_refused_beside_the_field(db, tenant, login_as, shown):
    council = factories.council(tenant, members=5, households=40)
    group_id = council.group_id
    director = login_as("township_admin")
    response = _post(director, f"/t/alpha/villages/groups/{group_id}/edit", name="第一村民小组", households="60")
    assert response.status_code == 422
    block = field_block(text(response), "households")
    assert shown(households_problem(60, 5)) in block
    assert 'value="60"' in block
    assert db.session.get(VillagerGroup, group_id).households == 40


def test_a_household_change_within_the_range_is_saved(db, tenant, login_as):
    council = factories.council(tenant, members=5, households=40)
    director = login_as("township_admin")
    assert _post(director, f"/t/alpha/villages/groups/{council.group_id}/edit", name="第一村民小组",
                 households="29").status_code == 302
    assert db.session.get(VillagerGroup, council.group_id).households == 29


# -- councils -------------------------------------------------------------------------------


def _form_council(director, tenant):
    group = _village(tenant).groups[0]
    response = _post(director, f"/t/alpha/villages/groups/{group.id}/council")
    assert response.status_code == 302
    return db.session.scalar(select(Council).where(Council.group_id == group.id))


def test_a_council_is_formed_member_by_member_and_confirmed(db, tenant, login_as):
    director = login_as("township_admin")
    council = _form_council(director, tenant)  # the group has 40 households: 5 to 7 members
    path = f"/t/alpha/villages/councils/{council.id}"
    for i, role in enumerate(["chair", "vice_chair", "member", "member", "member"]):
        response = _post(director, f"{path}/members", name=f"理事{i}", role=role, phone="13912345678" if i == 0 else "")
        assert response.status_code == 302, text(response)
    assert _post(director, f"{path}/confirm").status_code == 302
    db.session.refresh(council)
    assert council.status == CouncilStatus.ACTIVE
    page = text(director.get(path))
    assert "理事0" in page and "139****5678" in page and "13912345678" not in page


def test_the_members_phone_is_stored_encrypted(db, tenant, login_as):
    council = factories.council(tenant, members=5, confirm=False)
    director = login_as("township_admin")
    _post(director, f"/t/alpha/villages/councils/{council.id}/members", name="带电话", role="member",
          phone="13987654321")
    stored = db.session.execute(sql("SELECT phone FROM council_members WHERE name = '带电话'")).scalar()
    assert stored and "13987654321" not in stored


def test_confirming_a_council_of_the_wrong_size_shows_the_rule(db, tenant, login_as, shown):
    council = factories.council(tenant, members=2, households=29, confirm=False)
    director = login_as("township_admin")
    response = _post(director, f"/t/alpha/villages/councils/{council.id}/confirm")
    assert response.status_code == 422
    page = text(response)
    assert f'<p class="error" role="alert" id="confirm-error">{shown(size_problem(29, 2))}</p>' in page
    db.session.refresh(council)
    assert council.status == CouncilStatus.FORMING


def test_the_refusal_quotes_the_rule_in_english_too(db, tenant, login_as):
    council = factories.council(tenant, members=4, households=50, confirm=False)
    director = login_as("township_admin")
    director.get("/t/alpha/?lang=en")
    page = text(_post(director, f"/t/alpha/villages/councils/{council.id}/confirm"))
    assert "With 50 households a council must have 5 to 7 members; this one would have 4." in page
    assert RULE_EN in page


def test_adding_a_member_past_the_most_is_refused_and_keeps_the_typing(db, tenant, login_as, shown):
    council = factories.council(tenant, members=5, households=29, confirm=False)
    director = login_as("township_admin")
    response = _post(director, f"/t/alpha/villages/councils/{council.id}/members", name="第六人", role="member",
                     phone="13900001111")
    assert response.status_code == 422
    page = text(response)
    assert shown(size_problem(29, 6)) in page
    assert 'value="第六人"' in page and 'value="13900001111"' in page
    assert _members(council) == 5


def test_a_bad_phone_is_refused_beside_the_field(db, tenant, login_as):
    council = factories.council(tenant, members=3, confirm=False)
    director = login_as("township_admin")
    response = _post(director, f"/t/alpha/villages/councils/{council.id}/members", name="某某", role="member",
                     phone="12345")
    assert response.status_code == 422
    block = field_block(text(response), "phone")
    assert 'value="12345"' in block and 'class="error"' in block


def test_removing_a_member_below_the_fewest_of_a_confirmed_council_is_refused(db, tenant, login_as, shown):
    council = factories.council(tenant, members=5, households=40)
    last = council.members[-1].id
    director = login_as("township_admin")
    response = _post(director, f"/t/alpha/villages/councils/{council.id}/members/{last}/remove")
    assert response.status_code == 422
    assert shown(size_problem(40, 4)) in text(response)
    assert _members(council) == 5
    # Back to forming, the council may change, and is confirmed again only at its size.
    assert _post(director, f"/t/alpha/villages/councils/{council.id}/reopen").status_code == 302
    assert _post(director, f"/t/alpha/villages/councils/{council.id}/members/{last}/remove").status_code == 302
    assert _members(council) == 4
    assert _post(director, f"/t/alpha/villages/councils/{council.id}/confirm").status_code == 422


def test_the_councils_list_shows_status_and_size(db, tenant, login_as):
    factories.council(tenant, members=6, households=40)
    page = text(login_as("mediator").get("/t/alpha/villages/councils/"))
    assert "甲镇一村第一村民小组" in page and "6" in page and "应为5至7人" in page
