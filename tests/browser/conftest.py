"""Browser fixtures: one headless Chromium per test process (Debian's, never a downloaded
one), a fresh phone-sized context per test, and ``sign_in`` through the real login form.

Every test in this folder is marked ``browser`` (``-m "not browser"`` leaves them out).

They run once per CI run, on the embedded default: what they check is what only a browser
shows (swaps, drags, layout, accessibility), and every request they make is tested on both
databases through the test client. On PostgreSQL (``TEST_DATABASE_URL``) they are skipped
unless ``TEST_BROWSER_EVERYWHERE=1``: two cores cannot run them twice within the suite's
six minutes (docs/test-suite.md).
"""
import os
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
    "locale": "zh-CN",
}
DEMO_PASSWORD = "Demo-2026"
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    once = os.environ.get("TEST_DATABASE_URL") and not os.environ.get("TEST_BROWSER_EVERYWHERE")
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)
            if once:
                item.add_marker(pytest.mark.skip(reason="browser tests run on the embedded default (see conftest)"))


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    # Assertions wait as long as actions do (10 s): a loaded CI machine, two suites at once.
    sync_api.expect.set_options(timeout=10_000)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# Reports every Content-Security-Policy violation on a page as a console message: the pages run
# under the app's CSP (webapp/security_headers.py), and a blocked script, handler or style is
# a broken page even when the test's own steps happen to pass.
CSP_WATCH = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline") +
                " in " + e.sourceFile + ":" + e.lineNumber + " " + (e.sample || ""));
}, true);
"""
# What the browser or htmx say when the policy stops something (htmx with allowEval off).
CSP_SIGNS = ("CSP violation", "Content Security Policy", "evalDisallowedError")


@pytest.fixture(autouse=True)
def no_csp_violations(browser, monkeypatch):
    """Every context a test opens watches for CSP violations; the test fails at its end if any
    page reported one."""
    seen = []
    new_context = browser.new_context

    def watched_context(*args, **kwargs):
        context = new_context(*args, **kwargs)
        context.add_init_script(CSP_WATCH)
        context.on("console", lambda message: seen.append(f"{message.page.url if message.page else ''}: "
                                                          f"{message.text}")
                   if any(sign in message.text for sign in CSP_SIGNS) else None)
        return context

    monkeypatch.setattr(browser, "new_context", watched_context)
    yield seen
    assert not seen, "the Content-Security-Policy stopped something:\n" + "\n".join(seen)


@pytest.fixture
def base_url(live_server):
    return live_server.url


@pytest.fixture
def phone(browser, live_server):
    """A page in a fresh context (no cookies) that looks like a 390 px phone to the app."""
    context = browser.new_context(**PHONE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone_as(browser, live_server):
    """``phone_as(username)`` → a page on a phone of its own (a fresh context, like ``phone``)
    signed in as that account, for tests where several people work on one case."""
    contexts = []

    def _open(username, password=DEMO_PASSWORD):
        context = browser.new_context(**PHONE)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        response = sign_in(page, live_server.url, username, password)
        assert response.ok and urlsplit(page.url).path != "/login", f"{username} could not sign in"
        return page

    yield _open
    for context in contexts:
        context.close()


def sign_in(page, base_url, username, password=DEMO_PASSWORD):
    """Fill and submit the real login form; returns the response that ends the navigation
    (the page signed in to, or the login form again with its errors). An account that must
    use a second factor (in the demo: county.admin) enrols the first time and gives a code
    after that (``SECOND_FACTORS``)."""
    page.goto(f"{base_url}/login")
    form = page.locator("main form")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)
    with page.expect_navigation() as navigation:
        form.locator("button[type=submit]").click()
    path = urlsplit(page.url).path
    if path == "/account/two-factor":
        return enrol(page, username)
    if path == "/login/code":
        return give_code(page, username)
    return navigation.value


# What this test process's live server knows of second factors: username → secret, the last
# time step used, the unused recovery codes.
SECOND_FACTORS: dict[str, dict] = {}


def _submit_code(page, code):
    form = page.locator("main form").first
    form.locator("input[name=code]").fill(code)
    with page.expect_navigation() as navigation:
        form.locator("button[type=submit]").click()
    return navigation.value


def enrol(page, username):
    """On the enrolment page: read the key shown as text, confirm with its first code, keep the
    recovery codes, go on."""
    import pyotp  # only the tests that sign in as a second-factor account need it

    secret = page.locator("#secret").inner_text().replace(" ", "")
    step = int(time.time() // 30)
    _submit_code(page, pyotp.TOTP(secret).generate_otp(step))
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10, page.content()[-800:]
    SECOND_FACTORS[username] = {"secret": secret, "step": step, "recovery": codes}
    with page.expect_navigation() as navigation:
        page.locator("main a.button.primary").click()
    return navigation.value


def give_code(page, username):
    """On the code page: a code of a time step not used yet (now or the next), else a recovery
    code, so signing in twice within 30 seconds needs no wait."""
    import pyotp  # only the tests that sign in as a second-factor account need it

    known = SECOND_FACTORS[username]
    now = int(time.time() // 30)
    step = next((s for s in (now - 1, now, now + 1) if s > known["step"]), None)
    if step is None:
        return _submit_code(page, known["recovery"].pop())
    known["step"] = step
    return _submit_code(page, pyotp.TOTP(known["secret"]).generate_otp(step))
