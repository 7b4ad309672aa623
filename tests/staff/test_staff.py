"""Staff accounts inside a township: created by the director, bad input refused beside the
field with the typing kept, and nothing half-saved."""
import re

from sqlalchemy import func, select

from tenants.models import Membership, Role
from tests import factories
from tests.conftest import login
from webapp.auth.models import User


def _post(client, **fields):
    data = {"username": "wang.wu", "display_name": "王五", "role": "mediator", "department": "0",
            "password": "Tiaojie-2026", "csrf_token": client.csrf}
    data.update(fields)
    return client.post("/t/alpha/staff/", data=data)


def _users(db):
    return db.session.scalar(select(func.count(User.id)))


def test_director_creates_a_mediator_who_can_then_sign_in(app, db, login_as):
    director = login_as("township_admin")
    response = _post(director)
    assert response.status_code == 302
    assert "已创建账户 wang.wu" in director.get("/t/alpha/staff/").get_data(as_text=True)
    fresh = app.test_client()
    assert login(fresh, "wang.wu", "Tiaojie-2026").status_code == 302
    assert fresh.get("/", follow_redirects=True).request.path == "/t/alpha/"


def test_weak_password_is_refused_beside_the_field_and_typing_kept(db, login_as):
    director = login_as("township_admin")
    before = _users(db)
    response = _post(director, password="abcdefgh")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "至少8位" in page
    assert 'value="wang.wu"' in page and 'value="王五"' in page
    assert _users(db) == before


def test_taken_username_is_refused(db, login_as, tenant):
    factories.user("clerk", tenant, username="wang.wu")
    response = _post(login_as("township_admin"))
    assert response.status_code == 422
    assert "该用户名已被使用" in response.get_data(as_text=True)


def test_bad_username_characters_are_explained(login_as):
    response = _post(login_as("township_admin"), username="王五")
    assert response.status_code == 422
    assert "只能使用小写字母" in response.get_data(as_text=True)


def test_a_liaison_needs_a_department(db, login_as, tenant):
    director = login_as("township_admin")
    response = _post(director, role="liaison")
    assert response.status_code == 422
    assert "联络员必须属于一个分流单位" in response.get_data(as_text=True)
    department_id = factories.department_of(tenant).id
    assert _post(director, role="liaison", department=str(department_id)).status_code == 302
    membership = db.session.scalar(select(Membership).join(User).where(User.username == "wang.wu"))
    assert membership.department_id == department_id


def test_another_townships_department_is_refused(db, login_as, other_tenant):
    department_id = factories.department_of(other_tenant).id
    response = _post(login_as("township_admin"), role="liaison", department=str(department_id))
    assert response.status_code == 422


def test_a_director_cannot_hand_out_county_roles(db, login_as):
    response = _post(login_as("township_admin"), role="county_admin")
    assert response.status_code == 422
    assert db.session.scalar(select(User).where(User.username == "wang.wu")) is None


def test_deactivating_an_account_takes_its_township_away(app, db, login_as, tenant):
    director = login_as("township_admin")
    clerk = factories.user("clerk", tenant)
    membership_id = clerk.memberships[0].id
    response = director.post(f"/t/alpha/staff/{membership_id}", data={
        "role": "clerk", "department": "0", "csrf_token": director.csrf})  # "active" unticked
    assert response.status_code == 302
    assert db.session.get(Membership, membership_id).active is False
    other = app.test_client()
    # Their only membership: the account can no longer sign in at all.
    assert login(other, clerk.username).status_code == 422
    assert other.get("/t/alpha/").status_code == 302


def test_role_change_keeps_the_database_rule_that_liaisons_have_a_department(db, login_as, tenant):
    director = login_as("township_admin")
    clerk = factories.user("clerk", tenant)
    response = director.post(f"/t/alpha/staff/{clerk.memberships[0].id}", data={
        "role": "liaison", "department": "0", "active": "y", "csrf_token": director.csrf})
    assert response.status_code == 422
    assert db.session.get(Membership, clerk.memberships[0].id).role == Role.CLERK


def test_a_new_member_has_no_role_until_one_is_chosen(db, login_as):
    """New staff defaulted to director, the most powerful role, when nobody looked."""
    director = login_as("township_admin")
    page = director.get("/t/alpha/staff/").get_data(as_text=True)
    role_select = page[page.index('name="role"'):]
    role_select = role_select[:role_select.index("</select>")]
    # A browser shows the first option when none is selected: it must be the empty one.
    assert "selected" not in role_select
    assert re.search(r"<option[^>]*>", role_select).group(0) == '<option value="">'
    response = _post(director, role="")
    assert response.status_code == 422
    assert "请选择角色" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(User.id)).where(User.username == "wang.wu")) == 0
