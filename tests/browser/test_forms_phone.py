"""Forms on a phone (390 px): a double tap on 登记 registers one case; a board move that fails
(offline, signed out) leaves the card where it was and says why on the card, with a button to
try again; a case page form shows that it is saving and says on the form when the connection
is lost, keeping what was typed. Nothing is half-saved."""
import itertools

import pytest
from sqlalchemy import func, select

from tests.browser.conftest import sign_in
from tests.browser.test_board import DIRECTOR, column, find_card, make_case, open_board  # noqa: F401 (fixture)

expect = pytest.importorskip("playwright.sync_api").expect

OFFLINE = "网络已断开，操作未保存"
_numbers = itertools.count(1)


def _count_cases(live_app, title):
    from tenants.scope import all_tenants
    from webapp.cases.models import Case
    from webapp.extensions import db

    with live_app.app_context(), all_tenants():
        return db.session.scalar(select(func.count(Case.id)).where(Case.title == title))


def _state(live_app, case_id):
    from tenants.scope import all_tenants
    from webapp.cases.models import Case
    from webapp.extensions import db

    with live_app.app_context(), all_tenants():
        return db.session.get(Case, case_id).state.value


def _end_sessions(live_app, username):
    from webapp.auth.models import LoginSession, User
    from webapp.extensions import db
    from webapp.types import utcnow

    with live_app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        for login_session in db.session.scalars(select(LoginSession).where(LoginSession.user_id == user.id,
                                                                           LoginSession.ended_at.is_(None))):
            login_session.ended_at, login_session.end_reason = utcnow(), "idle"
        db.session.commit()


def test_a_double_tap_on_register_makes_one_case(phone, base_url, live_app):
    sign_in(phone, base_url, "mangbang.clerk")
    phone.goto(f"{base_url}/t/mangbang/cases/new")
    title = f"双击登记纠纷{next(_numbers)}"
    form = phone.locator("main form")
    form.get_by_label("标题", exact=True).fill(title)
    form.get_by_label("来源", exact=True).select_option(label="来电")
    button = form.get_by_role("button", name="登记", exact=True)
    with phone.expect_navigation(url="**/cases/*"):
        button.dblclick()
    expect(phone.locator("h1")).to_have_text(title)
    assert _count_cases(live_app, title) == 1


def test_a_failed_move_stays_on_its_card_and_can_be_tried_again(browser, base_url, live_app, make_case):
    from tests.browser.conftest import PHONE

    context = browser.new_context(**PHONE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        sign_in(page, base_url, DIRECTOR)
        case_id, department = make_case("assessed")
        open_board(page, base_url)
        card = find_card(page, "assessed", case_id)

        # Offline: the message on the card, the card where it was; back online, 重试 sends it.
        card.locator("details.move-menu summary").tap()
        context.set_offline(True)
        card.locator("details.move-menu").get_by_role("button", name="已分流").tap()
        problem = card.locator(".form-error")
        expect(problem).to_contain_text(OFFLINE)
        expect(column(page, "assessed").locator(f"#card-{case_id}")).to_be_attached()
        expect(page.locator("#flash")).not_to_contain_text(OFFLINE)
        context.set_offline(False)
        problem.get_by_role("button", name="重试").tap()
        expect(page.locator(f"#card-{case_id} form.card-form")).to_be_visible()  # the referral's form

        # Signed out meanwhile: said on the card, with a way to sign in; the case did not move.
        open_board(page, base_url)
        card = find_card(page, "assessed", case_id)
        _end_sessions(live_app, DIRECTOR)  # the session ran out on the server while the board was open
        card.locator("details.move-menu summary").tap()
        card.locator("details.move-menu").get_by_role("button", name="已分流").tap()
        expect(card.locator(".form-error")).to_contain_text("登录已过期")
        expect(card.locator(".form-error a[href^='/login']")).to_be_visible()
        expect(column(page, "assessed").locator(f"#card-{case_id}")).to_be_attached()
        assert _state(live_app, case_id) == "assessed"
    finally:
        context.close()


def test_a_case_page_form_shows_it_is_saving_and_a_lost_connection_beside_it(browser, base_url, live_app,
                                                                             make_case):
    from tests.browser.conftest import PHONE

    context = browser.new_context(**PHONE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        sign_in(page, base_url, DIRECTOR)
        case_id, _ = make_case("registered")
        page.goto(f"{base_url}/t/heshun/cases/{case_id}")
        # What the button looks like while the request is in flight, seen by the page itself.
        page.evaluate("""() => document.addEventListener("htmx:beforeRequest", (e) => {
            const form = e.detail.elt.closest("form");
            window.seen = form && [form.classList.contains("is-saving"),
                                   form.querySelector("button[type=submit]").disabled];
        })""")
        section = page.locator(f"#case-{case_id}-parties")
        parties = section.locator("li.party").count()
        section.locator("summary").tap()
        form = section.locator("form")
        form.get_by_label("姓名", exact=True).fill("断网时的当事人")
        context.set_offline(True)
        form.get_by_role("button", name="添加").tap()
        expect(form.locator(".form-error")).to_contain_text(OFFLINE)
        assert page.evaluate("window.seen") == [True, True]
        expect(form.get_by_label("姓名", exact=True)).to_have_value("断网时的当事人")
        expect(form.get_by_role("button", name="添加")).to_be_enabled()
        context.set_offline(False)
        form.locator(".form-error").get_by_role("button", name="重试").tap()
        expect(page.locator(f"#case-{case_id}-parties")).to_contain_text("断网时的当事人")

        # Sent once: the retry did not add the party twice.
        expect(page.locator(f"#case-{case_id}-parties li.party")).to_have_count(parties + 1)
    finally:
        context.close()
