"""A director's powers over their township's accounts: a one-time password that the member
must replace at once and that expires in 24 hours, lockouts lifted, deactivation that ends
sessions; never a director made, a county account or another township's member touched.
Each action is in the audit log with who, whom and from where."""
import re
from datetime import timedelta

from sqlalchemy import select

from tenants.models import Membership
from tests import factories
from tests.conftest import csrf_token, login
from webapp.audit import AuditEvent
from webapp.types import clock_at, utcnow

OTP = re.compile(r'<code id="otp">([^<]+)</code>')


def _reset(director, membership_id):
    return director.post(f"/t/alpha/staff/{membership_id}/reset-password", data={"csrf_token": director.csrf})


def test_a_reset_gives_a_one_time_password_that_must_be_replaced_at_once(app, db, login_as, tenant):
    director = login_as("township_admin")
    clerk = factories.user("clerk", tenant)
    before = app.test_client()
    login(before, clerk.username)
    response = _reset(director, clerk.memberships[0].id)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    password = OTP.search(response.get_data(as_text=True)).group(1)
    assert before.get("/t/alpha/").status_code == 302  # the member's sessions ended
    assert login(app.test_client(), clerk.username).status_code == 422  # the old password is gone
    member = app.test_client()
    assert login(member, clerk.username, password).headers["Location"].endswith("/account/password")
    for path in ("/t/alpha/", "/t/alpha/cases/", "/account/sessions"):
        assert member.get(path).headers["Location"].endswith("/account/password"), path
    page = member.get("/account/password").get_data(as_text=True)
    assert "请先设置您自己的密码" in page
    token = csrf_token(member, "/account/password")
    assert member.post("/account/password", data={"current_password": password, "new_password": "Own-pass-42",
                                                  "confirm": "Own-pass-42", "csrf_token": token}).status_code == 302
    assert member.get("/t/alpha/").status_code == 200
    row = db.session.scalar(select(AuditEvent).where(AuditEvent.event == "staff.reset_password"))
    assert (row.user_id, row.tenant_id, row.ip) == (director.user.id, tenant.id, "127.0.0.1")
    assert row.detail["whom"] == clerk.username


def test_a_one_time_password_expires_in_24_hours(app, db, login_as, tenant):
    director = login_as("township_admin")
    clerk = factories.user("clerk", tenant)
    password = OTP.search(_reset(director, clerk.memberships[0].id).get_data(as_text=True)).group(1)
    with clock_at(utcnow() + timedelta(hours=24, minutes=1)):
        response = login(app.test_client(), clerk.username, password)
    assert response.status_code == 422
    assert "一次性密码已过期" in response.get_data(as_text=True)


def _row(page: str, membership_id: int) -> str:
    return re.search(rf'<li id="membership-{membership_id}">.*?</li>', page, re.S).group(0)


def test_a_director_lifts_a_lockout(app, db, login_as, tenant):
    director = login_as("township_admin")
    clerk = factories.user("clerk", tenant, locked_until=utcnow() + timedelta(minutes=10))
    path = f"/t/alpha/staff/{clerk.memberships[0].id}"
    # The member who calls to say they cannot sign in is found on the list at a glance.
    listed = director.get("/t/alpha/staff/").get_data(as_text=True)
    assert "登录失败已锁定" in _row(listed, clerk.memberships[0].id)
    assert "登录失败已锁定" not in _row(listed, director.user.memberships[0].id)
    assert "解除锁定" in director.get(path).get_data(as_text=True)
    assert director.post(path + "/unlock", data={"csrf_token": director.csrf}).status_code == 302
    assert "登录失败已锁定" not in director.get("/t/alpha/staff/").get_data(as_text=True)
    assert login(app.test_client(), clerk.username).status_code == 302
    assert db.session.scalar(select(AuditEvent.event).where(AuditEvent.event == "staff.unlock"))


def test_deactivating_ends_the_sessions_and_reactivating_lets_them_back(app, db, login_as, tenant):
    director = login_as("township_admin")
    clerk = factories.user("clerk", tenant)
    signed_in = app.test_client()
    login(signed_in, clerk.username)
    path = f"/t/alpha/staff/{clerk.memberships[0].id}"
    assert director.post(path, data={"role": "clerk", "department": "0", "csrf_token": director.csrf}).status_code == 302
    assert signed_in.get("/t/alpha/").status_code == 302
    page = director.get("/t/alpha/staff/").get_data(as_text=True)
    assert clerk.username in page  # never deleted: the name stays
    assert director.post(path, data={"role": "clerk", "department": "0", "active": "y",
                                     "csrf_token": director.csrf}).status_code == 302
    assert login(app.test_client(), clerk.username).status_code == 302
    events = db.session.scalars(select(AuditEvent.event).where(AuditEvent.user_id == director.user.id)).all()
    assert {"staff.deactivate", "staff.reactivate"} <= set(events)


def test_what_a_director_may_not_do(db, login_as, tenant, other_tenant):
    director = login_as("township_admin")
    clerk = factories.user("clerk", tenant)
    # No one made a director by a director: refused beside the field.
    response = director.post(f"/t/alpha/staff/{clerk.memberships[0].id}", data={
        "role": "township_admin", "department": "0", "active": "y", "csrf_token": director.csrf})
    assert response.status_code == 422
    new = director.post("/t/alpha/staff/", data={"username": "new.one", "role": "township_admin", "department": "0",
                                                 "password": "Tiaojie-2026", "csrf_token": director.csrf})
    assert new.status_code == 422
    # A county account, even one that is also a member here, and another township's member: 404.
    county_admin = factories.user("county_admin", tenant)
    also_here = Membership(user=county_admin, county_id=tenant.county_id, tenant_id=tenant.id, role="clerk")
    db.session.add(also_here)
    db.session.flush()
    theirs = factories.user("clerk", other_tenant).memberships[0].id
    for membership_id in (also_here.id, theirs):
        assert _reset(director, membership_id).status_code == 404
        assert director.get(f"/t/alpha/staff/{membership_id}").status_code == 404
    # Another director is the county's to manage; one's own account is one's account page's.
    other_director = factories.user("township_admin", tenant).memberships[0].id
    assert _reset(director, other_director).status_code == 403
    assert _reset(director, director.user.memberships[0].id).status_code == 403


def test_the_county_admin_resets_a_director_in_the_township(app, db, login_as, tenant):
    admin = login_as("county_admin")
    director = factories.user("township_admin", tenant)
    response = admin.post(f"/t/alpha/staff/{director.memberships[0].id}/reset-password",
                          data={"csrf_token": admin.csrf})
    assert response.status_code == 200 and OTP.search(response.get_data(as_text=True))
