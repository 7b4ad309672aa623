"""The county admin's administration: townships renamed and closed, the county's accounts and
every township's directors reset, unlocked and deactivated, the county's security settings.
Bad input is refused beside its field with the typing kept; a reviewer changes nothing; another
county's accounts are not found."""
import re
from datetime import timedelta

from sqlalchemy import select

from tests import factories
from tests.conftest import login
from webapp.audit import AuditEvent
from webapp.auth.models import CountySecurity, User
from webapp.types import utcnow


def _events(db, admin):
    return db.session.scalars(select(AuditEvent.event).where(AuditEvent.user_id == admin.user.id)).all()


def test_townships_are_renamed_closed_and_reopened(app, db, login_as, tenant):
    admin = login_as("county_admin")
    clerk = factories.user("clerk", tenant)
    response = admin.post(f"/county/townships/{tenant.id}", data={"name": "", "csrf_token": admin.csrf})
    assert response.status_code == 422 and "请输入乡镇名称" in response.get_data(as_text=True)
    response = admin.post(f"/county/townships/{tenant.id}", data={"name": "甲" * 70, "csrf_token": admin.csrf})
    assert response.status_code == 422 and 'value="' + "甲" * 70 + '"' in response.get_data(as_text=True)
    assert admin.post(f"/county/townships/{tenant.id}", data={"name": "新甲镇", "csrf_token": admin.csrf}).status_code == 302
    assert "新甲镇" in admin.get("/county/townships/").get_data(as_text=True)
    member = app.test_client()
    login(member, clerk.username)
    assert admin.post(f"/county/townships/{tenant.id}/close", data={"csrf_token": admin.csrf}).status_code == 302
    assert member.get("/t/alpha/").status_code == 404  # nobody gets into a closed township
    assert admin.post(f"/county/townships/{tenant.id}/reopen", data={"csrf_token": admin.csrf}).status_code == 302
    assert member.get("/t/alpha/").status_code == 200
    assert {"township.rename", "township.close", "township.reopen"} <= set(_events(db, admin))
    elsewhere = factories.township(factories.county("别县"), "gamma", "丙镇")
    assert admin.post(f"/county/townships/{elsewhere.id}/close", data={"csrf_token": admin.csrf}).status_code == 404


def test_county_accounts_are_created_with_bad_input_refused_beside_the_field(db, login_as):
    admin = login_as("county_admin")
    page = admin.get("/county/accounts/").get_data(as_text=True)
    assert '<option value="">—</option>' in page  # no role chosen in advance
    data = {"username": "sifa.li", "display_name": "李审阅", "role": "county_reviewer", "password": "weak",
            "csrf_token": admin.csrf}
    response = admin.post("/county/accounts/", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "至少8位" in page and 'value="sifa.li"' in page and 'value="李审阅"' in page
    assert db.session.scalar(select(User).where(User.username == "sifa.li")) is None
    assert admin.post("/county/accounts/", data={**data, "role": "clerk", "password": "Strong-pass-1"}).status_code == 422
    assert admin.post("/county/accounts/", data={**data, "password": "Strong-pass-1"}).status_code == 302
    assert "李审阅" in admin.get("/county/accounts/").get_data(as_text=True)
    assert "county.account_create" in _events(db, admin)


def test_the_county_admin_resets_unlocks_and_deactivates_a_director(app, db, login_as, tenant):
    admin = login_as("county_admin")
    director = factories.user("township_admin", tenant, locked_until=utcnow() + timedelta(minutes=5))
    path = f"/county/accounts/{director.id}"
    listed = admin.get("/county/accounts/").get_data(as_text=True)
    row = re.search(rf'<li><a class="row" href="{path}">.*?</li>', listed, re.S).group(0)
    assert "甲镇" in row and "登录失败已锁定" in row  # found on the list at a glance
    assert "解除锁定" in admin.get(path).get_data(as_text=True)
    assert admin.post(path + "/unlock", data={"csrf_token": admin.csrf}).status_code == 302
    assert "登录失败已锁定" not in admin.get("/county/accounts/").get_data(as_text=True)
    signed_in = app.test_client()
    assert login(signed_in, director.username).status_code == 302
    response = admin.post(path + "/reset-password", data={"csrf_token": admin.csrf})
    password = re.search(r'<code id="otp">([^<]+)</code>', response.get_data(as_text=True)).group(1)
    assert signed_in.get("/t/alpha/").status_code == 302
    assert admin.post(path + "/deactivate", data={"csrf_token": admin.csrf}).status_code == 302
    assert login(app.test_client(), director.username, password).status_code == 422
    assert admin.post(path + "/reactivate", data={"csrf_token": admin.csrf}).status_code == 302
    assert login(app.test_client(), director.username, password).status_code == 302
    events = _events(db, admin)
    assert {"account.unlock", "account.reset_password", "account.deactivate", "account.reactivate"} <= set(events)
    row = db.session.scalar(select(AuditEvent).where(AuditEvent.event == "account.deactivate"))
    assert row.detail["whom"] == director.username and row.ip == "127.0.0.1"


def test_another_countys_accounts_are_not_found_and_a_reviewer_changes_nothing(db, login_as, tenant):
    admin = login_as("county_admin")
    elsewhere = factories.township(factories.county("别县"), "gamma", "丙镇")
    theirs = factories.user("township_admin", elsewhere)
    assert admin.get(f"/county/accounts/{theirs.id}").status_code == 404
    assert admin.post(f"/county/accounts/{theirs.id}/deactivate", data={"csrf_token": admin.csrf}).status_code == 404
    assert admin.post(f"/county/accounts/{admin.user.id}/deactivate", data={"csrf_token": admin.csrf}).status_code == 403
    reviewer = login_as("county_reviewer")
    mine = factories.user("clerk", tenant)
    for path in ("/county/accounts/", "/county/security", f"/county/accounts/{mine.id}"):
        assert reviewer.get(path).status_code == 403, path
    assert reviewer.post(f"/county/accounts/{mine.id}/deactivate", data={"csrf_token": reviewer.csrf}).status_code == 403


def test_security_settings_keep_the_password_age_off_by_default(db, login_as, tenant):
    admin = login_as("county_admin")
    page = admin.get("/county/security").get_data(as_text=True)
    assert re.search(r'<input[^>]*name="password_max_age_days"[^>]*value=""', page)  # off
    response = admin.post("/county/security", data={"password_max_age_days": "7", "csrf_token": admin.csrf})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "30至730" in page and 'value="7"' in page
    assert db.session.scalar(select(CountySecurity)) is None
    assert admin.post("/county/security", data={"password_max_age_days": "90", "csrf_token": admin.csrf}).status_code == 302
    assert db.session.scalar(select(CountySecurity.password_max_age_days)) == 90
    assert admin.post("/county/security", data={"password_max_age_days": "", "csrf_token": admin.csrf}).status_code == 302
    assert db.session.scalar(select(CountySecurity.password_max_age_days)) is None
    assert _events(db, admin).count("county.security") == 2
