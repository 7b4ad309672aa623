"""The board on a phone: a card dragged by its handle with a finger, a card moved through its
menu, a swipe that scrolls the board and moves nothing, a refused drop that puts the card
back and says why, another person's move arriving by polling, and nothing that makes the page
scroll sideways at 390 px.

Touches are real touch events (Chrome DevTools ``Input.dispatchTouchEvent``), on a phone
context with ``has_touch``; the cases are made for each test in 和顺镇, whose director is
``heshun.admin``, and found by their ids, whatever else the demo data holds.
"""
import itertools
import time

import pytest
from sqlalchemy import select

from tests.browser.conftest import PHONE, sign_in
from tests.browser.test_layout import TAP, WIDTH, _overflow

expect = pytest.importorskip("playwright.sync_api").expect

DIRECTOR = "heshun.admin"
_titles = itertools.count(1)


@pytest.fixture
def make_case(live_app):
    """``make_case(state)`` → the id of a new 和顺镇 case in that state, committed."""
    from tenants.models import Membership, Tenant
    from tenants.scope import tenant_scope
    from tests import factories
    from webapp import timelimits
    from webapp.auth.models import User
    from webapp.cases import operations
    from webapp.cases.models import Difficulty, NextStep, Risk
    from webapp.extensions import db
    from webapp.referrals.models import Department

    def _make(state, session=True):
        with live_app.app_context():
            tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "heshun"))
            director = db.session.scalar(select(Membership).join(User).where(User.username == DIRECTOR))
            case = factories.case(tenant, director, title=f"看板测试纠纷{next(_titles)}号")
            with tenant_scope(tenant.id):
                if state != "registered":
                    operations.assess_case(case, director, difficulty=Difficulty.ORDINARY, risk=Risk.CONTROLLABLE)
                if state == "closed":
                    operations.start_mediation(case, director, assignee_id=director.user_id)
                    if session:
                        operations.record_session(case, director, held_on=timelimits.today(), place="村委会",
                                                  participants="双方", notes="调解")
                    operations.fail_case(case, director, next_step=NextStep.LITIGATION, note="分歧较大")
                    operations.close_case(case, director)
                department = db.session.scalar(select(Department.id).where(Department.tenant_id == tenant.id)
                                               .order_by(Department.id))
                case_id = case.id
            db.session.commit()
            return case_id, department

    return _make


@pytest.fixture
def director(phone, base_url):
    sign_in(phone, base_url, DIRECTOR)
    return phone


def open_board(page, base_url, view="all"):
    page.goto(f"{base_url}/t/heshun/board/?view={view}")
    expect(page.locator("#board")).to_be_visible()


def column(page, state):
    return page.locator(f'.board-list[data-state="{state}"]')


def show_column(page, state):
    """Scroll the board sideways until the column is in view, so its cards load."""
    page.locator(f'.board-column:has(.board-list[data-state="{state}"])').evaluate(
        "el => el.closest('.board').scrollLeft = el.offsetLeft - el.closest('.board').offsetLeft")


def card(page, case_id):
    return page.locator(f"#card-{case_id}")


COUNTS = ("() => Object.fromEntries([...document.querySelectorAll('span.count[id^=count-]')]"
          ".map(s => [s.id.slice(6), Number(s.textContent)]))")


def counts(page) -> dict:
    """The count in each column's heading."""
    return page.evaluate(COUNTS)


def expect_counts(page, expected: dict) -> None:
    """The counts come to read ``expected`` and stay so: the page's script moves them once
    htmx has settled the card it swapped in, a moment after the card shows."""
    deadline = time.monotonic() + 5
    while counts(page) != expected and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    page.wait_for_timeout(300)
    assert counts(page) == expected


def moved_one(before: dict, source: str, target: str) -> dict:
    return {**before, source: before[source] - 1, target: before[target] + 1}


def find_card(page, state, case_id):
    """Bring a column into view and scroll down it, page by page, until the card has loaded."""
    show_column(page, state)
    this = column(page, state).locator(f"#card-{case_id}")
    for _ in range(20):
        if this.count():
            break
        # Scrolling the column's "more" link into view loads its next page (and replaces it).
        column(page, state).evaluate("list => list.querySelector(':scope > .more')?.scrollIntoView()")
        page.wait_for_timeout(200)
    expect(this).to_be_attached()
    this.scroll_into_view_if_needed()
    return this


class Finger:
    """One finger on the touch screen, through the browser's own input pipeline."""

    def __init__(self, page):
        self.page = page
        self.cdp = page.context.new_cdp_session(page)

    def _send(self, kind, x=None, y=None):
        points = [] if kind == "touchEnd" else [{"x": x, "y": y}]
        self.cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    def drag(self, start, end, hold_ms=400, steps=12):
        (x0, y0), (x1, y1) = start, end
        self._send("touchStart", x0, y0)
        self.page.wait_for_timeout(hold_ms)
        for i in range(1, steps + 1):
            self._send("touchMove", x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps)
            self.page.wait_for_timeout(16)
        self.page.wait_for_timeout(100)
        self._send("touchEnd")

    def swipe(self, start, end, steps=8):
        self.drag(start, end, hold_ms=0, steps=steps)


def centre(locator):
    box = locator.bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def ready_to_drag(page, case_id, source_state, target_state):
    """Find the card, then scroll the board so that the source column's right part (where
    the card's handle is) and the target column's left part are both on the phone's screen,
    as a thumb would before dragging; returns where the handle is and where to drop."""
    find_card(page, source_state, case_id)
    board = page.locator("#board")
    target = page.locator(f'.board-column:has(.board-list[data-state="{target_state}"])')
    board.evaluate("(b, t) => b.scrollLeft = t.offsetLeft - b.offsetLeft - 190", target.element_handle())
    handle = card(page, case_id).locator(".drag-handle")
    expect(handle).to_be_visible()
    x, y = centre(handle)
    assert 0 < x < WIDTH and 0 < y < PHONE["viewport"]["height"], (x, y)
    drop_x = column(page, target_state).bounding_box()["x"] + 60
    assert drop_x < WIDTH - 40, drop_x  # clear of the edge, where dragging scrolls the board
    return (x, y), (drop_x, y)


# -- dragging with a finger -------------------------------------------------------------------


def test_a_finger_drags_a_card_by_its_handle_and_the_form_opens_in_place(director, base_url, make_case):
    case_id, _ = make_case("registered")
    open_board(director, base_url)
    handle, drop = ready_to_drag(director, case_id, "registered", "assessed")
    before = counts(director)

    Finger(director).drag(handle, drop)

    moved = column(director, "assessed").locator(f"#card-{case_id}")
    expect(moved).to_be_visible()
    form = moved.locator("form.card-form")
    expect(form).to_be_visible()
    expect_counts(director, before)  # nothing has moved yet: the form is open
    form.get_by_label("一般").check()
    form.get_by_label("可稳控").check()
    form.get_by_role("button", name="研判").tap()

    expect(moved.locator("form.card-form")).to_have_count(0)
    expect(moved).to_have_attribute("data-state", "assessed")
    expect(director.locator("#flash")).to_contain_text("已完成：研判")
    expect_counts(director, moved_one(before, "registered", "assessed"))
    assert _overflow(director) is None, _overflow(director)


def test_a_swipe_on_a_card_scrolls_the_board_and_moves_nothing(director, base_url, make_case):
    case_id, _ = make_case("registered")
    open_board(director, base_url)
    body = find_card(director, "registered", case_id).locator(".card-title")
    before = director.locator("#board").evaluate("b => b.scrollLeft")
    requests = []
    director.on("request", lambda r: requests.append(r.url) if "/move" in r.url else None)

    x, y = centre(body)
    Finger(director).swipe((x + 60, y), (x - 140, y))
    director.wait_for_timeout(500)

    assert director.locator("#board").evaluate("b => b.scrollLeft") > before
    expect(column(director, "registered").locator(f"#card-{case_id}")).to_be_attached()
    assert requests == []


def test_a_refused_drop_puts_the_card_back_and_says_why(director, base_url, make_case):
    case_id, _ = make_case("closed", session=False)  # no mediation session on file: not archivable
    open_board(director, base_url)
    handle, drop = ready_to_drag(director, case_id, "closed", "archived")
    before = counts(director)

    Finger(director).drag(handle, drop)

    expect(director.locator("#flash .flash-error")).to_contain_text("卷宗不完整")
    expect(column(director, "closed").locator(f"#card-{case_id}")).to_be_attached()
    expect(column(director, "archived").locator(f"#card-{case_id}")).to_have_count(0)
    expect_counts(director, before)


# -- the menu, for everyone who does not drag ----------------------------------------------------


def test_a_card_moves_through_its_menu_with_taps_only(director, base_url, make_case):
    case_id, department = make_case("assessed")
    open_board(director, base_url)
    this = find_card(director, "assessed", case_id)
    before = counts(director)
    menu = this.locator("details.move-menu")
    summary = menu.locator("summary")
    expect(summary).to_be_visible()
    for target in (summary, this.locator(".card-title a"), this.locator(".drag-handle")):
        assert target.bounding_box()["height"] >= TAP, target
    summary.tap()
    choice = menu.get_by_role("button", name="已分流")
    assert choice.bounding_box()["height"] >= TAP
    choice.tap()

    form = card(director, case_id).locator("form.card-form")
    expect(form).to_be_visible()
    form.get_by_label("分流单位", exact=True).select_option(str(department))
    form.get_by_role("button", name="分流", exact=True).tap()

    moved = column(director, "referred").locator(f"#card-{case_id}")
    expect(moved).to_be_attached()
    expect(moved).to_have_attribute("data-state", "referred")
    expect(column(director, "assessed").locator(f"#card-{case_id}")).to_have_count(0)
    expect_counts(director, moved_one(before, "assessed", "referred"))
    assert _overflow(director) is None, _overflow(director)


def two_phones(browser, base_url, case_id):
    """Two people on their phones, each with the board open on the same assessed case."""
    pages = []
    for _ in range(2):
        context = browser.new_context(**PHONE)
        context.set_default_timeout(10_000)
        page = context.new_page()
        sign_in(page, base_url, DIRECTOR)
        open_board(page, base_url)
        find_card(page, "assessed", case_id)
        pages.append(page)
    return pages


def escalate(page, case_id):
    """Escalate the case through its card's menu and its form, and see it land."""
    card(page, case_id).locator("details.move-menu summary").tap()
    card(page, case_id).get_by_role("button", name="已上报").tap()
    form = card(page, case_id).locator("form.card-form")
    form.get_by_label("镇党委、政府").check()
    form.get_by_label("上报说明").fill("可能激化，报镇党委")
    form.get_by_role("button", name="上报", exact=True).tap()
    # The card stood in that column while its form was open: it has landed when the answer's
    # card, in its new state, is there.
    expect(column(page, "escalated").locator(f"#card-{case_id}")).to_have_attribute("data-state", "escalated")


# -- two people, one card -------------------------------------------------------------------------


def poll_now(page) -> int:
    """Make the board poll at once (rather than when its timer says), wait until the answer's
    cards are placed (when its new poller is swapped in), and return the answer's status."""
    with page.expect_response(lambda response: "/board/changes" in response.url) as polled:
        page.evaluate("""() => {
            const poller = document.getElementById("board-poll");
            poller.setAttribute("hx-trigger", "poll-now");
            htmx.process(poller);
            htmx.trigger(poller, "poll-now");
        }""")
    page.wait_for_function("() => document.getElementById('board-poll').getAttribute('hx-trigger') !== 'poll-now'")
    return polled.value.status


def test_the_second_person_gets_a_clear_message_and_the_fresh_card(browser, live_app, base_url, make_case, monkeypatch):
    monkeypatch.setitem(live_app.config, "BOARD_POLL_SECONDS", 3600)  # polls only when told
    case_id, _ = make_case("assessed")
    first, second = two_phones(browser, base_url, case_id)
    try:
        # The second person has the menu open…
        second.evaluate("() => { window.__samePage = true }")
        before = counts(second)
        card(second, case_id).locator("details.move-menu summary").tap()
        # …while the first escalates the case. A poll leaves a card with its menu open alone,
        # and its counts already count the case as escalated.
        escalate(first, case_id)
        assert poll_now(second) == 200
        expect(column(second, "assessed").locator(f"#card-{case_id}")).to_be_attached()
        after = moved_one(before, "assessed", "escalated")
        expect_counts(second, after)

        card(second, case_id).get_by_role("button", name="已分流").tap()

        expect(second.locator("#flash .flash-error")).to_contain_text("您的操作没有执行")
        expect(column(second, "escalated").locator(f"#card-{case_id}")).to_be_attached()
        expect_counts(second, after)  # counted once
        assert second.evaluate("window.__samePage") is True
    finally:
        for page in (first, second):
            page.context.close()


def test_the_fresh_card_of_a_refused_move_stays_when_the_next_poll_brings_it_again(browser, live_app, base_url,
                                                                                   make_case, monkeypatch):
    """The card that answered a stale move is in its new column (not loaded on a phone: it is
    off to the right); the next poll brings the same change, and the card must stay shown."""
    monkeypatch.setitem(live_app.config, "BOARD_POLL_SECONDS", 3600)  # polls only when told
    case_id, _ = make_case("assessed")
    first, second = two_phones(browser, base_url, case_id)
    try:
        before = counts(second)
        escalate(first, case_id)

        card(second, case_id).locator("details.move-menu summary").tap()
        card(second, case_id).get_by_role("button", name="已分流").tap()
        expect(second.locator("#flash .flash-error")).to_contain_text("您的操作没有执行")
        expect(column(second, "escalated").locator(f"#card-{case_id}")).to_be_attached()
        after = moved_one(before, "assessed", "escalated")
        expect_counts(second, after)

        assert poll_now(second) == 200  # the change the page had not yet polled
        expect(column(second, "escalated").locator(f"#card-{case_id}")).to_be_attached()
        expect_counts(second, after)  # the poll's exact counts agree
    finally:
        for page in (first, second):
            page.context.close()


def test_another_persons_move_reaches_an_open_board_without_a_reload(browser, live_app, base_url, make_case,
                                                                     monkeypatch):
    monkeypatch.setitem(live_app.config, "BOARD_POLL_SECONDS", 1)
    case_id, department = make_case("assessed")
    context = browser.new_context(**PHONE)
    context.set_default_timeout(10_000)
    watcher = context.new_page()
    statuses = []
    watcher.on("response", lambda r: statuses.append(r.status) if "/board/changes" in r.url else None)
    try:
        sign_in(watcher, base_url, DIRECTOR)
        open_board(watcher, base_url)
        find_card(watcher, "assessed", case_id)
        watcher.evaluate("() => { window.__samePage = true }")
        watcher.wait_for_timeout(2500)
        assert 304 in statuses, statuses  # nothing changed yet: the conditional poll says so

        # Someone else refers the case (in another process, as far as this page knows).
        from tenants.models import Membership
        from tenants.scope import tenant_scope
        from webapp.auth.models import User
        from webapp.cases import operations
        from webapp.cases.models import Case
        from webapp.extensions import db
        from webapp.referrals.models import Department

        with live_app.app_context():
            director = db.session.scalar(select(Membership).join(User).where(User.username == DIRECTOR))
            with tenant_scope(director.tenant_id):
                case = db.session.get(Case, case_id)
                operations.refer_case(case, director, department=db.session.get(Department, department))
            db.session.commit()

        # The next poll takes the card out of its old column, without a reload…
        expect(column(watcher, "assessed").locator(f"#card-{case_id}")).to_have_count(0)
        assert 200 in statuses, statuses
        # …and it is in its new one.
        find_card(watcher, "referred", case_id)
        assert watcher.evaluate("window.__samePage") is True
    finally:
        context.close()


# -- nothing sideways -------------------------------------------------------------------------------


@pytest.mark.parametrize("username", [DIRECTOR, "heshun.mediator", "heshun.police", "county"])
def test_the_board_never_scrolls_the_page_sideways(phone, base_url, make_case, username):
    make_case("assessed")
    sign_in(phone, base_url, username)
    open_board(phone, base_url)
    assert _overflow(phone) is None, _overflow(phone)
    board = phone.locator("#board").bounding_box()
    assert board["x"] >= 0 and board["x"] + board["width"] <= WIDTH, board
    # Sideways, the board scrolls inside itself.
    assert phone.locator("#board").evaluate("b => b.scrollWidth > b.clientWidth")
    for state in ("registered", "assessed", "mediating", "referred"):
        show_column(phone, state)
        assert _overflow(phone) is None, (state, _overflow(phone))
    menus = phone.locator("details.move-menu summary")
    if menus.count():
        show_column(phone, "assessed")
        menus.first.tap()
        assert _overflow(phone) is None, _overflow(phone)


# -- where the board opens ----------------------------------------------------------------------------


@pytest.fixture
def new_mediator(live_app):
    """A 和顺镇 mediator with one case in mediation and nothing else: ``(username, case id)``."""
    from tenants.models import Membership, Tenant
    from tenants.scope import tenant_scope
    from tests import factories
    from webapp.auth.models import User
    from webapp.cases import operations
    from webapp.cases.models import Difficulty, Risk
    from webapp.extensions import db

    with live_app.app_context():
        tenant = db.session.scalar(select(Tenant).where(Tenant.slug == "heshun"))
        director = db.session.scalar(select(Membership).join(User).where(User.username == DIRECTOR))
        mediator = factories.member("mediator", tenant)
        case = factories.case(tenant, director, title=f"看板测试纠纷{next(_titles)}号")
        with tenant_scope(tenant.id):
            operations.assess_case(case, director, difficulty=Difficulty.ORDINARY, risk=Risk.RESOLVABLE)
            operations.start_mediation(case, director, assignee_id=mediator.user_id)
            case_id = case.id
        username = mediator.user.username
        db.session.commit()
    return username, case_id


def test_on_a_phone_the_board_opens_on_the_first_column_with_cards(phone, base_url, new_mediator):
    from tests.factories import PASSWORD

    username, case_id = new_mediator
    sign_in(phone, base_url, username, PASSWORD)
    open_board(phone, base_url, view="mine")
    # Registered and assessed hold none of this mediator's cases: the board opens on 调处中,
    # and its card loads because it is in view, with no swipe.
    card = phone.locator(f"#card-{case_id}")
    expect(card).to_be_visible()
    board = phone.locator("#board").bounding_box()
    mediating = phone.locator('.board-column:has(.board-list[data-state="mediating"])').bounding_box()
    assert abs(mediating["x"] - board["x"]) < 2, (mediating, board)
    assert _overflow(phone) is None, _overflow(phone)
