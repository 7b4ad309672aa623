"""An investigation round on a 390 px phone: the stability officer finds the open round and
files a finding in one tap, which becomes a registered dispute shown in the village's row."""
import re

from tests.browser.test_layout import _overflow


def test_an_officer_files_a_finding_in_one_tap_on_a_phone(phone_as, base_url):
    page = phone_as("mangbang.officer")
    page.goto(f"{base_url}/t/mangbang/rounds/mine")
    page.locator("main .list a").first.tap()
    page.wait_for_url(re.compile(r"/rounds/\d+$"))
    assert _overflow(page) is None, _overflow(page)
    row = page.locator("li.round-village", has_text="尚未报告").last
    village = row.get_attribute("id")
    row.locator("input[name$='-title']").fill("两户因宅基地滴水檐发生争执")
    row.locator("button", has_text="登记为纠纷").tap()
    swapped = page.locator(f"#{village}")
    swapped.locator(".findings a").wait_for()
    assert "两户因宅基地滴水檐发生争执" in swapped.inner_text() and "发现1件" in swapped.inner_text()
    assert _overflow(page) is None, _overflow(page)
    # The finding is a registered dispute of the township, from investigation.
    swapped.locator(".findings a").tap()
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    assert "两户因宅基地滴水檐发生争执" in page.locator("main").inner_text()
