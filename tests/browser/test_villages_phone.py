"""The council and relocation pages of the demo township on a 390 px phone: nothing scrolls
sideways, every control is thumb-sized, and a phase is updated in place."""
import re

from tests.browser.test_layout import TAP, WIDTH, _overflow

def _controls_fit(page):
    """Every control at least a thumb high and inside the screen; a radio button or a check
    box is tapped by its label."""
    controls = ("main button, main .button, main input:not([type=radio]):not([type=checkbox]), main select, "
                "main textarea, main label.check")
    for control in page.locator(controls).all():
        if not control.is_visible():
            continue
        box = control.bounding_box()
        assert box["height"] >= TAP, (control.inner_text() or control.get_attribute("name"), box)
        assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, (control.inner_text(), box)


def test_council_and_site_pages_fit_a_phone(phone_as, base_url):
    page = phone_as("mangbang.admin")
    page.goto(f"{base_url}/t/mangbang/villages/")
    page.locator("main a[href$='/villages/councils/']").first.tap()
    page.wait_for_url("**/villages/councils/")
    paths = [page.url]
    assert page.locator("main .list > li").count() >= 4  # three group councils and the site's
    page.locator("main .list a").first.tap()
    page.wait_for_url(re.compile(r"/villages/councils/\d+$"))
    paths.append(page.url)
    for url in paths + [f"{base_url}/t/mangbang/relocation/", f"{base_url}/t/mangbang/cases/new"]:
        page.goto(url)
        assert _overflow(page) is None, (url, _overflow(page))
        _controls_fit(page)
    page.goto(f"{base_url}/t/mangbang/relocation/")
    page.locator("main .list a").first.tap()
    page.wait_for_url(re.compile(r"/relocation/\d+$"))
    assert page.locator("main .phases > li").count() == 5
    assert _overflow(page) is None, _overflow(page)
    _controls_fit(page)


def test_a_phase_is_updated_in_place_on_a_phone(phone_as, base_url):
    page = phone_as("mangbang.admin")
    page.goto(f"{base_url}/t/mangbang/relocation/")
    page.locator("main .list a").first.tap()
    page.wait_for_url(re.compile(r"/relocation/\d+$"))
    phase = page.locator("#phase-acceptance")
    phase.locator("a.button").tap()
    phase.locator("textarea[name=notes]").fill("验收组已进场")
    phase.locator("input[value=in_progress]").check()
    _controls_fit(page)
    phase.locator("button[type=submit]").tap()
    page.locator("#phase-acceptance .narrative", has_text="验收组已进场").wait_for()
    assert "进行中" in page.locator("#phase-acceptance").inner_text() or \
        "In progress" in page.locator("#phase-acceptance").inner_text()
    page.reload()
    assert "验收组已进场" in page.locator("#phase-acceptance").inner_text()
