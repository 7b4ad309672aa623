"""The pay pages on a 390 px phone, with the demo data: the director finds last month's
lines for the demo mediator, nothing scrolls sideways, and a bad rate is refused beside
its cell."""
from urllib.parse import urlsplit

from tests.browser.conftest import sign_in
from tests.browser.test_layout import TAP, WIDTH, _overflow
from webapp import timelimits
from webapp.pay.report import Month


def _last_month() -> str:
    return str(Month.of(timelimits.today()).previous())


def test_the_director_reads_last_months_pay_on_a_phone(phone, base_url):
    sign_in(phone, base_url, "mangbang.admin")
    phone.locator("details.menu summary").tap()
    phone.locator("details.menu nav a", has_text="以案定补").tap()
    phone.wait_for_url("**/t/mangbang/pay/")
    assert _overflow(phone) is None, _overflow(phone)

    month = _last_month()
    phone.goto(f"{base_url}/t/mangbang/pay/?month={month}")
    row = phone.locator("#pay-summary li", has_text="芒棒镇调解员")
    assert row.is_visible()
    total = row.locator(".amount strong").inner_text()
    assert total.startswith("¥") and total != "¥0.00"
    box = row.locator("a.row").bounding_box()
    assert box["height"] >= TAP and box["x"] + box["width"] <= WIDTH
    assert _overflow(phone) is None, _overflow(phone)

    row.locator("a.row").tap()
    phone.wait_for_url("**/pay/people/**")
    lines = phone.locator(".pay-lines li")
    assert lines.count() > 0
    assert "标准自" in lines.first.inner_text()
    assert phone.locator(".pay-total strong").first.inner_text() == total
    assert _overflow(phone) is None, _overflow(phone)

    for path in ("/t/mangbang/pay/rates", "/t/mangbang/pay/roster/", "/t/mangbang/pay/roster/new",
                 f"/t/mangbang/pay/mine?month={month}"):
        assert phone.goto(f"{base_url}{path}").status == 200, path
        assert _overflow(phone) is None, (path, _overflow(phone))


def test_a_bad_rate_is_refused_beside_its_cell_on_a_phone(phone, base_url):
    sign_in(phone, base_url, "heshun.admin")
    phone.goto(f"{base_url}/t/heshun/pay/rates/new")
    assert _overflow(phone) is None, _overflow(phone)
    cell = phone.locator("input[name='officer-part_time-major-failed']")
    box = cell.bounding_box()
    assert box["height"] >= TAP and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH
    cell.fill("-3")
    with phone.expect_navigation() as navigation:
        phone.locator("main button[type=submit]").click()
    assert navigation.value.status == 422
    assert urlsplit(phone.url).path == "/t/heshun/pay/rates/new"
    cell = phone.locator("input[name='officer-part_time-major-failed']")
    assert cell.input_value() == "-3"
    error = phone.locator("#field-officer-part_time-major-failed p.error")
    assert error.is_visible() and "0 元或以上" in error.inner_text()
    assert cell.get_attribute("aria-describedby") == error.get_attribute("id")
    assert _overflow(phone) is None, _overflow(phone)
