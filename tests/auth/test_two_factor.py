"""The second factor: enrolling, signing in with a code or a recovery code, no replay, wrong
codes toward the lockout, the county's required roles, and the director's reset."""
import re
import time

import pyotp
from sqlalchemy import select

from tests import factories
from tests.conftest import csrf_token, login
from webapp.audit import AuditEvent
from webapp.auth import two_factor
from webapp.auth.models import SecondFactor, User


def _enrol(client):
    """Enrol the signed-in client's user through the pages; returns (secret, recovery codes)."""
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "<svg" in page
    secret = re.search(r'<code class="secret" id="secret">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    token = csrf_token(client, "/account/two-factor")
    answer = client.post("/account/two-factor", data={"csrf_token": token, "code": pyotp.TOTP(secret).now()})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    codes = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", answer.get_data(as_text=True))
    assert len(codes) == 10
    return secret, codes


def _code_step(client, code):
    return client.post("/login/code", data={"csrf_token": csrf_token(client, "/login/code"), "code": code})


def _events(db, user):
    return db.session.scalars(select(AuditEvent.event).where(AuditEvent.user_id == user.id)
                              .order_by(AuditEvent.id)).all()


def test_enrol_then_sign_in_with_a_code_that_cannot_be_replayed(app, db, tenant, login_as):
    member = login_as("clerk")
    secret, codes = _enrol(member)
    stored = db.session.get(SecondFactor, member.user.id)
    assert stored.confirmed_at is not None
    # encrypted at rest: the column holds no trace of the secret
    raw = db.session.execute(select(SecondFactor.__table__.c.secret.cast(db.Text))).scalars().all()
    assert all(secret not in value for value in raw)

    client = app.test_client()
    answer = login(client, member.user.username)
    assert answer.headers["Location"].endswith("/login/code")
    assert client.get("/").status_code == 302  # no session yet: the password alone is not enough
    # the step of the confirming code is spent; take the next one
    step = int(time.time() // 30) + 1
    code = pyotp.TOTP(secret).generate_otp(step)
    assert _code_step(client, code).status_code == 302
    assert client.get("/", follow_redirects=True).request.path == "/t/alpha/"

    again = app.test_client()
    login(again, member.user.username)
    replay = _code_step(again, code)
    assert replay.status_code == 422
    assert 'id="code-error"' in replay.get_data(as_text=True)
    assert "login.failure" in _events(db, member.user)


def test_a_recovery_code_signs_in_once(app, db, tenant, login_as):
    member = login_as("mediator")
    _, codes = _enrol(member)
    client = app.test_client()
    login(client, member.user.username)
    assert _code_step(client, codes[3].upper()).status_code == 302
    assert "9" in client.get("/", follow_redirects=True).get_data(as_text=True)
    other = app.test_client()
    login(other, member.user.username)
    assert _code_step(other, codes[3]).status_code == 422
    assert two_factor.recovery_codes_left(member.user) == 9


def test_wrong_codes_count_toward_the_lockout(app, db, tenant, login_as):
    member = login_as("clerk")
    _enrol(member)
    client = app.test_client()
    login(client, member.user.username)
    for _ in range(2):
        assert _code_step(client, "000000").status_code == 422
    login(client, member.user.username, "Wrong-pass-9")  # a wrong password counts with them
    login(client, member.user.username)
    assert _code_step(client, "000000").status_code == 422
    locked = _code_step(client, "000000")
    assert locked.status_code == 302 and locked.headers["Location"].endswith("/login")
    user = db.session.get(User, member.user.id, populate_existing=True)
    assert user.locked_until is not None
    assert "login.lockout" in _events(db, user)


def test_a_required_role_must_enrol_before_anything_else(app, db, tenant, county):
    county.two_factor_roles = "township_admin"
    director = factories.user("township_admin", tenant)
    client = app.test_client()
    answer = login(client, director.username)
    assert answer.headers["Location"].endswith("/account/two-factor")
    for path in ("/", "/t/alpha/", "/t/alpha/staff/", "/settings"):
        assert client.get(path).headers.get("Location", "").endswith("/account/two-factor"), path
    _enrol(client)
    assert client.get("/t/alpha/").status_code == 200
    # others of the county still sign in with the password alone
    clerk = factories.user("clerk", tenant)
    assert login(app.test_client(), clerk.username).headers["Location"] == "/"


def test_new_counties_require_the_defaults(db):
    from tenants.operations import get_or_create_county

    county = get_or_create_county("新县")
    assert two_factor.required_roles(county.two_factor_roles) == {"township_admin", "county_admin",
                                                                 "county_reviewer"}


def test_wrong_first_code_is_refused_beside_the_field(login_as):
    member = login_as("clerk")
    member.get("/account/two-factor")
    answer = member.post("/account/two-factor", data={"csrf_token": member.csrf, "code": "12"})
    assert answer.status_code == 422
    assert 'id="code-error"' in answer.get_data(as_text=True)
    assert 'value="12"' in answer.get_data(as_text=True)


def test_turning_off_needs_a_code(db, login_as):
    member = login_as("clerk")
    secret, _ = _enrol(member)
    token = csrf_token(member, "/account/two-factor")
    assert member.post("/account/two-factor/off", data={"csrf_token": token, "off-code": "111111"}).status_code == 422
    code = pyotp.TOTP(secret).generate_otp(int(time.time() // 30) + 1)
    assert member.post("/account/two-factor/off", data={"csrf_token": token, "off-code": code}).status_code == 302
    assert db.session.get(SecondFactor, member.user.id, populate_existing=True) is None
    assert "two_factor.remove" in _events(db, member.user)
