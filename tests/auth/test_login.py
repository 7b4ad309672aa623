"""Signing in, as 等保2.0 and OWASP ASVS ask: lockout, fresh sessions, idle timeout,
logout that really ends the session, CSRF on every change, an audit row for each event."""
from datetime import timedelta

from sqlalchemy import func, select

from tests import factories
from tests.conftest import csrf_token, login
from webapp.audit import AuditEvent
from webapp.auth.models import LoginSession, User
from webapp.types import utcnow


def _events(db, user):
    return db.session.scalars(select(AuditEvent.event).where(AuditEvent.user_id == user.id).order_by(AuditEvent.id)).all()


def test_login_page_speaks_chinese_by_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page
    assert "登录" in page and "用户名" in page and "密码" in page


def test_mediator_lands_in_their_township(client, tenant):
    user = factories.user("mediator", tenant)
    response = login(client, user.username)
    assert response.status_code == 302
    home = client.get("/", follow_redirects=True)
    assert home.request.path == "/t/alpha/"
    assert "甲镇" in home.get_data(as_text=True)


def test_county_reviewer_lands_in_county_review(client, tenant):
    user = factories.user("county_reviewer", tenant)
    login(client, user.username)
    assert client.get("/", follow_redirects=True).request.path == "/county/"


def test_wrong_password_says_so_beside_the_field_and_keeps_the_username(client, db, tenant):
    user = factories.user("clerk", tenant)
    response = login(client, user.username, "Wrong-pass-1")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "用户名或密码错误" in page
    assert f'value="{user.username}"' in page
    assert _events(db, user) == ["login.failure"]


def test_unknown_username_is_refused_the_same_way_and_audited(client, db):
    response = login(client, "nobody", "Wrong-pass-1")
    assert response.status_code == 422
    assert "用户名或密码错误" in response.get_data(as_text=True)
    row = db.session.scalar(select(AuditEvent).where(AuditEvent.username == "nobody"))
    assert (row.event, row.success, row.ip) == ("login.failure", False, "127.0.0.1")


def test_empty_form_names_each_missing_field(client):
    response = client.post("/login", data={"csrf_token": csrf_token(client)})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "请输入用户名" in page and "请输入密码" in page


def test_five_failures_lock_the_account_for_fifteen_minutes(client, db, tenant):
    user = factories.user("mediator", tenant)
    for _ in range(4):
        assert "用户名或密码错误" in login(client, user.username, "Wrong-pass-1").get_data(as_text=True)
    fifth = login(client, user.username, "Wrong-pass-1")
    assert "锁定15分钟" in fifth.get_data(as_text=True)

    # Even the right password is refused while the lock lasts.
    refused = login(client, user.username)
    assert refused.status_code == 422 and "锁定" in refused.get_data(as_text=True)
    assert _events(db, user)[-2:] == ["login.lockout", "login.locked"]

    locked_until = db.session.get(User, user.id).locked_until
    assert timedelta(minutes=14) < locked_until - utcnow() <= timedelta(minutes=15)

    db.session.get(User, user.id).locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert login(client, user.username).status_code == 302


def test_success_resets_the_failure_count(client, db, tenant):
    user = factories.user("mediator", tenant)
    for _ in range(4):
        login(client, user.username, "Wrong-pass-1")
    assert login(client, user.username).status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client, "/settings")})
    for _ in range(4):
        login(client, user.username, "Wrong-pass-1")
    assert login(client, user.username).status_code == 302


def test_each_login_starts_a_new_server_session(app, db, tenant):
    user = factories.user("mediator", tenant)
    first, second = app.test_client(), app.test_client()
    login(first, user.username)
    login(second, user.username)
    sessions = db.session.scalars(select(LoginSession).where(LoginSession.user_id == user.id)).all()
    assert len(sessions) == 2 and sessions[0].id != sessions[1].id
    assert "login.success" in _events(db, user)


def test_a_session_cookie_from_before_login_is_not_reused(client, tenant):
    user = factories.user("mediator", tenant)
    client.get("/login")
    before = client.get_cookie("tiaojie_session").value
    login(client, user.username)
    after = client.get_cookie("tiaojie_session").value
    assert before != after


def test_logout_ends_the_session_on_the_server(app, client, db, tenant):
    user = factories.user("mediator", tenant)
    login(client, user.username)
    stolen = client.get_cookie("tiaojie_session").value
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/settings")})
    assert response.status_code == 302
    assert db.session.scalar(select(LoginSession.end_reason).where(LoginSession.user_id == user.id)) == "logout"
    assert "logout" in _events(db, user)

    # Replaying the cookie captured before logout gets nobody in.
    replay = app.test_client()
    replay.set_cookie("tiaojie_session", stolen)
    assert replay.get("/t/alpha/").status_code == 302


def test_thirty_idle_minutes_end_the_session(client, db, tenant):
    user = factories.user("mediator", tenant)
    login(client, user.username)
    assert client.get("/t/alpha/").status_code == 200
    login_session = db.session.scalar(select(LoginSession).where(LoginSession.user_id == user.id))
    login_session.last_seen_at = utcnow() - timedelta(minutes=31)
    db.session.commit()

    response = client.get("/t/alpha/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert "30分钟未操作" in client.get("/login").get_data(as_text=True)
    assert db.session.get(LoginSession, login_session.id).end_reason == "idle"
    assert "session.expired" in _events(db, user)


def test_activity_keeps_the_session_alive(client, db, tenant):
    user = factories.user("mediator", tenant)
    login(client, user.username)
    login_session = db.session.scalar(select(LoginSession).where(LoginSession.user_id == user.id))
    login_session.last_seen_at = utcnow() - timedelta(minutes=29)
    db.session.commit()
    assert client.get("/t/alpha/").status_code == 200
    assert utcnow() - db.session.get(LoginSession, login_session.id).last_seen_at < timedelta(minutes=1)


def test_state_changes_need_the_csrf_token(client, tenant):
    user = factories.user("mediator", tenant)
    assert client.post("/login", data={"username": user.username, "password": factories.PASSWORD}).status_code == 400
    login(client, user.username)
    assert client.post("/logout").status_code == 400
    assert client.post("/settings", data={"locale": "en"}).status_code == 400


def test_htmx_sends_the_token_in_a_header(client, tenant):
    user = factories.user("mediator", tenant)
    login(client, user.username)
    token = csrf_token(client, "/settings")
    response = client.post("/settings", data={"locale": "en"}, headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert response.status_code == 302


def test_csrf_token_does_not_expire_within_the_session(app):
    assert app.config["WTF_CSRF_TIME_LIMIT"] is None


def test_too_many_attempts_from_one_address_answer_429(app, client):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    try:
        statuses = [login(client, "someone", "Wrong-pass-1").status_code for _ in range(4)]
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
    assert statuses == [422, 422, 422, 429]


def test_cookies_are_http_only_same_site_and_secure_in_production(tenant, client):
    from webapp.config import Config

    assert Config.SESSION_COOKIE_SECURE is True
    user = factories.user("mediator", tenant)
    response = login(client, user.username)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_deactivated_account_cannot_sign_in(client, db, tenant):
    user = factories.user("mediator", tenant, active=False)
    assert login(client, user.username).status_code == 422


def test_next_parameter_only_follows_local_paths(client, tenant):
    user = factories.user("mediator", tenant)
    token = csrf_token(client)
    response = client.post("/login?next=https://evil.example/", data={
        "username": user.username, "password": factories.PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/"


def test_audit_log_rows_cannot_be_changed(db, tenant):
    import pytest

    from webapp.audit import AuditLogIsAppendOnly, record

    entry = record("login.success", username="x")
    db.session.flush()
    entry.event = "tampered"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.event == "tampered")) == 0
