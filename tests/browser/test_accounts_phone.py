"""On a 390 px phone: a director creates a member, finds them locked out after five wrong
passwords on the staff list, resets their password and reads the one-time password; the member
signs in with it, is held on the password page, and sets their own. Nothing scrolls sideways on
the pages they pass."""
import re

from tests.browser.conftest import PHONE, sign_in
from tests.browser.test_layout import _overflow


def test_a_director_resets_a_password_and_the_member_sets_their_own(browser, phone_as, base_url):
    director = phone_as("mangbang.admin")
    director.goto(f"{base_url}/t/mangbang/staff/")
    form = director.locator("#new-staff form")
    form.locator("input[name=display_name]").fill("杨新人")
    form.locator("input[name=username]").fill("mangbang.newcomer")
    form.locator("select[name=role]").select_option("clerk")
    form.locator("input[name=password]").fill("Start-pass-1")
    form.locator("button[type=submit]").tap()
    row = director.locator("main .list a", has_text="mangbang.newcomer")
    row.wait_for()

    # The newcomer forgets the password: five wrong ones lock the account.
    context = browser.new_context(**PHONE)
    try:
        forgetful = context.new_page()
        for _ in range(5):
            sign_in(forgetful, base_url, "mangbang.newcomer", "Not-the-pass-1")
    finally:
        context.close()
    director.reload()
    assert row.locator(".badge-locked").inner_text() == "登录失败已锁定"
    assert _overflow(director) is None, _overflow(director)
    row.tap()
    director.wait_for_url(re.compile(r"/staff/\d+$"))
    assert _overflow(director) is None, _overflow(director)
    director.locator("#account-actions button[type=submit]").first.tap()
    otp = director.locator("#otp")
    otp.wait_for()
    password = otp.inner_text().strip()
    assert re.fullmatch(r"\w{4}-\w{4}-\w{4}", password)
    assert _overflow(director) is None, _overflow(director)

    context = browser.new_context(**PHONE)
    try:
        member = context.new_page()
        sign_in(member, base_url, "mangbang.newcomer", password)
        assert member.url.endswith("/account/password")
        assert _overflow(member) is None, _overflow(member)
        member.goto(f"{base_url}/t/mangbang/cases/")
        assert member.url.endswith("/account/password")  # nothing else until they have
        member.locator("input[name=current_password]").fill(password)
        member.locator("input[name=new_password]").fill("Own-pass-2026")
        member.locator("input[name=confirm]").fill("Own-pass-2026")
        member.locator("main button[type=submit]").tap()
        member.wait_for_url("**/account/sessions")
        assert "本设备" in member.locator("main").inner_text()
        assert _overflow(member) is None, _overflow(member)
        member.goto(f"{base_url}/t/mangbang/cases/")
        assert member.url.endswith("/t/mangbang/cases/")
    finally:
        context.close()
