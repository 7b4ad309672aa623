"""Aids on the board that only a browser shows: the columns that take a dragged card are
marked while a finger holds it, the board scrolls near its edge at a speed a thumb can aim,
a key explains the colours, and the level reads 组级/村级/镇级."""
import pytest

from tests.browser.test_board import Finger, card, centre, find_card, make_case, open_board  # noqa: F401
from tests.browser.conftest import sign_in

expect = pytest.importorskip("playwright.sync_api").expect

MARKED = """() => [...document.querySelectorAll('.board-column.drop-target .board-list')].map(l => l.dataset.state)"""


def test_a_held_card_marks_the_columns_that_take_it(phone, base_url, make_case):
    case_id, _ = make_case("assessed")
    sign_in(phone, base_url, "heshun.admin")
    open_board(phone, base_url)

    # The key to the colours, closed until asked for.
    key = phone.locator("details.board-key")
    key.locator("summary").tap()
    expect(key.locator(".board-legend").first).to_contain_text("可化解")
    expect(key).to_contain_text("已超期")
    key.locator("summary").tap()

    this = find_card(phone, "assessed", case_id)
    expect(this.locator(".card-facts")).to_contain_text("镇级")
    options = phone.evaluate("() => { const o = Sortable.get(document.querySelector('.board-list')).options;"
                             " return [o.scroll, o.scrollSensitivity, o.scrollSpeed, o.bubbleScroll]; }")
    assert options == [True, 48, 8, True]

    targets = set(this.get_attribute("data-targets").split())
    assert targets
    finger = Finger(phone)
    x, y = centre(this.locator(".drag-handle"))
    finger._send("touchStart", x, y)
    phone.wait_for_timeout(400)
    for step in range(1, 6):
        finger._send("touchMove", x - 3 * step, y + 2 * step)
        phone.wait_for_timeout(16)
    expect(phone.locator("#board")).to_have_class("board dragging")
    assert set(phone.evaluate(MARKED)) == targets
    # Let go where it was: nothing moves, and the marks go.
    finger._send("touchMove", x, y)
    finger._send("touchEnd")
    expect(phone.locator("#board")).to_have_class("board")
    assert phone.evaluate(MARKED) == []
    expect(card(phone, case_id)).to_have_attribute("data-state", "assessed")
