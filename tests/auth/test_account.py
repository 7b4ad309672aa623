"""One's own account: changing the password (the current one first, the policy, none of the
last five; the other sessions end) and the list of one's sessions (device, IP, last seen;
ending one signs that browser out at its next request)."""
from datetime import timedelta

from sqlalchemy import select

from tests import factories
from tests.conftest import csrf_token, login
from webapp.audit import AuditEvent
from webapp.auth.models import CountySecurity, LoginSession
from webapp.auth.passwords import verify_password
from webapp.types import clock_at, utcnow

PHONE = "Mozilla/5.0 (Linux; Android 14; HUAWEI) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36"


def _change(client, current=factories.PASSWORD, new="Fresh-pass-2", confirm=None):
    return client.post("/account/password", data={
        "current_password": current, "new_password": new, "confirm": confirm or new, "csrf_token": client.csrf})


def _signed_in(app, user, agent=None):
    client = app.test_client()
    if agent:
        client.environ_base["HTTP_USER_AGENT"] = agent
    assert login(client, user.username).status_code == 302
    client.csrf = csrf_token(client, "/settings")
    return client


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(app, db, tenant):
    user = factories.user("mediator", tenant)
    here, phone = _signed_in(app, user), _signed_in(app, user, PHONE)
    response = _change(here)
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/sessions")
    assert here.get("/t/alpha/").status_code == 200
    assert phone.get("/t/alpha/").status_code == 302  # signed out at its next request
    db.session.refresh(user)
    assert verify_password(user.password_hash, "Fresh-pass-2") and user.password_changed_at is not None
    row = db.session.scalar(select(AuditEvent).where(AuditEvent.event == "password.change"))
    assert (row.user_id, row.ip) == (user.id, "127.0.0.1")


def test_bad_input_is_refused_beside_each_field_and_nothing_changes(app, db, tenant):
    user = factories.user("clerk", tenant)
    client = _signed_in(app, user)
    before = user.password_hash
    for data, where, message in [
        ({"current": "Wrong-pass-9"}, "current_password", "当前密码不正确"),
        ({"new": "short"}, "new_password", "至少8位"),
        ({"confirm": "Other-pass-3"}, "confirm", "两次输入的新密码不一致"),
        ({"new": factories.PASSWORD}, "new_password", "最近5次"),
    ]:
        response = _change(client, **data)
        page = response.get_data(as_text=True)
        assert response.status_code == 422, data
        assert message in page and f'id="{where}-error"' in page, data
    db.session.refresh(user)
    assert user.password_hash == before


def test_none_of_the_last_five_passwords_again(app, db, tenant):
    user = factories.user("clerk", tenant)
    client = _signed_in(app, user)
    current = factories.PASSWORD
    for n in range(5):
        assert _change(client, current, f"Pass-word-{n}").status_code == 302
        current = f"Pass-word-{n}"
    assert _change(client, current, "Pass-word-1").status_code == 422  # among the last five
    assert _change(client, current, factories.PASSWORD).status_code == 302  # six passwords ago


def test_sessions_show_device_and_ip_and_end_one_or_all_others(app, db, tenant):
    user = factories.user("officer", tenant)
    here, phone, third = _signed_in(app, user), _signed_in(app, user, PHONE), _signed_in(app, user)
    page = here.get("/account/sessions").get_data(as_text=True)
    assert "Chrome · Android" in page and "127.0.0.1" in page and "本设备" in page
    assert page.count('action="/account/sessions/') == 3  # two to end, and "end all others"
    key = db.session.scalar(select(LoginSession.id).where(LoginSession.user_id == user.id,
                                                          LoginSession.user_agent == PHONE))
    assert here.post(f"/account/sessions/{key}/end", data={"csrf_token": here.csrf}).status_code == 302
    assert phone.get("/t/alpha/").status_code == 302
    assert third.get("/t/alpha/").status_code == 200
    # Another user's session, or one already ended: not found.
    assert here.post(f"/account/sessions/{key}/end", data={"csrf_token": here.csrf}).status_code == 404
    assert here.post("/account/sessions/end-others", data={"csrf_token": here.csrf}).status_code == 302
    assert third.get("/t/alpha/").status_code == 302
    assert here.get("/t/alpha/").status_code == 200
    events = db.session.scalars(select(AuditEvent.event).where(AuditEvent.user_id == user.id)).all()
    assert {"session.end", "session.end_others"} <= set(events)


def test_everyone_finds_their_account_in_the_menu(login_as):
    page = login_as("liaison").get("/t/alpha/").get_data(as_text=True)
    assert '<a href="/account/password">账户</a>' in page


def test_the_countys_maximum_age_leads_to_a_new_password_at_sign_in(app, db, tenant):
    db.session.add(CountySecurity(county_id=tenant.county_id, password_max_age_days=90))
    user = factories.user("mediator", tenant, password_changed_at=utcnow() - timedelta(days=91))
    fresh = factories.user("mediator", tenant, password_changed_at=utcnow() - timedelta(days=10))
    client = app.test_client()
    response = login(client, user.username)
    assert response.headers["Location"].endswith("/account/password")
    assert client.get("/t/alpha/cases/").headers["Location"].endswith("/account/password")
    client.csrf = csrf_token(client, "/account/password")
    assert _change(client).status_code == 302
    assert client.get("/t/alpha/cases/").status_code == 200
    assert login(app.test_client(), fresh.username).headers["Location"].endswith("/")
    with clock_at(utcnow() + timedelta(days=81)):  # the other password, 91 days old by then
        assert login(app.test_client(), fresh.username).headers["Location"].endswith("/account/password")
