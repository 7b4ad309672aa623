"""The second factor on a 390 px phone: the demo's county admin, who must use one, is led to
enrol right after the password, scans (here: reads) the key, confirms, keeps the recovery codes,
and signs in with a code the next time; nothing scrolls sideways on the way."""
from urllib.parse import urlsplit

from sqlalchemy import select

from tests.browser.conftest import SECOND_FACTORS, enrol, give_code, sign_in
from tests.browser.test_layout import WIDTH, _overflow
from webapp.auth import two_factor
from webapp.auth.models import User
from webapp.extensions import db


def test_the_county_admin_enrols_on_a_phone_and_signs_in_with_a_code(phone, base_url, live_app):
    with live_app.app_context():  # start from no second factor, whatever ran before
        two_factor.remove(db.session.scalar(select(User).where(User.username == "county.admin")))
        db.session.commit()
    SECOND_FACTORS.pop("county.admin", None)

    phone.goto(f"{base_url}/login")
    form = phone.locator("main form")
    form.locator("input[name=username]").fill("county.admin")
    form.locator("input[name=password]").fill("Demo-2026")
    with phone.expect_navigation():
        form.locator("button[type=submit]").click()
    assert urlsplit(phone.url).path == "/account/two-factor"
    qr = phone.locator(".qr svg")
    assert qr.is_visible()
    box = qr.bounding_box()
    assert box["width"] >= 150 and box["x"] + box["width"] <= WIDTH, box
    assert _overflow(phone) is None, _overflow(phone)
    # nothing else before enrolling
    phone.goto(f"{base_url}/county/")
    assert urlsplit(phone.url).path == "/account/two-factor"

    enrol(phone, "county.admin")
    assert urlsplit(phone.url).path == "/county/"
    assert len(SECOND_FACTORS["county.admin"]["recovery"]) == 10

    phone.context.clear_cookies()
    phone.goto(f"{base_url}/login")
    form = phone.locator("main form")
    form.locator("input[name=username]").fill("county.admin")
    form.locator("input[name=password]").fill("Demo-2026")
    with phone.expect_navigation():
        form.locator("button[type=submit]").click()
    assert urlsplit(phone.url).path == "/login/code"
    assert _overflow(phone) is None, _overflow(phone)
    give_code(phone, "county.admin")
    assert urlsplit(phone.url).path == "/county/"
    # and the sign-in helper the other tests use goes through the same step
    phone.context.clear_cookies()
    assert sign_in(phone, base_url, "county.admin").ok and urlsplit(phone.url).path == "/county/"
